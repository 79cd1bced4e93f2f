/* HPET model (REQ-HPET-*), written from the IA-PC HPET specification 1.0a.
 * Requirements and deliberate choices: docs/requirements/hpet.md.
 *
 * Model in one paragraph: while enabled, the main counter is
 * counter_offset + ticks(now - counter_base_ns), computed on demand. Each
 * timer keeps its next match as a tick count since counter_base_ns (and the
 * same instant in ns for the owner), recomputed when its comparator, its
 * width or the counter's start changes. Every access first delivers the
 * matches that are due, so the state a guest reads is that of `now`.
 * Matches that were missed (a late advance, a tiny period) are caught up
 * with one division and coalesced into a single interrupt. */
#include "dev/hpet.h"

#include <string.h>

typedef unsigned __int128 u128;

#define NO_TICK         UINT64_MAX
#define TIMER_END       HPET_REG_TIMER(HPET_TIMERS)
#define ISR_MASK        ((1ULL << HPET_TIMERS) - 1)
#define LINE_ISA_IRQ0   32
#define LINE_ISA_IRQ8   33
#define CONF_WRITABLE   (HPET_CONF_ENABLE | HPET_CONF_LEG_RT)
#define TN_WRITABLE     (HPET_TN_INT_TYPE | HPET_TN_INT_ENB | HPET_TN_TYPE | HPET_TN_VAL_SET | \
			 HPET_TN_32MODE | HPET_TN_ROUTE)
#define TN_CAPS         (HPET_TN_PER_CAP | HPET_TN_SIZE_CAP | (HPET_TN_ROUTE_CAP << 32))

static bool running(const struct hpet *h)
{
	return (h->config & HPET_CONF_ENABLE) != 0;
}

static bool is_level(const struct hpet_timer *t)
{
	return (t->config & HPET_TN_INT_TYPE) != 0;
}

/* Time never goes back for the model: the owner may pass a `now` read
 * before another caller's newer one. */
static uint64_t clamp_now(struct hpet *h, uint64_t now)
{
	if (now < h->now_ns)
		return h->now_ns;
	h->now_ns = now;
	return now;
}

/* Whole ticks since the counter started; now >= counter_base_ns always
 * (the base is a clamped `now`). At most 2^64 ns * 0.1 -> fits. */
static uint64_t ticks_since_base(const struct hpet *h, uint64_t now)
{
	return ns_to_ticks(now - h->counter_base_ns, HPET_HZ);
}

static uint64_t counter_at(const struct hpet *h, uint64_t now)
{
	if (!running(h))
		return h->counter_stopped;
	return h->counter_offset + ticks_since_base(h, now);
}

/* The first `now` whose ticks_since_base() reaches `tick`. */
static uint64_t tick_to_ns(const struct hpet *h, uint64_t tick)
{
	u128 ns;

	if (tick == NO_TICK)
		return TIME_NEVER;
	ns = ((u128)tick * NSEC_PER_SEC + HPET_HZ - 1) / HPET_HZ + h->counter_base_ns;
	return ns >= TIME_NEVER ? TIME_NEVER : (uint64_t)ns;
}

static uint64_t saturate_tick(u128 tick)
{
	return tick >= NO_TICK ? NO_TICK : (uint64_t)tick;
}

/* Bits of the counter a timer compares: 32 in 32-bit mode. */
static uint64_t width_mask(const struct hpet_timer *t)
{
	return (t->config & HPET_TN_32MODE) ? 0xffffffffULL : UINT64_MAX;
}

static void set_next_tick(struct hpet *h, struct hpet_timer *t, uint64_t tick)
{
	t->next_tick = tick;
	t->deadline_ns = tick_to_ns(h, tick);
}

/* Finds the first tick >= `tick_now` at which the (masked) counter equals
 * the comparator: a comparator equal to the counter matches at once. */
static void timer_schedule(struct hpet *h, struct hpet_timer *t, uint64_t tick_now)
{
	uint64_t delta;

	if (!running(h)) {
		set_next_tick(h, t, NO_TICK);
		return;
	}
	delta = (t->comparator - (h->counter_offset + tick_now)) & width_mask(t);
	set_next_tick(h, t, saturate_tick((u128)tick_now + delta));
}

/* Handles every match of `t` up to tick_now (next_tick <= tick_now): the
 * next match is one period on (periodic, period != 0) or one counter wrap
 * on (one-shot: the comparator matches again when the counter comes round;
 * 2^64 ticks is beyond TIME_NEVER). k steps are taken at once: no loop. */
static void timer_expire(struct hpet *h, struct hpet_timer *t, uint64_t tick_now)
{
	uint64_t mask = width_mask(t);
	uint64_t period = t->period & mask;
	bool periodic = (t->config & HPET_TN_TYPE) && period != 0;
	u128 step = periodic ? (u128)period : (u128)mask + 1;
	u128 k = (tick_now - t->next_tick) / step + 1;
	u128 advance = k * step;

	if (periodic)
		t->comparator = (t->comparator + (uint64_t)advance) & mask;
	set_next_tick(h, t, saturate_tick(t->next_tick + advance));
}

/* Where timer n's interrupt goes, as a bit of h->lines; -1 when the timer
 * is routed to a pin outside Tn_INT_ROUTE_CAP (only the reset value 0 can
 * be, since writes of other pins are refused). */
static int timer_line(const struct hpet *h, unsigned n)
{
	unsigned pin = (unsigned)((h->t[n].config & HPET_TN_ROUTE) >> HPET_TN_ROUTE_SHIFT);

	if ((h->config & HPET_CONF_LEG_RT) && n < 2)
		return n == 0 ? LINE_ISA_IRQ0 : LINE_ISA_IRQ8;
	if (!((HPET_TN_ROUTE_CAP >> pin) & 1))
		return -1;
	return (int)pin;
}

static void drive(struct hpet *h, unsigned bit, bool level)
{
	if (h->irq == NULL)
		return;
	if (bit >= LINE_ISA_IRQ0)
		h->irq(h->opaque, true, bit == LINE_ISA_IRQ0 ? 0 : 8, level);
	else
		h->irq(h->opaque, false, bit, level);
}

/* Level outputs are wired-OR: a line is high while any level-triggered,
 * enabled timer routed to it has its status bit set. Only changes are
 * driven, lowering before raising so a moved route reads as such. */
static void update_lines(struct hpet *h)
{
	uint64_t want = 0, diff;

	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];
		int line = timer_line(h, n);

		if (is_level(t) && (t->config & HPET_TN_INT_ENB) && (h->isr & (1ULL << n)) &&
		    line >= 0)
			want |= 1ULL << line;
	}
	diff = want ^ h->lines;
	h->lines = want;
	for (unsigned b = 0; b <= LINE_ISA_IRQ8; b++)
		if ((diff >> b) & 1 && !((want >> b) & 1))
			drive(h, b, false);
	for (unsigned b = 0; b <= LINE_ISA_IRQ8; b++)
		if ((diff >> b) & 1 && (want >> b) & 1)
			drive(h, b, true);
}

/* An edge-triggered match: one pulse. A line already held high by a level
 * timer cannot show an edge, so none is sent (as on a wired-OR line). */
static void pulse(struct hpet *h, unsigned n)
{
	int line = timer_line(h, n);

	if (!(h->t[n].config & HPET_TN_INT_ENB) || line < 0 || (h->lines >> line) & 1)
		return;
	drive(h, (unsigned)line, true);
	drive(h, (unsigned)line, false);
}

/* Delivers everything due at `now` (already clamped). Status bits of level
 * timers are set whether or not Tn_INT_ENB is (spec 2.3.9.2.x); edge timers
 * leave no status. */
static void process(struct hpet *h, uint64_t now)
{
	unsigned edges = 0;

	if (running(h)) {
		uint64_t tick_now = ticks_since_base(h, now);

		for (unsigned n = 0; n < HPET_TIMERS; n++) {
			struct hpet_timer *t = &h->t[n];

			if (t->next_tick > tick_now)
				continue;
			timer_expire(h, t, tick_now);
			if (is_level(t))
				h->isr |= 1ULL << n;
			else
				edges |= 1u << n;
		}
	}
	update_lines(h);
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		if ((edges >> n) & 1)
			pulse(h, n);
}

void hpet_init(struct hpet *h, hpet_irq_fn irq, void *opaque, uint64_t now)
{
	memset(h, 0, sizeof(*h));
	h->irq = irq;
	h->opaque = opaque;
	h->now_ns = now;
	h->counter_base_ns = now;
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		h->t[n].comparator = UINT64_MAX; /* spec: comparators reset to all ones */
		set_next_tick(h, &h->t[n], NO_TICK);
	}
}

static uint64_t gcap_id(void)
{
	return HPET_PERIOD_FS << 32 | (uint64_t)HPET_VENDOR_ID << 16 | HPET_CAP_LEG_RT |
	       HPET_CAP_COUNT_SIZE | (uint64_t)(HPET_TIMERS - 1) << 8 | HPET_CAP_REV_ID;
}

static uint64_t reg_read(const struct hpet *h, uint64_t reg, uint64_t now)
{
	switch (reg) {
	case HPET_REG_GCAP_ID:
		return gcap_id();
	case HPET_REG_GEN_CONF:
		return h->config;
	case HPET_REG_GEN_INT_STS:
		return h->isr;
	case HPET_REG_COUNTER:
		return counter_at(h, now);
	default:
		break;
	}
	if (reg >= HPET_REG_TIMER(0) && reg < TIMER_END) {
		const struct hpet_timer *t = &h->t[(reg - HPET_REG_TIMER(0)) / 0x20];

		switch ((reg - HPET_REG_TIMER(0)) % 0x20) {
		case HPET_TN_CONF:
			return t->config | TN_CAPS;
		case HPET_TN_CMP:
			return t->comparator;
		default:
			break;
		}
	}
	return 0; /* reserved, FSB route (not supported) */
}

static void write_gen_conf(struct hpet *h, uint64_t val, uint64_t mask, uint64_t now)
{
	uint64_t old = h->config;
	uint64_t conf = ((old & ~mask) | (val & mask)) & CONF_WRITABLE;

	if (!(old & HPET_CONF_ENABLE) && (conf & HPET_CONF_ENABLE)) {
		/* Start: the counter resumes from where it was halted (or set). */
		h->config = conf;
		h->counter_base_ns = now;
		h->counter_offset = h->counter_stopped;
		for (unsigned n = 0; n < HPET_TIMERS; n++)
			timer_schedule(h, &h->t[n], 0);
	} else if ((old & HPET_CONF_ENABLE) && !(conf & HPET_CONF_ENABLE)) {
		h->counter_stopped = counter_at(h, now);
		h->config = conf;
		for (unsigned n = 0; n < HPET_TIMERS; n++)
			set_next_tick(h, &h->t[n], NO_TICK);
	} else {
		h->config = conf;
	}
}

static void write_timer_conf(struct hpet *h, struct hpet_timer *t, uint64_t val, uint64_t mask,
			     uint64_t tick_now)
{
	uint64_t old = t->config;
	uint64_t conf = ((old & ~mask) | (val & mask)) & TN_WRITABLE;
	unsigned pin = (unsigned)((conf & HPET_TN_ROUTE) >> HPET_TN_ROUTE_SHIFT);

	/* Spec: an unsupported route reads back different from what was
	 * written; we keep the previous one. */
	if (!((HPET_TN_ROUTE_CAP >> pin) & 1))
		conf = (conf & ~HPET_TN_ROUTE) | (old & HPET_TN_ROUTE);
	t->config = conf;
	if ((old ^ conf) & HPET_TN_32MODE) {
		if (conf & HPET_TN_32MODE) {
			t->comparator &= 0xffffffffULL;
			t->period &= 0xffffffffULL;
		}
		timer_schedule(h, t, tick_now);
	}
}

/* Every write is "the last value written", the periodic increment (spec
 * 2.3.9.2.2); it sets the comparator itself in one-shot mode or, in
 * periodic mode, when Tn_VAL_SET_CNF is set. VAL_SET clears once the write
 * reaches the top of the comparator (a 64-bit write, the high half, or any
 * write in 32-bit mode), so a 32-bit guest can set a 64-bit accumulator
 * with two writes. */
static void write_timer_cmp(struct hpet *h, struct hpet_timer *t, uint64_t val, uint64_t mask,
			    uint64_t tick_now)
{
	uint64_t width = width_mask(t);
	uint64_t m = mask & width;

	if (m == 0)
		return; /* high half in 32-bit mode: ignored */
	t->period = (t->period & ~m) | (val & m);
	if (!(t->config & HPET_TN_TYPE) || (t->config & HPET_TN_VAL_SET)) {
		t->comparator = (t->comparator & ~m) | (val & m);
		timer_schedule(h, t, tick_now);
	}
	if ((m >> 32) != 0 || width == 0xffffffffULL)
		t->config &= ~HPET_TN_VAL_SET;
}

static void reg_write(struct hpet *h, uint64_t reg, uint64_t val, uint64_t mask, uint64_t now)
{
	uint64_t tick_now = running(h) ? ticks_since_base(h, now) : 0;

	switch (reg) {
	case HPET_REG_GEN_CONF:
		write_gen_conf(h, val, mask, now);
		return;
	case HPET_REG_GEN_INT_STS:
		h->isr &= ~(val & mask & ISR_MASK); /* write 1 to clear */
		return;
	case HPET_REG_COUNTER:
		/* Writable only while halted (spec: software halts it first). */
		if (!running(h))
			h->counter_stopped = (h->counter_stopped & ~mask) | (val & mask);
		return;
	default:
		break;
	}
	if (reg >= HPET_REG_TIMER(0) && reg < TIMER_END) {
		struct hpet_timer *t = &h->t[(reg - HPET_REG_TIMER(0)) / 0x20];

		switch ((reg - HPET_REG_TIMER(0)) % 0x20) {
		case HPET_TN_CONF:
			write_timer_conf(h, t, val, mask, tick_now);
			return;
		case HPET_TN_CMP:
			write_timer_cmp(h, t, val, mask, tick_now);
			return;
		default:
			break;
		}
	}
	/* GCAP_ID, FSB route, reserved: read-only or nothing there */
}

/* 32-bit accesses at 4-aligned and 64-bit ones at 8-aligned offsets. */
static bool access_ok(uint64_t offset, unsigned len)
{
	if (offset >= HPET_SIZE)
		return false;
	return (len == 4 && (offset & 3) == 0) || (len == 8 && (offset & 7) == 0);
}

uint64_t hpet_mmio_read(struct hpet *h, uint64_t offset, unsigned len, uint64_t now)
{
	uint64_t v;

	if (!access_ok(offset, len))
		return 0;
	now = clamp_now(h, now);
	process(h, now);
	v = reg_read(h, offset & ~7ULL, now);
	if (len == 4)
		v = (v >> ((offset & 4) * 8)) & 0xffffffffULL;
	return v;
}

void hpet_mmio_write(struct hpet *h, uint64_t offset, uint64_t value, unsigned len, uint64_t now)
{
	unsigned shift = (unsigned)(offset & 4) * 8;
	uint64_t mask = UINT64_MAX;

	if (!access_ok(offset, len))
		return;
	now = clamp_now(h, now);
	process(h, now); /* what was due happens under the old settings */
	if (len == 4) {
		mask = 0xffffffffULL << shift;
		value = (value & 0xffffffffULL) << shift;
	}
	reg_write(h, offset & ~7ULL, value, mask, now);
	process(h, now); /* a comparator just set to the counter matches now */
}

uint64_t hpet_next_deadline(const struct hpet *h)
{
	uint64_t best = TIME_NEVER;

	if (!running(h))
		return TIME_NEVER;
	/* Only matches that change an output line count: not those of timers
	 * with the interrupt disabled or unrouted, nor those on a line that
	 * is already high (which covers a level timer whose status is still
	 * set). Their state is caught up on the next access. */
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];
		int line = timer_line(h, n);

		if (!(t->config & HPET_TN_INT_ENB) || line < 0 || (h->lines >> line) & 1)
			continue;
		if (t->deadline_ns < best)
			best = t->deadline_ns;
	}
	return best;
}

void hpet_advance(struct hpet *h, uint64_t now)
{
	process(h, clamp_now(h, now));
}
