/* MC146818 RTC and CMOS model (REQ-RTC-*), written from the Motorola
 * MC146818 datasheet and PC conventions. Requirements and choices:
 * docs/requirements/rtc.md.
 *
 * Model in one paragraph: the clock is not a set of counting registers but
 * a function of host realtime: guest seconds = host seconds + offset_s,
 * shown in the format register B selects at the time of the read. While
 * updates are stopped (SET, or the divider not running) the time bytes live
 * in cmos[] as the guest wrote them; restarting turns them back into an
 * offset. Updates (UF, AF) happen at host second boundaries, periodic ticks
 * at multiples of the rate on a 32.768 kHz grid aligned to the same
 * seconds. Events are worked out when the guest looks (every port access)
 * or when the owner advances; missed ones are coalesced: a flag is a flag. */
#include "dev/rtc.h"

#include <string.h>

typedef __int128 i128;

#define SECS_PER_DAY    86400LL
/* 0000-01-01 to 1970-01-01, proleptic Gregorian: 719528 days. */
#define SECS_TO_1970    62167219200LL
/* The clock runs modulo 10000 years, 3652425 days (a whole number of
 * weeks, so the day of the week carries across the wrap). */
#define SECS_PER_CYCLE  315569520000LL
#define BASE_HZ         32768           /* the divider's time base */

static const uint16_t days_before_month[12] = { 0,   31,  59,  90,  120, 151,
						181, 212, 243, 273, 304, 334 };

static const uint8_t time_regs[] = { RTC_SEC,  RTC_MIN,   RTC_HOUR, RTC_DOW,
				     RTC_MDAY, RTC_MONTH, RTC_YEAR, RTC_CENTURY };

struct civil {
	unsigned year, month, mday, hour, min, sec, dow; /* dow 0 = Sunday */
};

/* One set of alarm values: any value, one value, or none (val < 0). */
struct alarm_set {
	bool any;
	int val;
};

static i128 floor_div(i128 a, i128 b) /* b > 0 */
{
	i128 q = a / b;

	return (a % b < 0) ? q - 1 : q;
}

static unsigned clampu(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static bool leap_year(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 0000-01-01: whole years (with the leap days of the years
 * before, year 0 being one), then months, then days. Month 1-12. */
static int64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	int64_t leaps = ((int64_t)y + 3) / 4 - ((int64_t)y + 99) / 100 + ((int64_t)y + 399) / 400;

	return 365 * (int64_t)y + leaps + days_before_month[m - 1] + (m > 2 && leap_year(y)) +
	       (int64_t)d - 1;
}

/* g: seconds since 0000-01-01, 0 <= g < SECS_PER_CYCLE. */
static void civil_from_secs(int64_t g, struct civil *c)
{
	int64_t days = g / SECS_PER_DAY;
	unsigned sod = (unsigned)(g % SECS_PER_DAY);
	/* 146097 days per 400 years: the estimate is within one year of the
	 * truth, so starting one lower needs at most two steps up. */
	int64_t est = days * 400 / 146097 - 1;
	unsigned y = est < 0 ? 0 : (unsigned)est;
	unsigned doy, m = 12, leap;

	while (days_from_civil(y + 1, 1, 1) <= days)
		y++;
	doy = (unsigned)(days - days_from_civil(y, 1, 1));
	leap = leap_year(y);
	while (doy < days_before_month[m - 1] + (m > 2 ? leap : 0))
		m--;
	c->year = y;
	c->month = m;
	c->mday = doy - days_before_month[m - 1] - (m > 2 ? leap : 0) + 1;
	c->hour = sod / 3600;
	c->min = sod / 60 % 60;
	c->sec = sod % 60;
	c->dow = (unsigned)((days + 6) % 7); /* 0000-01-01 was a Saturday */
}

static bool binary_mode(const struct rtc *r)
{
	return (r->cmos[RTC_REG_B] & RTC_B_DM) != 0;
}

/* v <= 99 */
static uint8_t enc(const struct rtc *r, unsigned v)
{
	return binary_mode(r) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* Any byte decodes (a BCD nibble above 9 counts as its value), callers clamp. */
static unsigned dec(const struct rtc *r, uint8_t b)
{
	return binary_mode(r) ? b : (unsigned)(b >> 4) * 10 + (b & 15);
}

/* hour 0-23 in the register's format: 12-hour mode is 1-12, bit 7 = PM. */
static uint8_t enc_hour(const struct rtc *r, unsigned h)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return enc(r, h);
	return (uint8_t)(enc(r, h % 12 == 0 ? 12 : h % 12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct rtc *r, uint8_t b)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return clampu(dec(r, b), 0, 23);
	return clampu(dec(r, b & 0x7f), 1, 12) % 12 + ((b & 0x80) ? 12 : 0);
}

/* Updates stop while SET is 1 or the divider is not in its running mode. */
static bool stopped_ab(uint8_t a, uint8_t b)
{
	return (b & RTC_B_SET) || (a & RTC_A_DV) != RTC_A_DV_32K;
}

static bool stopped(const struct rtc *r)
{
	return stopped_ab(r->cmos[RTC_REG_A], r->cmos[RTC_REG_B]);
}

/* Periodic interval in 32.768 kHz cycles, 0 when off. */
static unsigned periodic_cycles(const struct rtc *r)
{
	unsigned rs = r->cmos[RTC_REG_A] & RTC_A_RS;

	if ((r->cmos[RTC_REG_A] & RTC_A_DV) != RTC_A_DV_32K || rs == 0)
		return 0;
	return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1); /* 1: 256 Hz, 2: 128 Hz */
}

static uint64_t clamp_now(struct rtc *r, uint64_t now)
{
	if (now < r->now_ns)
		return r->now_ns;
	r->now_ns = now;
	return now;
}

static i128 realtime_ns(const struct rtc *r, uint64_t now)
{
	return (i128)r->realtime_at_zero_ns + now;
}

static int64_t host_secs(const struct rtc *r, uint64_t now)
{
	return (int64_t)floor_div(realtime_ns(r, now), NSEC_PER_SEC);
}

/* A future realtime as a `now`. Callers pass times after realtime(now). */
static uint64_t realtime_to_now(const struct rtc *r, i128 rt)
{
	i128 mono = rt - r->realtime_at_zero_ns;

	return mono >= (i128)TIME_NEVER ? TIME_NEVER : (uint64_t)mono;
}

/* The guest's time (seconds since 0000-01-01) at host second hs. */
static int64_t guest_secs(const struct rtc *r, int64_t hs)
{
	i128 g = (i128)hs + r->offset_s + SECS_TO_1970;

	return (int64_t)(g - floor_div(g, SECS_PER_CYCLE) * SECS_PER_CYCLE);
}

static uint8_t time_reg_value(const struct rtc *r, unsigned idx, const struct civil *c)
{
	switch (idx) {
	case RTC_SEC:
		return enc(r, c->sec);
	case RTC_MIN:
		return enc(r, c->min);
	case RTC_HOUR:
		return enc_hour(r, c->hour);
	case RTC_DOW:
		return enc(r, (c->dow + r->dow_adjust) % 7 + 1);
	case RTC_MDAY:
		return enc(r, c->mday);
	case RTC_MONTH:
		return enc(r, c->month);
	case RTC_YEAR:
		return enc(r, c->year % 100);
	default: /* RTC_CENTURY */
		return enc(r, c->year / 100);
	}
}

static bool is_time_reg(unsigned idx)
{
	for (unsigned i = 0; i < sizeof(time_regs); i++)
		if (time_regs[i] == idx)
			return true;
	return false;
}

/* Stops the clock: the time bytes take the current time. */
static void snapshot(struct rtc *r, uint64_t now)
{
	struct civil c;

	civil_from_secs(guest_secs(r, host_secs(r, now)), &c);
	for (unsigned i = 0; i < sizeof(time_regs); i++)
		r->cmos[time_regs[i]] = time_reg_value(r, time_regs[i], &c);
}

/* Restarts the clock from the time bytes. Out-of-range fields are clamped
 * (second/minute 0-59, hour 0-23 or 1-12, day 1-31, month 1-12, year and
 * century 0-99); a day past the month's end runs into the next month. */
static void commit(struct rtc *r, uint64_t now)
{
	const uint8_t *m = r->cmos;
	unsigned year = clampu(dec(r, m[RTC_CENTURY]), 0, 99) * 100 + clampu(dec(r, m[RTC_YEAR]), 0, 99);
	int64_t days = days_from_civil(year, clampu(dec(r, m[RTC_MONTH]), 1, 12), 1) +
		       clampu(dec(r, m[RTC_MDAY]), 1, 31) - 1;
	int64_t g = days * SECS_PER_DAY + (int64_t)dec_hour(r, m[RTC_HOUR]) * 3600 +
		    (int64_t)clampu(dec(r, m[RTC_MIN]), 0, 59) * 60 + clampu(dec(r, m[RTC_SEC]), 0, 59);
	unsigned dow = clampu(dec(r, m[RTC_DOW]), 1, 7) - 1;

	r->offset_s = g - SECS_TO_1970 - host_secs(r, now);
	/* The chip counts the day of the week on its own: keep the guest's. */
	r->dow_adjust = (uint8_t)((dow + 7 - (unsigned)((days + 6) % 7)) % 7);
}

static struct alarm_set alarm_set(const struct rtc *r, uint8_t a, unsigned count, bool hours)
{
	struct alarm_set s = { .any = a >= 0xc0, .val = -1 };

	for (unsigned v = 0; v < count && !s.any; v++)
		if ((hours ? enc_hour(r, v) : enc(r, v)) == a)
			s.val = (int)v;
	return s;
}

/* Smallest member >= x, -1 if none. */
static int set_first(struct alarm_set s, int x, int max)
{
	if (s.any)
		return x <= max ? x : -1;
	return s.val >= x ? s.val : -1;
}

/* First guest second >= g whose h:m:s match the alarm bytes (values
 * 0xc0-0xff match anything), or -1 when no time can match. Not reduced
 * modulo the cycle: callers compare distances. */
static int64_t next_alarm(const struct rtc *r, int64_t g)
{
	struct alarm_set hs = alarm_set(r, r->cmos[RTC_HOUR_ALARM], 24, true);
	struct alarm_set ms = alarm_set(r, r->cmos[RTC_MIN_ALARM], 60, false);
	struct alarm_set ss = alarm_set(r, r->cmos[RTC_SEC_ALARM], 60, false);
	int64_t day = g / SECS_PER_DAY;
	int sod = (int)(g % SECS_PER_DAY), h0 = sod / 3600, m0 = sod / 60 % 60, s0 = sod % 60;

	if (set_first(hs, 0, 23) < 0 || set_first(ms, 0, 59) < 0 || set_first(ss, 0, 59) < 0)
		return -1;
	/* Today, at or after h0:m0:s0 (few steps: seconds can fail only in
	 * the current minute). */
	for (int h = set_first(hs, h0, 23); h >= 0; h = set_first(hs, h + 1, 23)) {
		for (int m = set_first(ms, h == h0 ? m0 : 0, 59); m >= 0;
		     m = set_first(ms, m + 1, 59)) {
			int s = set_first(ss, (h == h0 && m == m0) ? s0 : 0, 59);

			if (s >= 0)
				return day * SECS_PER_DAY + (int64_t)h * 3600 + (int64_t)m * 60 + s;
		}
	}
	return (day + 1) * SECS_PER_DAY + (int64_t)set_first(hs, 0, 23) * 3600 +
	       (int64_t)set_first(ms, 0, 59) * 60 + set_first(ss, 0, 59);
}

/* IRQF = PF.PIE + AF.AIE + UF.UIE; IRQ8 follows it, driven on changes only. */
static void update_irq(struct rtc *r)
{
	bool irqf = (r->cmos[RTC_REG_B] & r->cmos[RTC_REG_C] & 0x70) != 0;

	r->cmos[RTC_REG_C] = (uint8_t)((r->cmos[RTC_REG_C] & 0x70) | (irqf ? RTC_C_IRQF : 0));
	if (irqf != r->irq_level) {
		r->irq_level = irqf;
		irq_line_set(&r->irq8, irqf);
	}
}

/* Sets the flags of the events in (last access, now]. Flags are set
 * whatever the enable bits (datasheet); several events of one kind since
 * the guest last read register C are one flag. */
static void process(struct rtc *r, uint64_t now)
{
	int64_t hs = host_secs(r, now);

	if (periodic_cycles(r) != 0 && now >= r->next_periodic_ns)
		r->cmos[RTC_REG_C] |= RTC_C_PF;
	if (hs > r->last_s) {
		if (!stopped(r)) {
			int64_t n = hs - r->last_s; /* updates done since */
			int64_t g = guest_secs(r, r->last_s + 1);
			int64_t a = next_alarm(r, g);

			r->cmos[RTC_REG_C] |= RTC_C_UF;
			/* A day of updates shows every h:m:s once. */
			if (a >= 0 && (n >= SECS_PER_DAY || a - g < n))
				r->cmos[RTC_REG_C] |= RTC_C_AF;
		}
		r->last_s = hs;
	}
	update_irq(r);
}

/* Recomputes the three event times from `now` (after process()). */
static void schedule(struct rtc *r, uint64_t now)
{
	unsigned p = periodic_cycles(r);
	int64_t hs = host_secs(r, now);

	r->next_periodic_ns = TIME_NEVER;
	if (p != 0) {
		i128 cycles = floor_div(realtime_ns(r, now) * BASE_HZ, NSEC_PER_SEC);
		i128 next = (floor_div(cycles, p) + 1) * p;

		/* first realtime whose cycle count reaches `next` (ceiling) */
		r->next_periodic_ns = realtime_to_now(r, -floor_div(-next * NSEC_PER_SEC, BASE_HZ));
	}
	r->next_update_ns = TIME_NEVER;
	r->next_alarm_ns = TIME_NEVER;
	if (!stopped(r)) {
		int64_t g = guest_secs(r, hs + 1);
		int64_t a = next_alarm(r, g);

		r->next_update_ns = realtime_to_now(r, (i128)(hs + 1) * NSEC_PER_SEC);
		if (a >= 0)
			r->next_alarm_ns = realtime_to_now(r, (i128)(hs + 1 + (a - g)) * NSEC_PER_SEC);
	}
}

void rtc_init(struct rtc *r, struct irq_line irq8, int64_t realtime_at_zero_ns, uint64_t now)
{
	memset(r, 0, sizeof(*r));
	r->irq8 = irq8;
	r->realtime_at_zero_ns = realtime_at_zero_ns;
	r->now_ns = now;
	/* What PC firmware leaves: 32.768 kHz, 1024 Hz rate, BCD, 24 h. */
	r->cmos[RTC_REG_A] = RTC_A_DV_32K | 0x06;
	r->cmos[RTC_REG_B] = RTC_B_24H;
	r->cmos[RTC_REG_D] = RTC_D_VRT;
	r->last_s = host_secs(r, now);
	schedule(r, now);
}

static void put16(struct rtc *r, unsigned idx, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	r->cmos[idx] = (uint8_t)v;
	r->cmos[idx + 1] = (uint8_t)(v >> 8);
}

void rtc_set_memory(struct rtc *r, uint64_t below_4g_bytes, uint64_t above_4g_bytes)
{
	const uint64_t kib = 1024, mib = 1024 * kib;
	uint64_t base_kib = below_4g_bytes / kib;
	uint64_t ext_kib = below_4g_bytes > mib ? (below_4g_bytes - mib) / kib : 0;
	uint64_t mid_blocks = below_4g_bytes > 16 * mib ? (below_4g_bytes - 16 * mib) / (64 * kib) : 0;
	uint64_t high_blocks = above_4g_bytes / (64 * kib);

	put16(r, 0x15, base_kib > 640 ? 640 : base_kib);
	put16(r, 0x17, ext_kib);
	put16(r, 0x30, ext_kib);
	put16(r, 0x34, mid_blocks);
	if (high_blocks > 0xffffff)
		high_blocks = 0xffffff;
	r->cmos[0x5b] = (uint8_t)high_blocks;
	r->cmos[0x5c] = (uint8_t)(high_blocks >> 8);
	r->cmos[0x5d] = (uint8_t)(high_blocks >> 16);
}

static bool uip(const struct rtc *r, uint64_t now)
{
	i128 phase = realtime_ns(r, now) - (i128)host_secs(r, now) * NSEC_PER_SEC;

	return !stopped(r) && phase >= (i128)(NSEC_PER_SEC - RTC_UIP_NS);
}

static uint8_t data_read(struct rtc *r, uint64_t now)
{
	unsigned idx = r->index;
	uint8_t v;

	if (is_time_reg(idx) && !stopped(r)) {
		struct civil c;

		civil_from_secs(guest_secs(r, host_secs(r, now)), &c);
		return time_reg_value(r, idx, &c);
	}
	switch (idx) {
	case RTC_REG_A:
		return (uint8_t)(r->cmos[RTC_REG_A] | (uip(r, now) ? RTC_A_UIP : 0));
	case RTC_REG_C:
		v = r->cmos[RTC_REG_C];
		r->cmos[RTC_REG_C] = 0; /* read clears the flags and IRQF */
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->cmos[idx];
	}
}

/* Register A or B: a change that stops updates freezes the time bytes
 * (in the old format); one that restarts them commits the bytes (in the
 * new format). */
static void write_control(struct rtc *r, unsigned idx, uint8_t v, uint64_t now)
{
	uint8_t a = r->cmos[RTC_REG_A], b = r->cmos[RTC_REG_B];
	bool was = stopped_ab(a, b);

	if (idx == RTC_REG_A) {
		a = v & (uint8_t)~RTC_A_UIP;
	} else {
		/* datasheet: SET going high clears UIE */
		if (!(b & RTC_B_SET) && (v & RTC_B_SET))
			v &= (uint8_t)~RTC_B_UIE;
		b = v;
	}
	if (!was && stopped_ab(a, b))
		snapshot(r, now);
	r->cmos[RTC_REG_A] = a;
	r->cmos[RTC_REG_B] = b;
	if (was && !stopped(r))
		commit(r, now);
}

static void data_write(struct rtc *r, uint8_t v, uint64_t now)
{
	unsigned idx = r->index;

	if (is_time_reg(idx)) {
		/* While running, the clock goes on from the written value. */
		bool running = !stopped(r);

		if (running)
			snapshot(r, now);
		r->cmos[idx] = v;
		if (running)
			commit(r, now);
		return;
	}
	switch (idx) {
	case RTC_REG_A:
	case RTC_REG_B:
		write_control(r, idx, v, now);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	default:
		r->cmos[idx] = v;
	}
}

uint8_t rtc_io_read(struct rtc *r, uint16_t port, uint64_t now)
{
	uint8_t v;

	if (port != RTC_PORT_DATA)
		return 0xff; /* the index port is write-only on PCs */
	now = clamp_now(r, now);
	process(r, now);
	v = data_read(r, now);
	update_irq(r);
	schedule(r, now);
	return v;
}

void rtc_io_write(struct rtc *r, uint16_t port, uint8_t value, uint64_t now)
{
	if (port == RTC_PORT_INDEX) {
		r->index = value & 0x7f;
		r->nmi_masked = (value & 0x80) != 0;
		return;
	}
	if (port != RTC_PORT_DATA)
		return;
	now = clamp_now(r, now);
	process(r, now);
	data_write(r, value, now);
	update_irq(r);
	schedule(r, now);
}

uint64_t rtc_next_deadline(const struct rtc *r)
{
	uint8_t b = r->cmos[RTC_REG_B];
	uint64_t best = TIME_NEVER;

	/* Events of enabled sources count even while IRQF is set: then a read
	 * of register C (which lowers IRQ8) never makes the deadline earlier,
	 * and the owner need only re-arm after writes. At most 8192 wakeups a
	 * second while a guest leaves IRQF set. */
	if ((b & RTC_B_PIE) && r->next_periodic_ns < best)
		best = r->next_periodic_ns;
	if ((b & RTC_B_UIE) && r->next_update_ns < best)
		best = r->next_update_ns;
	if ((b & RTC_B_AIE) && r->next_alarm_ns < best)
		best = r->next_alarm_ns;
	return best;
}

void rtc_advance(struct rtc *r, uint64_t now)
{
	now = clamp_now(r, now);
	process(r, now);
	schedule(r, now);
}
