/* Little-endian fields in byte buffers (firmware tables, boot structures)
 * and the 8-bit checksums firmware tables carry. Bytes are written one by
 * one, so any alignment and any host byte order work. */
#ifndef KEEL_UTIL_LE_H
#define KEEL_UTIL_LE_H

#include <stddef.h>
#include <stdint.h>

static inline void le_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void le_put32(uint8_t *p, uint32_t v)
{
	le_put16(p, (uint16_t)v);
	le_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void le_put64(uint8_t *p, uint64_t v)
{
	le_put32(p, (uint32_t)v);
	le_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t le_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le_get32(const uint8_t *p)
{
	return (uint32_t)le_get16(p) | ((uint32_t)le_get16(p + 2) << 16);
}

static inline uint64_t le_get64(const uint8_t *p)
{
	return (uint64_t)le_get32(p) | ((uint64_t)le_get32(p + 4) << 32);
}

/* Sum of n bytes modulo 256. */
static inline uint8_t le_sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n-- > 0)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The byte that makes n bytes (itself counted as 0) sum to 0 modulo 256. */
static inline uint8_t le_checksum(const uint8_t *p, size_t n)
{
	return (uint8_t)(0x100 - le_sum8(p, n));
}

#endif
