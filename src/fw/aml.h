/* A tiny AML (ACPI Machine Language, ACPI 6.x chapter 20) encoder: just
 * what keel's DSDT needs (names, integers, packages, scopes, devices,
 * buffers, EISA IDs and a few resource descriptors). Output goes into a
 * caller's buffer; running out of room sets `overflow` once and drops the
 * rest, so callers check one flag at the end instead of every call. */
#ifndef KEEL_FW_AML_H
#define KEEL_FW_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const uint8_t *p, size_t n);
/* ZeroOp, OneOp or the smallest Byte/Word/DWord/QWordConst holding v. */
void aml_integer(struct aml *a, uint64_t v);
/* NameString: an optional leading '\' then 1-4 character segments
 * separated by '.', each padded with '_' ("\\_SB", "COM1", "\\_SB.RTC"). */
void aml_namestring(struct aml *a, const char *path);
/* Name (path, ...): the caller appends the object. */
void aml_name(struct aml *a, const char *path);

/* Terms framed by a PkgLength: each returns a mark for aml_end, which
 * inserts the PkgLength once the body's size is known. */
size_t aml_scope(struct aml *a, const char *path);
size_t aml_device(struct aml *a, const char *path);
size_t aml_package(struct aml *a, uint8_t nelems);
void aml_end(struct aml *a, size_t mark);

/* Buffer () { p[0..n) } */
void aml_buffer(struct aml *a, const uint8_t *p, size_t n);
/* EisaId ("PNP0501"): three upper-case letters and four hex digits,
 * compressed to the 32-bit value AML stores (ACPI 6.x 19.3.4). */
uint32_t aml_eisaid(const char *id);

/* Resource descriptors (ACPI 6.x 6.4) for a ResourceTemplate: append
 * them to a struct aml used as a plain byte sink, end with aml_res_end,
 * then wrap the bytes with aml_buffer. */
void aml_res_io(struct aml *a, uint16_t base, uint8_t len);   /* IO (Decode16, fixed base) */
void aml_res_irq(struct aml *a, uint16_t mask);               /* IRQNoFlags () */
void aml_res_mem32_fixed(struct aml *a, bool writable, uint32_t base, uint32_t len);
void aml_res_end(struct aml *a);

#endif
