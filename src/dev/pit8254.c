/* 8254 programmable interval timer (REQ-PIT-*), written from the Intel 8254
 * datasheet. Requirements and simplifications: docs/requirements/pit.md.
 *
 * Model in one paragraph: nothing ticks. A running counter is a segment
 * (load time, start value, phase); its count and OUT level at any `now` are
 * computed from the clocks elapsed since the absolute load time, so there is
 * no drift and no per-clock work. Every entry point first brings the model to
 * `now` (sync): counts written for the next period are loaded, and if OUT0
 * had a rising edge since the previous call, IRQ0 sees exactly one low->high
 * (several lost periods coalesce into that one edge). */
#include "dev/pit8254.h"

#include <string.h>

#define CTRL_PORT      (PIT_BASE + 3)
#define MAX_BINARY     65536u
#define MAX_BCD        10000u

#define RW_LATCH       0
#define RW_LSB         1
#define RW_MSB         2
#define RW_BOTH        3

#define RB_NO_COUNT    0x20  /* read-back: bit 5 = 0 latches the count */
#define RB_NO_STATUS   0x10  /* read-back: bit 4 = 0 latches the status */

typedef unsigned __int128 u128;

static unsigned eff_mode(const struct pit_channel *c)
{
	return c->mode >= 6 ? c->mode - 4u : c->mode;
}

static bool periodic(const struct pit_channel *c)
{
	return eff_mode(c) == 2 || eff_mode(c) == 3;
}

static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? MAX_BCD : MAX_BINARY;
}

/* Clocks elapsed from `from` to `to`: floor(ns * HZ / 1e9) in 128 bits. The
 * result fits 64 bits for any ns below 2^64. */
static uint64_t ticks_between(uint64_t from, uint64_t to)
{
	if (to <= from)
		return 0;
	return ns_to_ticks(to - from, PIT_HZ);
}

/* First instant at which `k` clocks have elapsed since `origin`, i.e. the
 * least x with ticks_between(origin, x) >= k; TIME_NEVER past 2^64 - 1. */
static uint64_t tick_ns(uint64_t origin, uint64_t k)
{
	u128 ns = ((u128)k * NSEC_PER_SEC + PIT_HZ - 1) / PIT_HZ;

	if (ns >= (u128)(TIME_NEVER - origin))
		return TIME_NEVER;
	return origin + (uint64_t)ns;
}

/* A nibble above 9 is taken as 9, so BCD counts stay within 0..9999. */
static uint32_t bcd_decode(uint16_t raw)
{
	uint32_t v = 0;

	for (int shift = 12; shift >= 0; shift -= 4) {
		uint32_t d = (raw >> shift) & 0xf;

		v = v * 10 + (d > 9 ? 9 : d);
	}
	return v;
}

static uint16_t bcd_encode(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
			  (v / 10 % 10) << 4 | v % 10);
}

/* Counter value -> the 16 bits a read returns (the maximum reads as 0). */
static uint16_t encode(const struct pit_channel *c, uint32_t v)
{
	return c->bcd ? bcd_encode(v % MAX_BCD) : (uint16_t)(v % MAX_BINARY);
}

/* Count and OUT of a running segment at `now`. */
static void run_state(const struct pit_channel *c, uint64_t now, uint32_t *ce, bool *out)
{
	uint64_t t = ticks_between(c->load_ns, now);
	uint32_t s = c->start, m = modulus(c);

	switch (eff_mode(c)) {
	case 2: {
		uint32_t ph = (uint32_t)((t + c->phase) % s);

		/* N..1, OUT low while at 1; the illegal N = 1 reads high (its
		 * one-clock low pulse is taken as zero wide). */
		*ce = s - ph;
		*out = s == 1 || ph != s - 1;
		break;
	}
	case 3: {
		uint32_t ph = (uint32_t)((t + c->phase) % s);
		uint32_t hi = (s + 1) / 2, even = s & ~1u;

		/* High for ceil(N/2) clocks, low for floor(N/2); the count
		 * drops by two per clock from N rounded down to even. */
		*out = ph < hi;
		*ce = even - 2 * (*out ? ph : ph - hi);
		break;
	}
	default: {
		uint32_t tm = (uint32_t)(t % m);

		/* Modes 0, 1, 4, 5 count down from `start` and wrap. */
		*ce = (s + m - tm) % m;
		if (eff_mode(c) == 0)
			*out = c->done || t >= s;
		else if (eff_mode(c) == 1)
			*out = t >= s;
		else if (eff_mode(c) == 4)
			*out = c->done || t != s;
		else
			*out = t != s;
		break;
	}
	}
}

static uint32_t counter_value(const struct pit_channel *c, uint64_t now)
{
	uint32_t ce;
	bool out;

	if (!c->running)
		return c->frozen;
	run_state(c, now, &ce, &out);
	return ce;
}

static bool out_level(const struct pit_channel *c, uint64_t now)
{
	uint32_t ce;
	bool out;

	if (!c->running)
		return c->frozen_out;
	run_state(c, now, &ce, &out);
	return out;
}

static void start_segment(struct pit_channel *c, uint32_t start, uint32_t phase, uint64_t now)
{
	c->running = true;
	c->held = false;
	c->load_ns = now;
	c->start = start;
	c->phase = phase;
	c->pending = 0;
	c->null_count = false;
}

/* Stop counting, holding the count and OUT as they are at `now`. */
static void freeze(struct pit_channel *c, uint64_t now)
{
	uint32_t ce;
	bool out;

	if (!c->running)
		return;
	run_state(c, now, &ce, &out);
	/* Remember a terminal count already passed, so a resume from the held
	 * value does not produce a second one. */
	if (eff_mode(c) == 0)
		c->done = out;
	else if (eff_mode(c) == 4)
		c->done = c->done || ticks_between(c->load_ns, now) >= c->start;
	c->frozen = ce;
	c->frozen_out = out;
	c->running = false;
	c->pending = 0;
}

/* Load a count written for the next period once its time has come
 * (TIME_NEVER: its time lies beyond the 64-bit range, never). */
static void settle(struct pit_channel *c, uint64_t now)
{
	if (c->pending == 0 || now < c->pending_ns || c->pending_ns == TIME_NEVER)
		return;
	c->load_ns = c->pending_ns;
	c->start = c->pending;
	c->phase = c->pending_phase;
	c->pending = 0;
	c->null_count = false;
}

/* Next rising OUT edge of a periodic segment strictly after `x` (>= load). */
static uint64_t seg_next_rise(uint64_t load, uint32_t period, uint32_t phase, uint64_t x)
{
	uint64_t u = ticks_between(load, x) + phase;
	uint64_t k = (u / period + 1) * period;

	return tick_ns(load, k - phase);
}

/* Next time OUT of a settled channel rises strictly after `x`. */
static uint64_t next_rise(const struct pit_channel *c, uint64_t x)
{
	uint64_t t, r;

	if (!c->running)
		return TIME_NEVER;
	t = ticks_between(c->load_ns, x);
	switch (eff_mode(c)) {
	case 0:
	case 1:
		/* Terminal count: OUT goes high and stays high. */
		if ((eff_mode(c) == 0 && c->done) || t >= c->start)
			return TIME_NEVER;
		return tick_ns(c->load_ns, c->start);
	case 4:
	case 5:
		/* End of the one-clock strobe after terminal count. */
		if ((eff_mode(c) == 4 && c->done) || t > c->start)
			return TIME_NEVER;
		return tick_ns(c->load_ns, (uint64_t)c->start + 1);
	default:
		r = seg_next_rise(c->load_ns, c->start, c->phase, x);
		/* A count loaded at a falling boundary (mode 3) rises in the
		 * new segment. */
		if (c->pending != 0 && r > c->pending_ns)
			r = seg_next_rise(c->pending_ns, c->pending, c->pending_phase, c->pending_ns);
		return r;
	}
}

/* A count written while a mode 2/3 counter runs waits for the end of the
 * current period (mode 2) or half-period (mode 3). */
static void schedule_pending(struct pit_channel *c, uint32_t n, uint64_t now)
{
	uint64_t u = ticks_between(c->load_ns, now) + c->phase;
	uint32_t s = c->start, hi = (s + 1) / 2;
	uint64_t ph = u % s, boundary;

	if (eff_mode(c) == 3 && ph < hi && hi < s) {
		boundary = u - ph + hi;         /* high half ends: new count starts low */
		c->pending_phase = ((n + 1) / 2) % n;
	} else {
		boundary = u - ph + s;          /* period ends: new count starts high */
		c->pending_phase = 0;
	}
	c->pending = n;
	c->pending_ns = tick_ns(c->load_ns, boundary - c->phase);
}

/* A complete count `n` (1..max) reached the count register. */
static void load_count(struct pit_channel *c, uint32_t n, uint64_t now)
{
	unsigned m = eff_mode(c);

	c->count = n;
	c->null_count = true;
	switch (m) {
	case 0:
	case 4:
		/* Loaded at once; a running count restarts from n. */
		c->done = false;
		if (c->gate) {
			start_segment(c, n, 0, now);
		} else {
			c->running = false;
			c->held = true;
			c->frozen = n % modulus(c);
			c->frozen_out = m == 4;
			c->null_count = false;
		}
		break;
	case 1:
	case 5:
		/* Loaded by the next GATE rising edge. */
		break;
	default:
		if (c->running) {
			schedule_pending(c, n, now);
		} else if (c->gate) {
			start_segment(c, n, 0, now);
		} else {
			/* GATE low: loaded, OUT held high, starts on a rising edge. */
			c->frozen = n;
			c->frozen_out = true;
			c->null_count = false;
		}
		break;
	}
}

static void write_count(struct pit_channel *c, uint8_t v, uint64_t now)
{
	uint16_t raw;

	c->null_count = true;
	if (c->rw == RW_LSB) {
		raw = v;
	} else if (c->rw == RW_MSB) {
		raw = (uint16_t)(v << 8);
	} else if (!c->write_msb) {
		c->write_lsb = v;
		c->write_msb = true;
		/* Mode 0: the first byte stops counting and drops OUT at once. */
		if (eff_mode(c) == 0) {
			freeze(c, now);
			c->held = false;
			c->frozen_out = false;
		}
		return;
	} else {
		c->write_msb = false;
		raw = (uint16_t)(c->write_lsb | v << 8);
	}
	{
		uint32_t n = c->bcd ? bcd_decode(raw) : raw;

		load_count(c, n == 0 ? modulus(c) : n, now);
	}
}

static void set_gate(struct pit_channel *c, bool level, uint64_t now)
{
	if (level == c->gate)
		return;
	c->gate = level;
	switch (eff_mode(c)) {
	case 0:
	case 4:
		/* Low pauses counting, high resumes from the held value. */
		if (!level && c->running) {
			freeze(c, now);
			c->held = true;
		} else if (level && c->held) {
			start_segment(c, c->frozen != 0 ? c->frozen : modulus(c), 0, now);
		}
		break;
	case 1:
	case 5:
		/* A rising edge (re)loads the count and starts the one-shot. */
		if (level && c->count != 0) {
			start_segment(c, c->count, 0, now);
			c->done = false;
		}
		break;
	default:
		/* Low stops counting and forces OUT high; a rising edge
		 * reloads the latest count and starts a new period. */
		if (!level) {
			freeze(c, now);
			c->frozen_out = true;
		} else if (c->count != 0) {
			start_segment(c, c->count, 0, now);
		}
		break;
	}
}

static void control_word(struct pit_channel *c, uint8_t v, uint64_t now)
{
	/* The counter holds its value; counting waits for a new count. */
	freeze(c, now);
	c->mode = (v >> 1) & 7;
	c->rw = (v >> 4) & 3;
	c->bcd = (v & 1) != 0;
	c->write_msb = false;
	c->read_msb = false;
	c->count = 0;
	c->null_count = true;
	c->latched_bytes = 0;      /* reprogramming releases the latches */
	c->status_latched = false;
	c->running = false;
	c->held = false;
	c->done = false;
	c->pending = 0;
	c->frozen_out = eff_mode(c) != 0;
}

static void latch_count(struct pit_channel *c, uint64_t now)
{
	/* A value already latched stays until read. */
	if (c->latched_bytes != 0)
		return;
	c->latched_count = encode(c, counter_value(c, now));
	c->latched_bytes = c->rw == RW_BOTH ? 2 : 1;
}

static uint8_t status_byte(const struct pit_channel *c, uint64_t now)
{
	return (uint8_t)((out_level(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			 c->rw << 4 | c->mode << 1 | (c->bcd ? 1 : 0));
}

static void read_back(struct pit *p, uint8_t v, uint64_t now)
{
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		struct pit_channel *c = &p->ch[i];

		if (!(v & (2u << i)))
			continue;
		if (!(v & RB_NO_COUNT))
			latch_count(c, now);
		if (!(v & RB_NO_STATUS) && !c->status_latched) {
			c->latched_status = status_byte(c, now);
			c->status_latched = true;
		}
	}
}

static uint8_t read_data(struct pit_channel *c, uint64_t now)
{
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->latched_status;
	}
	if (c->latched_bytes != 0) {
		v = c->latched_count;
		c->latched_bytes--;
	} else {
		/* Unlatched: each byte is taken from the live count. */
		v = encode(c, counter_value(c, now));
	}
	if (c->rw == RW_BOTH) {
		msb = c->read_msb;
		c->read_msb = !c->read_msb;
	} else {
		msb = c->rw == RW_MSB;
	}
	return (uint8_t)(msb ? v >> 8 : v & 0xff);
}

/* Make IRQ0 show OUT0 at `now`: first one low->high if OUT0 rose since the
 * previous call (all lost periods coalesced into it), then the level. */
static void update_irq(struct pit *p, uint64_t now, bool rose)
{
	bool out = out_level(&p->ch[0], now);

	if (rose) {
		if (p->irq0_level)
			irq_line_set(&p->irq0, false);
		irq_line_set(&p->irq0, true);
		p->irq0_level = true;
	}
	if (out != p->irq0_level) {
		irq_line_set(&p->irq0, out);
		p->irq0_level = out;
	}
	p->next_irq_ns = next_rise(&p->ch[0], now);
}

/* Bring the model to `now` (never backwards); returns the time used. */
static uint64_t sync(struct pit *p, uint64_t now)
{
	bool rose;

	if (now < p->last_ns)
		now = p->last_ns;
	p->last_ns = now;
	for (unsigned i = 0; i < PIT_CHANNELS; i++)
		settle(&p->ch[i], now);
	rose = p->next_irq_ns != TIME_NEVER && p->next_irq_ns <= now;
	update_irq(p, now, rose);
	return now;
}

void pit_init(struct pit *p, struct irq_line irq0, uint64_t now)
{
	memset(p, 0, sizeof(*p));
	p->irq0 = irq0;
	p->last_ns = now;
	p->next_irq_ns = TIME_NEVER;
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		struct pit_channel *c = &p->ch[i];

		/* Gates 0 and 1 are tied high; gate 2 follows port 0x61 bit 0. */
		c->gate = i != 2;
		control_word(c, RW_BOTH << 4, now);
	}
}

uint8_t pit_io_read(struct pit *p, uint16_t port, uint64_t now)
{
	uint8_t v;

	if (port != PIT_PORT_61 && (port < PIT_BASE || port >= CTRL_PORT))
		return 0xff;    /* 0x43 is write-only; others are not ours */
	now = sync(p, now);
	if (port != PIT_PORT_61)
		return read_data(&p->ch[port - PIT_BASE], now);
	v = p->port61 & 3;
	if ((now / PIT_REFRESH_NS) & 1)
		v |= 0x10;
	if (out_level(&p->ch[2], now))
		v |= 0x20;
	return v;
}

void pit_io_write(struct pit *p, uint16_t port, uint8_t value, uint64_t now)
{
	if (port != PIT_PORT_61 && (port < PIT_BASE || port > CTRL_PORT))
		return;
	now = sync(p, now);
	if (port == PIT_PORT_61) {
		p->port61 = value & 3;
		set_gate(&p->ch[2], (value & 1) != 0, now);
	} else if (port != CTRL_PORT) {
		write_count(&p->ch[port - PIT_BASE], value, now);
	} else if ((value >> 6) == 3) {
		read_back(p, value, now);
	} else if (((value >> 4) & 3) == RW_LATCH) {
		latch_count(&p->ch[value >> 6], now);
	} else {
		control_word(&p->ch[value >> 6], value, now);
	}
	update_irq(p, now, false);
}

uint64_t pit_next_deadline(const struct pit *p)
{
	return p->next_irq_ns;
}

void pit_advance(struct pit *p, uint64_t now)
{
	sync(p, now);
}

uint64_t pit_channel_period_ns(const struct pit *p, unsigned ch)
{
	const struct pit_channel *c;

	if (ch >= PIT_CHANNELS)
		return 0;
	c = &p->ch[ch];
	if (!periodic(c) || c->count == 0)
		return 0;
	return (uint64_t)(((u128)c->count * NSEC_PER_SEC + PIT_HZ / 2) / PIT_HZ);
}

bool pit_channel_out(const struct pit *p, unsigned ch, uint64_t now)
{
	struct pit_channel c;

	if (ch >= PIT_CHANNELS)
		return false;
	c = p->ch[ch];
	if (now < p->last_ns)
		now = p->last_ns;
	settle(&c, now);
	return out_level(&c, now);
}

uint64_t pit_channel_next_rise(const struct pit *p, unsigned ch, uint64_t now)
{
	struct pit_channel c;

	if (ch >= PIT_CHANNELS)
		return TIME_NEVER;
	c = p->ch[ch];
	if (now < p->last_ns)
		now = p->last_ns;
	settle(&c, now);
	return next_rise(&c, now);
}
