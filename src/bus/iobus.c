#include "bus/iobus.h"

#include <string.h>

#include "util/log.h"

void iobus_init(struct iobus *bus, const char *kind)
{
	memset(bus, 0, sizeof(*bus));
	bus->kind = kind;
	pthread_mutex_init(&bus->log_lock, NULL);
}

void iobus_destroy(struct iobus *bus)
{
	pthread_mutex_destroy(&bus->log_lock);
}

int iobus_register(struct iobus *bus, uint64_t base, uint64_t len, iobus_fn fn, void *opaque,
		   const char *name)
{
	unsigned pos = 0;

	if (len == 0 || base + len < base || fn == NULL || bus->nranges >= IOBUS_MAX_RANGES)
		return -1;
	while (pos < bus->nranges && bus->ranges[pos].base < base)
		pos++;
	/* REQ-BUS-002: ranges never overlap, so every address has one owner. */
	if (pos > 0 && bus->ranges[pos - 1].base + bus->ranges[pos - 1].len > base)
		return -1;
	if (pos < bus->nranges && base + len > bus->ranges[pos].base)
		return -1;
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nranges - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct iobus_range){ base, len, fn, opaque, name };
	bus->nranges++;
	return 0;
}

const struct iobus_range *iobus_find(const struct iobus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->nranges;

	/* Binary search over sorted, disjoint ranges; the map is fixed after
	 * start-up, so lookups need no lock (REQ-BUS-001). */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct iobus_range *r = &bus->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* REQ-BUS-004: each unclaimed address is logged once, so a guest probing
 * ports in a loop cannot flood the log. The remembered set is bounded; past
 * it, further addresses are counted but not logged. */
static void log_unclaimed(struct iobus *bus, uint64_t addr, unsigned len, bool is_write)
{
	bool first = true;

	pthread_mutex_lock(&bus->log_lock);
	bus->unclaimed_count++;
	for (unsigned i = 0; i < bus->nlogged; i++) {
		if (bus->logged[i] == addr) {
			first = false;
			break;
		}
	}
	if (first) {
		if (bus->nlogged < IOBUS_MAX_LOGGED)
			bus->logged[bus->nlogged++] = addr;
		else
			first = false;
		if (bus->nlogged == IOBUS_MAX_LOGGED && first)
			log_warn("%u distinct unclaimed %s addresses: no more will be logged",
				 (unsigned)IOBUS_MAX_LOGGED, bus->kind);
	}
	pthread_mutex_unlock(&bus->log_lock);
	if (first)
		log_warn("unclaimed %s %s at 0x%llx (%u bytes)%s", bus->kind,
			 is_write ? "write" : "read", (unsigned long long)addr, len,
			 is_write ? " dropped" : " reads all-ones");
}

bool iobus_access(struct iobus *bus, uint64_t addr, uint8_t *data, unsigned len, bool is_write)
{
	const struct iobus_range *r = iobus_find(bus, addr);

	if (len == 0 || len > 8)
		len = len == 0 ? 1 : 8;
	if (r != NULL && len <= r->len - (addr - r->base)) {
		r->fn(r->opaque, addr - r->base, data, len, is_write);
		return true;
	}
	/* REQ-BUS-003: nobody home reads all-ones; writes are dropped. */
	if (!is_write)
		memset(data, 0xff, len);
	log_unclaimed(bus, addr, len, is_write);
	return false;
}
