/* Port-I/O and MMIO bus (REQ-BUS-*): device models register address ranges;
 * an exit is routed to the one device whose range holds the address. The map
 * is fixed once the VM starts (no locking on lookup). An access no device
 * claims reads all-ones and drops writes, logged once per address. */
#ifndef KEEL_BUS_IOBUS_H
#define KEEL_BUS_IOBUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IOBUS_MAX_RANGES   64
#define IOBUS_MAX_LOGGED   256   /* distinct unclaimed addresses remembered */

/* Handler for one access. `offset` is relative to the range base; `data` holds
 * `len` bytes (1, 2, 4 or 8) little-endian: read handlers fill it, write
 * handlers consume it. */
typedef void (*iobus_fn)(void *opaque, uint64_t offset, uint8_t *data, unsigned len,
			 bool is_write);

struct iobus_range {
	uint64_t base;
	uint64_t len;
	iobus_fn fn;
	void *opaque;
	const char *name;
};

struct iobus {
	const char *kind;       /* "port" or "mmio", for messages */
	unsigned nranges;       /* sorted by base */
	struct iobus_range ranges[IOBUS_MAX_RANGES];
	pthread_mutex_t log_lock;
	unsigned nlogged;
	uint64_t logged[IOBUS_MAX_LOGGED];
	uint64_t unclaimed_count;
};

void iobus_init(struct iobus *bus, const char *kind);
void iobus_destroy(struct iobus *bus);
/* -1 when the range is empty, wraps, overlaps another, or the bus is full. */
int iobus_register(struct iobus *bus, uint64_t base, uint64_t len, iobus_fn fn, void *opaque,
		   const char *name);
const struct iobus_range *iobus_find(const struct iobus *bus, uint64_t addr);
/* Dispatches one access; returns true if a device claimed it. An access that
 * straddles the end of a range is treated as unclaimed. */
bool iobus_access(struct iobus *bus, uint64_t addr, uint8_t *data, unsigned len, bool is_write);

#endif
