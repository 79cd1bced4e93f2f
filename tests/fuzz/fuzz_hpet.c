/* verifies: REQ-HPET-001 REQ-HPET-002 REQ-HPET-003 REQ-HPET-004 REQ-HPET-005 REQ-HPET-010 REQ-HPET-011 REQ-HPET-012 REQ-HPET-013 REQ-HPET-015 */
/* libFuzzer target for the HPET model. The input is a sequence of
 * operations, one opcode byte each plus operands:
 *   op & 7 = 0  read:  2 bytes offset, len from op bits 3-4 (4, 8, 1, 2);
 *               a read never makes the deadline earlier
 *            1  write: 2 bytes offset, 8 bytes value, len as for read
 *            2  time += 1 byte (ns)
 *            3  time += 4 bytes (ns, up to ~4 s) << (op >> 3 & 31)
 *            4  hpet_advance(now)
 *            5  advance to the next deadline (if any): nothing may
 *               happen one ns before it, something must happen at it
 *            6  "old now": an access with a `now` before the newest
 *            7  write a timer register with a sane value (2 bytes)
 * Offsets are taken modulo 0x800, so a quarter falls outside the block.
 * After every operation the model's invariants are checked; a violation
 * aborts, which libFuzzer reports as a crash. */
#include "dev/hpet.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Output lines as the fuzzer sees them: bit p = pin p, 32 = IRQ0, 33 = IRQ8. */
struct host {
	uint64_t lines;
	unsigned calls;
};

static void host_irq(void *opaque, bool isa, unsigned line, bool level)
{
	struct host *h = opaque;
	unsigned bit;

	if (isa) {
		if (line != 0 && line != 8)
			abort();
		bit = line == 0 ? 32 : 33;
	} else {
		if (line < 20 || line > 23) /* only pins of Tn_INT_ROUTE_CAP */
			abort();
		bit = line;
	}
	/* every call is a change of that line */
	if (((h->lines >> bit) & 1) == level)
		abort();
	h->lines ^= 1ULL << bit;
	h->calls++;
}

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left > 0; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static const uint64_t gcap_expected = (10000000ULL << 32) | (0x8086ULL << 16) | (1ULL << 15) |
				      (1ULL << 13) | ((uint64_t)(HPET_TIMERS - 1) << 8) | 1;

static void check(struct hpet *h, const struct host *host)
{
	uint64_t d = hpet_next_deadline(h);

	if (d != TIME_NEVER && d <= h->now_ns)
		abort(); /* a deadline in the past would make the owner spin */
	if (host->lines != h->lines)
		abort(); /* the model's idea of its outputs is what it drove */
	if (h->config & ~(HPET_CONF_ENABLE | HPET_CONF_LEG_RT))
		abort();
	if (h->isr & ~((1ULL << HPET_TIMERS) - 1))
		abort();
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];
		unsigned pin = (unsigned)((t->config & HPET_TN_ROUTE) >> HPET_TN_ROUTE_SHIFT);

		if ((t->config & HPET_TN_32MODE) && (t->comparator >> 32 || t->period >> 32))
			abort();
		if (pin != 0 && (pin < 20 || pin > 23))
			abort();
		if (!(h->config & HPET_CONF_ENABLE) && t->deadline_ns != TIME_NEVER)
			abort();
	}
}

static unsigned len_of(uint8_t op)
{
	static const unsigned lens[4] = { 4, 8, 1, 2 };

	return lens[(op >> 3) & 3];
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct host host;
	struct hpet h;
	uint64_t now = NSEC_PER_SEC;
	/* counter reads within one run of the counter, for the rate check */
	uint64_t last_count = 0, last_count_ns = 0;
	bool have_count = false;

	memset(&host, 0, sizeof(host));
	hpet_init(&h, host_irq, &host, now);
	check(&h, &host);
	while (in.left > 0) {
		uint8_t op = (uint8_t)take(&in, 1);
		unsigned calls = host.calls;

		switch (op & 7) {
		case 0: {
			uint64_t off = take(&in, 2) & 0x7ff;
			unsigned len = len_of(op);
			uint64_t d = hpet_next_deadline(&h);
			uint64_t v = hpet_mmio_read(&h, off, len, now);
			bool ok = off < HPET_SIZE && ((len == 4 && !(off & 3)) || (len == 8 && !(off & 7)));

			if (!ok && v != 0)
				abort();
			if (hpet_next_deadline(&h) < d)
				abort();
			if (len == 4 && v >> 32)
				abort();
			if (ok && (off & ~7ULL) == HPET_REG_GCAP_ID &&
			    v != (len == 8 ? gcap_expected : (gcap_expected >> ((off & 4) * 8)) & 0xffffffff))
				abort();
			if (ok && len == 8 && off == HPET_REG_COUNTER && (h.config & HPET_CONF_ENABLE)) {
				/* the counter advances at HPET_HZ: +-1 tick of rounding */
				if (have_count) {
					unsigned __int128 want =
						(unsigned __int128)(now - last_count_ns) * HPET_HZ / NSEC_PER_SEC;
					uint64_t got = v - last_count;

					if (got + 1 < want || got > want + 1)
						abort();
				}
				last_count = v;
				last_count_ns = now;
				have_count = true;
			}
			break;
		}
		case 1: {
			uint64_t off = take(&in, 2) & 0x7ff;
			uint64_t v = take(&in, 8);

			hpet_mmio_write(&h, off, v, len_of(op), now);
			if ((off & ~7ULL) == HPET_REG_GEN_CONF || (off & ~7ULL) == HPET_REG_COUNTER)
				have_count = false;
			break;
		}
		case 2:
			now = add_sat(now, take(&in, 1));
			break;
		case 3:
			now = add_sat(now, take(&in, 4) << ((op >> 3) & 31));
			break;
		case 4:
			hpet_advance(&h, now);
			if (host.calls - calls > 2 * (34 + HPET_TIMERS))
				abort(); /* coalesced: bounded work per advance */
			break;
		case 5: {
			uint64_t d = hpet_next_deadline(&h);

			if (d == TIME_NEVER)
				break;
			hpet_advance(&h, d - 1);
			if (host.calls != calls)
				abort();
			hpet_advance(&h, d);
			if (host.calls == calls)
				abort();
			if (d > now)
				now = d;
			break;
		}
		case 6: {
			uint64_t back = take(&in, 2), a, b;

			hpet_advance(&h, now);
			a = hpet_mmio_read(&h, HPET_REG_COUNTER, 8, now);
			b = hpet_mmio_read(&h, HPET_REG_COUNTER, 8, now > back ? now - back : 0);
			if (a != b || h.now_ns != now)
				abort(); /* time never goes back */
			break;
		}
		default: {
			/* a plausible timer setup so matches happen often */
			uint64_t v = take(&in, 2);
			unsigned n = (unsigned)(v % HPET_TIMERS);

			if (v & 0x8000) {
				hpet_mmio_write(&h, HPET_REG_TIMER(n) + HPET_TN_CONF,
						((v >> 2) & (HPET_TN_INT_TYPE | HPET_TN_INT_ENB | HPET_TN_TYPE |
							     HPET_TN_VAL_SET | HPET_TN_32MODE)) |
							HPET_TN_INT_ENB | (uint64_t)(20 + ((v >> 12) & 3)) << 9,
						8, now);
			} else {
				uint64_t c = hpet_mmio_read(&h, HPET_REG_COUNTER, 8, now);

				hpet_mmio_write(&h, HPET_REG_TIMER(n) + HPET_TN_CMP, c + ((v >> 2) & 0x1ff), 8,
						now);
				hpet_mmio_write(&h, HPET_REG_GEN_CONF, HPET_CONF_ENABLE | ((v >> 11) & 2), 8,
						now);
			}
			have_count = false;
			break;
		}
		}
		check(&h, &host);
	}
	return 0;
}
