/* verifies: REQ-PIT-001 REQ-PIT-002 REQ-PIT-018 REQ-PIT-019 REQ-PIT-020 REQ-PIT-021 REQ-PIT-024 */
/* libFuzzer target for the 8254 PIT model. The input is a sequence of
 * operations, one opcode byte each (plus operand bytes for some):
 *   00xxxppp           read port P[p]
 *   01xxxppp vv        write vv to port P[p]
 *   10axssss lo hi     time += (hi:lo) << (s * 3), a = 1: also pit_advance
 *   11xxx000           advance to the deadline (when there is one)
 *   11xxx001           advance to one ns before the deadline
 *   11xxx010 vv        time goes back by vv ns (the model must hold on)
 *   11xxx011           re-initialise at the current time
 *   11xxx1xx           advance by one ns
 * with P = 0x40, 0x41, 0x42, 0x43, 0x61, 0x43, 0x44, 0x60. After every
 * operation the invariants are checked; a violation aborts, which libFuzzer
 * reports as a crash. */
#include "dev/pit8254.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t ports[8] = { 0x40, 0x41, 0x42, 0x43, 0x61, 0x43, 0x44, 0x60 };

struct host {
	unsigned calls, rises;
	bool level;
};

static void host_irq(void *opaque, unsigned line, bool level)
{
	struct host *h = opaque;

	/* Called only on changes, on the line given at init. */
	if (line != 0 || level == h->level)
		abort();
	if (level)
		h->rises++;
	h->level = level;
	h->calls++;
}

static bool bcd_ok(uint16_t v)
{
	return (v & 0xf) <= 9 && ((v >> 4) & 0xf) <= 9 && ((v >> 8) & 0xf) <= 9 && (v >> 12) <= 9;
}

/* Model invariants at the time of the last call into the model (the line
 * is only updated by calls). */
static void check(const struct pit *p, const struct host *h)
{
	uint64_t d = pit_next_deadline(p), now = p->last_ns;

	/* Deadlines are never in the past, and are where channel 0 rises. */
	if (d != TIME_NEVER && d <= now)
		abort();
	if (d != pit_channel_next_rise(p, 0, now))
		abort();
	/* The line shows OUT0. */
	if (h->level != pit_channel_out(p, 0, now) || h->level != p->irq0_level)
		abort();
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		const struct pit_channel *c = &p->ch[i];
		uint32_t max = c->bcd ? 10000 : 65536;
		uint64_t r;

		if (c->mode > 7 || c->rw < 1 || c->rw > 3)
			abort();
		if (c->count > max || c->start > 65536 || c->pending > max || c->frozen > 65536)
			abort();
		if (c->running && (c->start < 1 || c->phase >= c->start))
			abort();
		if (c->latched_bytes > 2 || (c->bcd && c->latched_bytes && !bcd_ok(c->latched_count)))
			abort();
		if (c->gate != (i == 2 ? (p->port61 & 1) != 0 : true))
			abort();
		r = pit_channel_next_rise(p, i, now);
		if (r != TIME_NEVER && r <= now)
			abort();
	}
	if (p->port61 & ~3u)
		abort();
}

/* Read-back status without disturbing the real instance. */
static uint8_t peek_status(const struct pit *p, unsigned ch, uint64_t now)
{
	struct pit c = *p;

	c.irq0.fn = NULL;
	c.ch[ch].status_latched = false;
	pit_io_write(&c, 0x43, (uint8_t)(0xe0 | 2u << ch), now);
	return pit_io_read(&c, (uint16_t)(0x40 + ch), now);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host h;
	struct pit p;
	uint64_t now = 1000000000ULL;
	size_t i = 0;

	memset(&h, 0, sizeof(h));
	pit_init(&p, (struct irq_line){ host_irq, &h, 0 }, now);
	check(&p, &h);
	while (i < size) {
		uint8_t op = data[i++];
		uint8_t v = i < size ? data[i] : 0;
		uint16_t port = ports[op & 7];
		uint64_t deadline = pit_next_deadline(&p);
		unsigned rises = h.rises;
		bool advanced = false;

		switch (op >> 6) {
		case 0: {
			uint8_t r = pit_io_read(&p, port, now);

			if ((port == 0x43 || port == 0x44 || port == 0x60) && r != 0xff)
				abort();
			if (port == 0x61 && (r & 0xcc))
				abort();
			break;
		}
		case 1:
			i++;
			pit_io_write(&p, port, v, now);
			break;
		case 2: {
			uint64_t lo = v, hi = i + 1 < size ? data[i + 1] : 0;

			i += 2;
			now = add_sat(now, (hi << 8 | lo) << ((op & 0x0f) * 3));
			if (op & 0x20) {
				pit_advance(&p, now);
				advanced = true;
			}
			break;
		}
		default:
			if (op & 4) {
				now = add_sat(now, 1);
				pit_advance(&p, now);
				advanced = true;
			} else if ((op & 3) == 0 && deadline != TIME_NEVER) {
				now = deadline;
				pit_advance(&p, now);
				advanced = true;
			} else if ((op & 3) == 1 && deadline != TIME_NEVER && deadline - 1 > now) {
				now = deadline - 1;
				pit_advance(&p, now);
				advanced = true;
			} else if ((op & 3) == 2) {
				i++;
				now = now > v ? now - v : 0;
				pit_advance(&p, now);
				advanced = true;
			} else if ((op & 3) == 3) {
				if (now < p.last_ns)
					now = p.last_ns;
				memset(&h, 0, sizeof(h));
				pit_init(&p, (struct irq_line){ host_irq, &h, 0 }, now);
				rises = 0;
				deadline = TIME_NEVER;
			}
			break;
		}
		if (advanced) {
			uint64_t t = now < p.last_ns ? p.last_ns : now;

			/* An advance past the deadline gives exactly one rising
			 * edge (coalesced), and none otherwise. */
			if (h.rises != rises + (deadline != TIME_NEVER && deadline <= t))
				abort();
		} else if (h.rises > rises + ((op >> 6) == 1 ? 2 : 1)) {
			abort();        /* due edge, plus a write's own edge */
		}
		check(&p, &h);
		/* The status byte agrees with the line for channel 0. */
		if (((peek_status(&p, 0, p.last_ns) & 0x80) != 0) != h.level)
			abort();
	}
	return 0;
}
