/* verifies: REQ-RTC-001 REQ-RTC-002 REQ-RTC-003 REQ-RTC-005 REQ-RTC-009 REQ-RTC-010 REQ-RTC-013 REQ-RTC-014 REQ-PMT-001 REQ-PMT-002 */
/* libFuzzer target for the RTC model (and the PM timer, which shares the
 * clock). The first 8 bytes are the host's realtime_at_zero_ns (any value,
 * negative included); then a sequence of operations, one opcode byte each
 * plus operands:
 *   op & 7 = 0  write index port: 1 byte
 *            1  write data port: 1 byte
 *            2  read data port (never makes the deadline earlier)
 *            3  read/write another port (0x70 read, 0x72...): 1 byte
 *            4  time += 2 bytes << (op >> 3 & 31) ns
 *            5  rtc_advance(now)
 *            6  advance to the next deadline (if any): IRQ8 must not
 *               rise one ns before it and must be high at it
 *            7  read the time twice and check it advanced with the host
 * After every operation the model's invariants are checked; a violation
 * aborts, which libFuzzer reports as a crash. */
#include "dev/pmtimer.h"
#include "dev/rtc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct host {
	bool level;
	unsigned calls;
};

static void host_irq(void *opaque, unsigned line, bool level)
{
	struct host *h = opaque;

	if (line != 8 || level == h->level)
		abort(); /* IRQ8, changes only */
	h->level = level;
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

static bool stopped(const struct rtc *r)
{
	return (r->cmos[RTC_REG_B] & RTC_B_SET) || (r->cmos[RTC_REG_A] & RTC_A_DV) != RTC_A_DV_32K;
}

static uint8_t reg(struct rtc *r, uint8_t idx, uint64_t now)
{
	rtc_io_write(r, RTC_PORT_INDEX, idx, now);
	return rtc_io_read(r, RTC_PORT_DATA, now);
}

/* A time byte in the current format: value in [lo, hi], valid BCD. */
static unsigned decode(const struct rtc *r, uint8_t v, unsigned lo, unsigned hi)
{
	unsigned x = v;

	if (!(r->cmos[RTC_REG_B] & RTC_B_DM)) {
		if ((v & 15) > 9 || (v >> 4) > 9)
			abort();
		x = (v >> 4) * 10 + (v & 15);
	}
	if (x < lo || x > hi)
		abort();
	return x;
}

static unsigned hour24(const struct rtc *r, uint8_t v)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return decode(r, v, 0, 23);
	return decode(r, v & 0x7f, 1, 12) % 12 + ((v & 0x80) ? 12 : 0);
}

/* Second of the day shown now; checks every time byte on the way. */
static unsigned time_of_day(struct rtc *r, uint64_t now)
{
	unsigned s = decode(r, reg(r, RTC_SEC, now), 0, 59);
	unsigned m = decode(r, reg(r, RTC_MIN, now), 0, 59);
	unsigned h = hour24(r, reg(r, RTC_HOUR, now));

	decode(r, reg(r, RTC_DOW, now), 1, 7);
	decode(r, reg(r, RTC_MDAY, now), 1, 31);
	decode(r, reg(r, RTC_MONTH, now), 1, 12);
	decode(r, reg(r, RTC_YEAR, now), 0, 99);
	decode(r, reg(r, RTC_CENTURY, now), 0, 99);
	return h * 3600 + m * 60 + s;
}

static int64_t host_secs(const struct rtc *r, uint64_t now)
{
	__int128 rt = (__int128)r->realtime_at_zero_ns + now;
	__int128 q = rt / 1000000000;

	return (int64_t)(rt % 1000000000 < 0 ? q - 1 : q);
}

static void check(const struct rtc *r, const struct host *h)
{
	uint64_t d = rtc_next_deadline(r);
	bool irqf = (r->cmos[RTC_REG_B] & r->cmos[RTC_REG_C] & 0x70) != 0;

	if (d != TIME_NEVER && d <= r->now_ns)
		abort();
	if (r->irq_level != irqf || h->level != irqf)
		abort();
	if (!!(r->cmos[RTC_REG_C] & RTC_C_IRQF) != irqf || (r->cmos[RTC_REG_C] & 0x0f))
		abort();
	if (r->index >= 128 || (r->cmos[RTC_REG_A] & RTC_A_UIP) || r->cmos[RTC_REG_D] != RTC_D_VRT)
		abort();
	if (r->dow_adjust > 6)
		abort();
}

/* The PM timer on the same clock, against 128-bit arithmetic, through the
 * port handler at a chosen offset and size. */
static void check_pmtimer(struct pmtimer *pm, uint64_t now, unsigned sel)
{
	static const unsigned lens[4] = { 1, 2, 4, 4 };
	unsigned off = sel & 3, len = lens[(sel >> 2) & 3];
	uint64_t want = (uint64_t)((unsigned __int128)(now - pm->start_ns) * PMTIMER_HZ /
				   1000000000ULL) & (pm->wide ? 0xffffffffULL : 0xffffffULL);
	uint8_t b[4] = { 0, 0, 0, 0 };

	if (pmtimer_read(pm, now) != want)
		abort();
	pmtimer_io(pm, off, b, len, false, now);
	for (unsigned i = 0; i < len; i++)
		if (b[i] != (off + i < 4 ? (uint8_t)(want >> (8 * (off + i))) : 0xff))
			abort();
	pmtimer_io(pm, off, b, len, true, now);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct host h;
	struct rtc r;
	struct pmtimer pm;
	struct irq_line line = { host_irq, &h, 8 };
	uint64_t now = 1000000000ULL;
	int64_t rt0 = (int64_t)take(&in, 8);

	memset(&h, 0, sizeof(h));
	rtc_init(&r, line, rt0, now);
	pmtimer_init(&pm, size & 1, now);
	check(&r, &h);
	while (in.left > 0) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint8_t idx = r.index;

		switch (op & 7) {
		case 0: {
			uint8_t v = (uint8_t)take(&in, 1);

			rtc_io_write(&r, RTC_PORT_INDEX, v, now);
			if (r.nmi_masked != !!(v & 0x80) || r.index != (v & 0x7f))
				abort();
			break;
		}
		case 1:
			rtc_io_write(&r, RTC_PORT_DATA, (uint8_t)take(&in, 1), now);
			break;
		case 2: {
			uint8_t b = r.cmos[RTC_REG_B];
			uint64_t d = rtc_next_deadline(&r);
			uint8_t v = rtc_io_read(&r, RTC_PORT_DATA, now);

			if (rtc_next_deadline(&r) < d)
				abort();

			if (idx == RTC_REG_D && v != RTC_D_VRT)
				abort();
			if (idx == RTC_REG_A && ((v & 0x7f) != r.cmos[RTC_REG_A] ||
						 ((v & RTC_A_UIP) && stopped(&r))))
				abort();
			if (idx == RTC_REG_C) {
				/* what was read was consistent; now all clear */
				if (!!(v & RTC_C_IRQF) != ((v & b & 0x70) != 0) || (v & 0x0f))
					abort();
				if (r.cmos[RTC_REG_C] != 0 || h.level)
					abort();
			}
			break;
		}
		case 3: {
			uint8_t v = (uint8_t)take(&in, 1);
			uint16_t port = (uint16_t)(0x70 + (v & 7));

			if (port == RTC_PORT_INDEX) {
				if (rtc_io_read(&r, port, now) != 0xff)
					abort();
			} else if (port != RTC_PORT_DATA) {
				uint8_t before[128];

				memcpy(before, r.cmos, sizeof(before));
				rtc_io_write(&r, port, v, now);
				if (rtc_io_read(&r, port, now) != 0xff || memcmp(before, r.cmos, 128))
					abort();
			}
			break;
		}
		case 4:
			now = add_sat(now, take(&in, 2) << ((op >> 3) & 31));
			break;
		case 5:
			rtc_advance(&r, now);
			break;
		case 6: {
			uint64_t d = rtc_next_deadline(&r);
			bool was = h.level;

			if (d == TIME_NEVER)
				break;
			rtc_advance(&r, d - 1);
			if (h.level != was)
				abort();
			rtc_advance(&r, d);
			if (!h.level)
				abort();
			now = d > now ? d : now;
			break;
		}
		default: {
			/* the clock runs with the host: dt seconds later it shows
			 * dt seconds more (mod one day), unless stopped */
			uint64_t later = add_sat(now, take(&in, 2) * 10000000ULL);
			unsigned t1, t2;
			int64_t dt;

			rtc_advance(&r, now);
			if (r.now_ns != now)
				break;
			t1 = stopped(&r) ? 0 : time_of_day(&r, now);
			t2 = stopped(&r) ? 0 : time_of_day(&r, later);
			dt = host_secs(&r, later) - host_secs(&r, now);
			if (!stopped(&r) && (t1 + (uint64_t)(dt % 86400)) % 86400 != t2)
				abort();
			now = later;
			rtc_io_write(&r, RTC_PORT_INDEX, idx, now);
			check_pmtimer(&pm, now, (unsigned)later);
			break;
		}
		}
		check(&r, &h);
	}
	return 0;
}
