/* Local APIC model (REQ-LAPIC-*), written from the Intel SDM vol. 3,
 * chapter "Advanced Programmable Interrupt Controller". Requirements and
 * design choices: docs/requirements/lapic.md.
 *
 * The same register code serves both interfaces: a register index is the
 * xAPIC MMIO offset / 16, which is also the x2APIC MSR number - 0x800.
 * Every entry point that receives `now` first catches the timer up to it,
 * so a guest never sees a count of 0 without the expiry having happened. */
#include "dev/lapic.h"

#include <stdio.h>
#include <string.h>

/* Register indexes (offset / 16). */
enum {
	R_ID = 0x02, R_VER = 0x03, R_TPR = 0x08, R_APR = 0x09, R_PPR = 0x0a,
	R_EOI = 0x0b, R_RRD = 0x0c, R_LDR = 0x0d, R_DFR = 0x0e, R_SVR = 0x0f,
	R_ISR = 0x10, R_TMR = 0x18, R_IRR = 0x20, R_ESR = 0x28, R_CMCI = 0x2f,
	R_ICR_LO = 0x30, R_ICR_HI = 0x31, R_LVT_TIMER = 0x32, R_LVT_ERROR = 0x37,
	R_TIMER_ICR = 0x38, R_TIMER_CCR = 0x39, R_TIMER_DCR = 0x3e, R_SELF_IPI = 0x3f,
	R_COUNT = 0x40,
};

/* Outcome of a register access, mapped to ESR (MMIO) or #GP (MSR). */
enum reg_rc { REG_OK, REG_READONLY, REG_ABSENT, REG_GP };

#define APIC_BASE_RESERVED (~(APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE | APIC_BASE_X2APIC | \
			      APIC_BASE_BSP))

/* Writable bits per LVT (SDM figure "Local Vector Table"): delivery
 * status (bit 12) and remote IRR (bit 14) are read-only. */
static const uint32_t lvt_mask[LAPIC_LVT_COUNT] = {
	[LAPIC_LVT_CMCI] = 0x000107ff,    /* vector, delivery mode, mask */
	[LAPIC_LVT_TIMER] = 0x000700ff,   /* vector, mask, timer mode 18:17 */
	[LAPIC_LVT_THERMAL] = 0x000107ff,
	[LAPIC_LVT_PERF] = 0x000107ff,
	[LAPIC_LVT_LINT0] = 0x0001a7ff,   /* + polarity 13, trigger 15 */
	[LAPIC_LVT_LINT1] = 0x0001a7ff,
	[LAPIC_LVT_ERROR] = 0x000100ff,   /* vector, mask */
};

#define ICR_LO_MASK   0x000ccfffu  /* vector, mode, dest mode, level, trigger, shorthand */
#define SVR_MASK      0x000001ffu  /* vector, enable; focus/EOI suppression not offered */
#define DCR_MASK      0x0000000bu
#define TIMER_MODE(lvt) (((lvt) >> 17) & 3u)

/* ---- small helpers ---------------------------------------------------- */

static bool vec_test(const uint32_t *r, unsigned v)
{
	return (r[v >> 5] >> (v & 31)) & 1u;
}

static void vec_set(uint32_t *r, unsigned v)
{
	r[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(uint32_t *r, unsigned v)
{
	r[v >> 5] &= ~(1u << (v & 31));
}

/* Highest set bit of a 256-bit register, -1 if none. */
static int vec_highest(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--) {
		if (r[i] != 0)
			return i * 32 + 31 - __builtin_clz(r[i]);
	}
	return -1;
}

/* a + b, or TIME_NEVER when that is not representable (year 2554). */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b >= TIME_NEVER - a ? TIME_NEVER : a + b;
}

bool lapic_hw_enabled(const struct lapic *l)
{
	return (l->apic_base & APIC_BASE_ENABLE) != 0;
}

bool lapic_sw_enabled(const struct lapic *l)
{
	return (l->svr & LAPIC_SVR_ENABLE) != 0;
}

bool lapic_x2apic(const struct lapic *l)
{
	return lapic_hw_enabled(l) && (l->apic_base & APIC_BASE_X2APIC) != 0;
}

static bool xapic_mode(const struct lapic *l)
{
	return lapic_hw_enabled(l) && !(l->apic_base & APIC_BASE_X2APIC);
}

uint64_t lapic_mmio_base(const struct lapic *l)
{
	return l->apic_base & APIC_BASE_ADDR_MASK;
}

static uint32_t x2apic_ldr(const struct lapic *l)
{
	/* Cluster = x2APIC ID bits 19:4, one bit per ID bits 3:0. */
	return ((l->id >> 4) & 0xffffu) << 16 | 1u << (l->id & 15);
}

static uint32_t ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

uint32_t lapic_arb_priority(const struct lapic *l)
{
	int isrv = vec_highest(l->isr), irrv = vec_highest(l->irr);
	uint32_t tc = l->tpr & 0xf0;
	uint32_t sc = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	uint32_t rc = irrv < 0 ? 0 : (uint32_t)irrv & 0xf0;
	uint32_t m = tc;

	/* SDM APR: TPR when it dominates both, else the highest class. */
	if (tc >= rc && tc > sc)
		return l->tpr;
	if (sc > m)
		m = sc;
	if (rc > m)
		m = rc;
	return m;
}

/* ---- errors and acceptance ----------------------------------------------- */

/* Record an error; raise the error LVT's interrupt when unmasked. An error
 * LVT holding an illegal vector only records "received illegal vector",
 * so errors can never recurse. */
static void apic_error(struct lapic *l, uint32_t bit)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_ERROR];
	unsigned v = lvt & 0xff;

	l->esr_pending |= bit;
	if (lvt & LAPIC_LVT_MASKED)
		return;
	if (v < 16) {
		l->esr_pending |= LAPIC_ESR_RECV_ILLEGAL_VECTOR;
		return;
	}
	vec_set(l->irr, v);
	vec_clear(l->tmr, v);
}

/* Fixed interrupt into IRR. Returns whether it was taken. */
static bool accept(struct lapic *l, unsigned vector, bool level)
{
	if (!lapic_hw_enabled(l) || !lapic_sw_enabled(l))
		return false;   /* a disabled APIC discards fixed interrupts */
	if (vector < 16) {
		apic_error(l, LAPIC_ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	return true;
}

void lapic_accept(struct lapic *l, uint8_t vector, bool level)
{
	accept(l, vector, level);
}

void lapic_describe(const struct lapic *l, uint64_t now, char *buf, size_t len)
{
	char when[40];

	if (l->timer_deadline_ns == TIME_NEVER)
		snprintf(when, sizeof(when), "not armed");
	else if (l->timer_deadline_ns >= now)
		snprintf(when, sizeof(when), "in %llu us",
			 (unsigned long long)((l->timer_deadline_ns - now) / 1000));
	else
		snprintf(when, sizeof(when), "%llu us overdue",
			 (unsigned long long)((now - l->timer_deadline_ns) / 1000));
	snprintf(buf, len,
		 "apic id %u%s: irr %d isr %d tpr 0x%x svr 0x%x lvt-timer 0x%x icr %u "
		 "tsc-deadline 0x%llx, timer %s",
		 l->id, lapic_x2apic(l) ? " (x2apic)" : "", vec_highest(l->irr),
		 vec_highest(l->isr), l->tpr, l->svr, l->lvt[LAPIC_LVT_TIMER], l->timer_icr,
		 (unsigned long long)l->tsc_deadline, when);
}

int lapic_pending_vector(const struct lapic *l)
{
	int v;

	if (!lapic_hw_enabled(l))
		return -1;
	v = vec_highest(l->irr);
	if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return v;
}

void lapic_ack(struct lapic *l, uint8_t vector)
{
	if (!vec_test(l->irr, vector))
		return;
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

static void deliver_init(struct lapic *l)
{
	l->init_pending = true;
	l->wait_sipi = true;
}

void lapic_deliver(struct lapic *l, const struct apic_msg *m)
{
	if (!lapic_hw_enabled(l))
		return;
	switch (m->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		accept(l, m->vector, m->level);
		break;
	case APIC_DM_NMI:
		l->nmi_pending = true;
		break;
	case APIC_DM_INIT:
		deliver_init(l);
		break;
	case APIC_DM_SIPI:
		/* Only a processor waiting for SIPI takes one; later SIPIs of an
		 * INIT-SIPI-SIPI sequence are ignored. */
		if (l->wait_sipi) {
			l->wait_sipi = false;
			l->sipi_pending = true;
			l->sipi_vector = m->vector;
		}
		break;
	case APIC_DM_EXTINT:
		l->extint_pending = true;
		break;
	case APIC_DM_SMI:       /* no SMM in keel */
	default:                /* reserved modes */
		break;
	}
}

/* ---- LINT pins ----------------------------------------------------------- */

/* Is `pin` currently acting as an ExtINT (INTR) input? With the APIC
 * globally disabled, LINT0 is the processor's INTR pin. */
static bool lint_extint(const struct lapic *l, unsigned pin)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_LINT0 + pin];

	if (!lapic_hw_enabled(l))
		return pin == 0;
	return !(lvt & LAPIC_LVT_MASKED) && ((lvt >> 8) & 7) == APIC_DM_EXTINT;
}

/* Re-derive extint_pending from the pins after a pin or configuration
 * change; `was` says whether a pin acted as ExtINT before the change. */
static void lint_refresh_extint(struct lapic *l, bool was)
{
	bool any = false, level = false;

	for (unsigned pin = 0; pin < 2; pin++) {
		if (lint_extint(l, pin)) {
			any = true;
			level = level || l->lint_level[pin];
		}
	}
	if (any || was)
		l->extint_pending = level;
}

static bool any_lint_extint(const struct lapic *l)
{
	return lint_extint(l, 0) || lint_extint(l, 1);
}

/* Vectored and edge-triggered LINT events. `rising` is a 0->1 change of
 * the pin; level-triggered fixed LINT0 is also (re)checked without one. */
static void lint_eval(struct lapic *l, unsigned pin, bool rising)
{
	uint32_t *lvt = &l->lvt[LAPIC_LVT_LINT0 + pin];

	if (!lapic_hw_enabled(l)) {
		if (pin == 1 && rising)
			l->nmi_pending = true;  /* LINT1 is the NMI pin */
		return;
	}
	if (*lvt & LAPIC_LVT_MASKED)
		return;
	switch ((*lvt >> 8) & 7) {
	case APIC_DM_FIXED:
		/* Level trigger exists on LINT0 only (SDM: LINT1 is edge). */
		if (pin == 0 && (*lvt & LAPIC_LVT_LEVEL)) {
			if (l->lint_level[0] && !(*lvt & LAPIC_LVT_REMOTE_IRR) &&
			    accept(l, *lvt & 0xff, true))
				*lvt |= LAPIC_LVT_REMOTE_IRR;
		} else if (rising) {
			accept(l, *lvt & 0xff, false);
		}
		break;
	case APIC_DM_NMI:
		if (rising)
			l->nmi_pending = true;
		break;
	case APIC_DM_INIT:
		if (rising)
			deliver_init(l);
		break;
	default:        /* ExtINT: lint_refresh_extint; SMI, reserved: ignored */
		break;
	}
}

void lapic_set_lint(struct lapic *l, unsigned pin, bool level)
{
	bool rising, was;

	if (pin > 1)
		return;
	was = any_lint_extint(l);
	rising = level && !l->lint_level[pin];
	l->lint_level[pin] = level;
	lint_refresh_extint(l, was);
	lint_eval(l, pin, rising);
}

/* ---- destination matching ------------------------------------------------ */

bool lapic_match_dest(const struct lapic *l, uint32_t dest, bool logical)
{
	uint32_t ldr;

	if (!lapic_hw_enabled(l))
		return false;
	if (lapic_x2apic(l)) {
		if (dest == 0xffffffffu)
			return true;
		if (!logical)
			return dest == l->id;
		ldr = x2apic_ldr(l);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff) != 0;
	}
	/* xAPIC: 8-bit destinations; 0xff (and the x2APIC broadcast) reach all. */
	if (dest == 0xff || dest == 0xffffffffu)
		return true;
	if (dest > 0xff)
		return false;
	if (!logical)
		return dest == l->xapic_id;
	ldr = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xf)      /* flat model */
		return (ldr & dest) != 0;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf) != 0;   /* cluster */
}

/* ---- timer ----------------------------------------------------------------- */

static unsigned timer_mode(const struct lapic *l)
{
	return TIMER_MODE(l->lvt[LAPIC_LVT_TIMER]);
}

static bool tsc_mode(const struct lapic *l)
{
	return timer_mode(l) == 2;
}

/* DCR bits 3,1,0: 000 -> 2, 001 -> 4, ..., 110 -> 128, 111 -> 1. */
static uint64_t timer_div(const struct lapic *l)
{
	unsigned v = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);

	return 1ULL << ((v + 1) & 7);
}

/* ns per count at LAPIC_TIMER_HZ: the divisor itself (1 GHz input). */
static void timer_load(struct lapic *l, uint64_t now, uint64_t count)
{
	uint64_t div = timer_div(l);

	l->timer_period_ns = (uint64_t)l->timer_icr * div;
	l->timer_deadline_ns = count == 0 ? TIME_NEVER : sat_add(now, count * div);
}

/* Current count: counts left to the deadline, rounded up, never above the
 * initial count. Called only after timer_run(now), so an armed deadline
 * is ahead of `now`. */
static uint32_t timer_ccr(const struct lapic *l, uint64_t now)
{
	uint64_t div = timer_div(l), cnt;

	if (tsc_mode(l) || l->timer_deadline_ns == TIME_NEVER)
		return 0;
	cnt = (l->timer_deadline_ns - now - 1) / div + 1;
	return cnt > l->timer_icr ? l->timer_icr : (uint32_t)cnt;
}

/* Guest TSC value -> first ns at which the guest TSC reaches it. */
static uint64_t tsc_to_ns(const struct lapic *l, uint64_t tsc)
{
	__int128 diff = (__int128)tsc - l->tsc_base;
	unsigned __int128 ns;

	if (diff <= 0)
		return 0;
	if (l->tsc_khz == 0)
		return TIME_NEVER;      /* a stopped TSC never gets there */
	ns = ((unsigned __int128)diff * 1000000u + l->tsc_khz - 1) / l->tsc_khz;
	return ns >= TIME_NEVER ? TIME_NEVER : (uint64_t)ns;
}

static void timer_fire(struct lapic *l)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_TIMER];

	if (!(lvt & LAPIC_LVT_MASKED))
		accept(l, lvt & 0xff, false);
}

/* Process an expiry due at `now`. Periodic catch-up is arithmetic: all
 * periods missed up to `now` coalesce into one interrupt, and the next
 * deadline stays on the grid first_expiry + k * period. Invariant: outside
 * TSC-deadline mode an armed timer has timer_icr != 0, so the period
 * (timer_icr x divisor) is at least 1. */
static void timer_run(struct lapic *l, uint64_t now)
{
	uint64_t d = l->timer_deadline_ns;

	if (d == TIME_NEVER || now < d)
		return;
	if (tsc_mode(l)) {
		l->tsc_deadline = 0;
		l->timer_deadline_ns = TIME_NEVER;
	} else if (timer_mode(l) == 1) {
		uint64_t missed = (now - d) / l->timer_period_ns;

		l->timer_deadline_ns = sat_add(d + missed * l->timer_period_ns, l->timer_period_ns);
	} else {
		l->timer_deadline_ns = TIME_NEVER;  /* one-shot (and reserved mode 11) */
	}
	timer_fire(l);
}

static void timer_notify(struct lapic *l, uint64_t before)
{
	if (l->timer_deadline_ns != before && l->ops != NULL && l->ops->timer_changed != NULL)
		l->ops->timer_changed(l->ops->opaque, l);
}

uint64_t lapic_timer_deadline(const struct lapic *l)
{
	return l->timer_deadline_ns;
}

void lapic_timer_advance(struct lapic *l, uint64_t now)
{
	uint64_t before = l->timer_deadline_ns;

	timer_run(l, now);
	timer_notify(l, before);
}

static void write_tsc_deadline(struct lapic *l, uint64_t value)
{
	if (!tsc_mode(l))
		return;         /* SDM: ignored outside TSC-deadline mode */
	l->tsc_deadline = value;
	l->timer_deadline_ns = value == 0 ? TIME_NEVER : tsc_to_ns(l, value);
}

void lapic_set_tsc(struct lapic *l, uint64_t tsc_khz, int64_t tsc_base, uint64_t now)
{
	uint64_t before = l->timer_deadline_ns;

	timer_run(l, now);
	l->tsc_khz = tsc_khz;
	l->tsc_base = tsc_base;
	if (tsc_mode(l) && l->tsc_deadline != 0)
		l->timer_deadline_ns = tsc_to_ns(l, l->tsc_deadline);
	timer_notify(l, before);
}

/* ---- reset ------------------------------------------------------------------ */

/* Register state after power-on or INIT (SDM "Local APIC State After
 * Power-Up or Reset"): ID and APIC_BASE are the caller's business. */
static void regs_reset(struct lapic *l)
{
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = 0;
	l->esr_pending = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	l->timer_icr = 0;
	l->timer_dcr = 0;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->tsc_deadline = 0;
	l->timer_deadline_ns = TIME_NEVER;
	l->timer_period_ns = 0;
}

void lapic_reset(struct lapic *l, bool init_only)
{
	uint64_t before = l->timer_deadline_ns;
	bool was = any_lint_extint(l);

	regs_reset(l);
	/* The INIT being handled and events latched before it are consumed;
	 * SIPI state is kept so a SIPI that raced ahead of the owner's INIT
	 * handling is neither lost nor taken twice. */
	l->init_pending = false;
	l->nmi_pending = false;
	l->extint_pending = false;
	if (!init_only) {
		bool bsp = (l->apic_base & APIC_BASE_BSP) != 0;

		l->apic_base = LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
		l->xapic_id = (uint8_t)l->id;
		l->wait_sipi = !bsp;    /* APs power up waiting for SIPI */
		l->sipi_pending = false;
		l->sipi_vector = 0;
		was = false;
	}
	lint_refresh_extint(l, was);
	timer_notify(l, before);
}

void lapic_init(struct lapic *l, uint32_t id, bool bsp, const struct lapic_ops *ops,
		uint64_t tsc_khz, int64_t tsc_base)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->apic_base = bsp ? APIC_BASE_BSP : 0;
	l->tsc_khz = tsc_khz;
	l->tsc_base = tsc_base;
	l->timer_deadline_ns = TIME_NEVER;
	lapic_reset(l, false);
	l->ops = ops;   /* set last: no callback during init */
}

/* ---- IPIs -------------------------------------------------------------------- */

static void send_ipi(struct lapic *l)
{
	uint32_t lo = l->icr_lo;
	unsigned dm = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
	struct apic_msg m = {
		.vector = (uint8_t)lo,
		.delivery = (enum apic_delivery)dm,
		.logical = (lo & LAPIC_ICR_LOGICAL) != 0,
		.dest = lapic_x2apic(l) ? l->icr_hi : l->icr_hi >> 24,
		.level = false, /* SDM: IPIs other than INIT de-assert are edge */
	};

	switch (dm) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (m.vector < 16) {
			apic_error(l, LAPIC_ESR_SEND_ILLEGAL_VECTOR);
			return;
		}
		break;
	case APIC_DM_INIT:
		/* INIT level de-assert only synchronises arbitration IDs. */
		if ((lo & LAPIC_ICR_LEVEL) && !(lo & LAPIC_ICR_ASSERT))
			return;
		break;
	case APIC_DM_NMI:
	case APIC_DM_SIPI:
		break;
	default:        /* SMI (no SMM), reserved 3 and 7 (ExtINT is not an IPI) */
		return;
	}
	if (l->ops != NULL && l->ops->send_ipi != NULL)
		l->ops->send_ipi(l->ops->opaque, l, &m, shorthand);
}

/* ---- EOI ---------------------------------------------------------------------- */

static void eoi(struct lapic *l)
{
	uint32_t *lint0 = &l->lvt[LAPIC_LVT_LINT0];
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (unsigned)v);
	if (!vec_test(l->tmr, (unsigned)v))
		return;
	/* A level-triggered LINT0 waits for this EOI (remote IRR). */
	if ((*lint0 & LAPIC_LVT_REMOTE_IRR) && (*lint0 & 0xff) == (uint32_t)v) {
		*lint0 &= ~LAPIC_LVT_REMOTE_IRR;
		lint_eval(l, 0, false);
	}
	if (l->ops != NULL && l->ops->eoi_broadcast != NULL)
		l->ops->eoi_broadcast(l->ops->opaque, (uint8_t)v);
}

/* ---- register file ------------------------------------------------------------ */

static enum reg_rc reg_read(struct lapic *l, unsigned r, bool x2, uint64_t now, uint64_t *val)
{
	*val = 0;
	switch (r) {
	case R_ID:
		*val = x2 ? l->id : (uint32_t)l->xapic_id << 24;
		return REG_OK;
	case R_VER:
		*val = LAPIC_VERSION;
		return REG_OK;
	case R_TPR:
		*val = l->tpr;
		return REG_OK;
	case R_APR:
		if (x2)
			return REG_ABSENT;
		*val = lapic_arb_priority(l);
		return REG_OK;
	case R_PPR:
		*val = ppr(l);
		return REG_OK;
	case R_EOI:     /* write-only: xAPIC reads 0, x2APIC #GP */
		return x2 ? REG_GP : REG_OK;
	case R_RRD:     /* remote read is not offered: reads 0 */
		return x2 ? REG_ABSENT : REG_OK;
	case R_LDR:
		*val = x2 ? x2apic_ldr(l) : l->ldr;
		return REG_OK;
	case R_DFR:
		if (x2)
			return REG_ABSENT;
		*val = l->dfr;
		return REG_OK;
	case R_SVR:
		*val = l->svr;
		return REG_OK;
	case R_ESR:
		*val = l->esr;
		return REG_OK;
	case R_ICR_LO:
		*val = x2 ? (uint64_t)l->icr_hi << 32 | l->icr_lo : l->icr_lo;
		return REG_OK;
	case R_ICR_HI:
		if (x2)
			return REG_ABSENT;
		*val = l->icr_hi;
		return REG_OK;
	case R_TIMER_ICR:
		*val = l->timer_icr;
		return REG_OK;
	case R_TIMER_CCR:
		*val = timer_ccr(l, now);
		return REG_OK;
	case R_TIMER_DCR:
		*val = l->timer_dcr;
		return REG_OK;
	case R_SELF_IPI:
		return x2 ? REG_GP : REG_ABSENT;
	default:
		break;
	}
	if (r >= R_ISR && r < R_ISR + 8) {
		*val = l->isr[r - R_ISR];
		return REG_OK;
	}
	if (r >= R_TMR && r < R_TMR + 8) {
		*val = l->tmr[r - R_TMR];
		return REG_OK;
	}
	if (r >= R_IRR && r < R_IRR + 8) {
		*val = l->irr[r - R_IRR];
		return REG_OK;
	}
	if (r == R_CMCI || (r >= R_LVT_TIMER && r <= R_LVT_ERROR)) {
		*val = l->lvt[r == R_CMCI ? LAPIC_LVT_CMCI : r - R_LVT_TIMER + LAPIC_LVT_TIMER];
		return REG_OK;
	}
	return REG_ABSENT;
}

static void write_svr(struct lapic *l, uint32_t v)
{
	bool was = any_lint_extint(l);

	l->svr = v & SVR_MASK;
	if (!lapic_sw_enabled(l)) {
		/* Software disable masks every LVT (SDM). */
		for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
			l->lvt[i] |= LAPIC_LVT_MASKED;
	}
	lint_refresh_extint(l, was);
}

static void write_lvt(struct lapic *l, unsigned i, uint32_t v)
{
	uint32_t old = l->lvt[i];
	bool was = any_lint_extint(l);

	v &= lvt_mask[i];
	if (!lapic_sw_enabled(l))
		v |= LAPIC_LVT_MASKED;  /* cannot be unmasked while disabled */
	if ((i == LAPIC_LVT_LINT0 || i == LAPIC_LVT_LINT1) && (v & LAPIC_LVT_LEVEL))
		v |= old & LAPIC_LVT_REMOTE_IRR;
	l->lvt[i] = v;
	if (i == LAPIC_LVT_TIMER && (TIMER_MODE(old) == 2) != (TIMER_MODE(v) == 2)) {
		/* Entering or leaving TSC-deadline mode disarms the timer. */
		l->tsc_deadline = 0;
		l->timer_deadline_ns = TIME_NEVER;
	}
	if (i == LAPIC_LVT_LINT0 || i == LAPIC_LVT_LINT1) {
		lint_refresh_extint(l, was);
		lint_eval(l, i - LAPIC_LVT_LINT0, false);
	}
}

static void write_dcr(struct lapic *l, uint32_t v, uint64_t now)
{
	/* The count keeps its value and continues at the new rate. */
	uint32_t cnt = timer_ccr(l, now);

	l->timer_dcr = v & DCR_MASK;
	if (tsc_mode(l) || l->timer_deadline_ns == TIME_NEVER)
		l->timer_period_ns = (uint64_t)l->timer_icr * timer_div(l);
	else
		timer_load(l, now, cnt);
}

static enum reg_rc reg_write(struct lapic *l, unsigned r, uint64_t v, bool x2, uint64_t now)
{
	uint32_t v32 = (uint32_t)v;
	uint64_t ignored;

	/* x2APIC: bits 63:32 of every register but the ICR are reserved. */
	if (x2 && r != R_ICR_LO && (v >> 32) != 0)
		return REG_GP;
	switch (r) {
	case R_ID:
		if (x2)
			return REG_READONLY;
		l->xapic_id = (uint8_t)(v32 >> 24);
		return REG_OK;
	case R_TPR:
		l->tpr = v32 & 0xff;
		return REG_OK;
	case R_EOI:
		if (x2 && v32 != 0)
			return REG_GP;
		eoi(l);
		return REG_OK;
	case R_LDR:
		if (x2)
			return REG_READONLY;
		l->ldr = v32 & 0xff000000u;
		return REG_OK;
	case R_DFR:
		if (x2)
			return REG_ABSENT;
		l->dfr = (v32 & 0xf0000000u) | 0x0fffffffu;
		return REG_OK;
	case R_SVR:
		write_svr(l, v32);
		return REG_OK;
	case R_ESR:
		if (x2 && v32 != 0)
			return REG_GP;
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return REG_OK;
	case R_ICR_LO:
		l->icr_lo = v32 & ICR_LO_MASK;
		if (x2)
			l->icr_hi = (uint32_t)(v >> 32);
		send_ipi(l);
		return REG_OK;
	case R_ICR_HI:
		if (x2)
			return REG_ABSENT;
		l->icr_hi = v32 & 0xff000000u;
		return REG_OK;
	case R_TIMER_ICR:
		if (!tsc_mode(l)) {     /* SDM: ignored in TSC-deadline mode */
			l->timer_icr = v32;
			timer_load(l, now, v32);
		}
		return REG_OK;
	case R_TIMER_DCR:
		write_dcr(l, v32, now);
		return REG_OK;
	case R_SELF_IPI:
		if (!x2)
			return REG_ABSENT;
		if ((v32 & 0xff) < 16)
			apic_error(l, LAPIC_ESR_SEND_ILLEGAL_VECTOR);
		else
			accept(l, v32 & 0xff, false);
		return REG_OK;
	case R_CMCI:
		write_lvt(l, LAPIC_LVT_CMCI, v32);
		return REG_OK;
	default:
		break;
	}
	if (r >= R_LVT_TIMER && r <= R_LVT_ERROR) {
		write_lvt(l, r - R_LVT_TIMER + LAPIC_LVT_TIMER, v32);
		return REG_OK;
	}
	/* What is left is read-only (VER, APR, PPR, RRD, ISR, TMR, IRR, CCR:
	 * present if readable in this mode) or absent. */
	return reg_read(l, r, x2, now, &ignored) == REG_OK ? REG_READONLY : REG_ABSENT;
}

/* ---- MMIO ------------------------------------------------------------------------ */

uint32_t lapic_mmio_read(struct lapic *l, uint64_t offset, uint64_t now)
{
	uint64_t before = l->timer_deadline_ns, val = 0;

	timer_run(l, now);
	/* Outside xAPIC mode the page behaves as a disabled APIC: reads 0. */
	if (xapic_mode(l) && offset < LAPIC_SIZE && (offset & 0xf) == 0 &&
	    reg_read(l, (unsigned)(offset >> 4), false, now, &val) == REG_ABSENT)
		apic_error(l, LAPIC_ESR_ILLEGAL_REGISTER);
	timer_notify(l, before);
	return (uint32_t)val;
}

void lapic_mmio_write(struct lapic *l, uint64_t offset, uint32_t value, uint64_t now)
{
	uint64_t before = l->timer_deadline_ns;

	timer_run(l, now);
	if (xapic_mode(l) && offset < LAPIC_SIZE && (offset & 0xf) == 0 &&
	    reg_write(l, (unsigned)(offset >> 4), value, false, now) == REG_ABSENT)
		apic_error(l, LAPIC_ESR_ILLEGAL_REGISTER);
	timer_notify(l, before);
}

/* ---- MSRs ---------------------------------------------------------------------- */

static int write_apic_base(struct lapic *l, uint64_t v)
{
	bool en = (v & APIC_BASE_ENABLE) != 0, x2 = (v & APIC_BASE_X2APIC) != 0;
	bool was_en = lapic_hw_enabled(l), was_x2 = lapic_x2apic(l);
	bool was = any_lint_extint(l);

	if (v & APIC_BASE_RESERVED)
		return -1;
	if (x2 && !en)
		return -1;              /* EXTD without EN is invalid */
	if (was_x2 && en && !x2)
		return -1;              /* x2APIC -> xAPIC needs a pass through disabled */
	if (!was_en && x2)
		return -1;              /* disabled -> x2APIC needs a pass through xAPIC */
	l->apic_base = (v & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP);
	if (was_en && !en) {
		/* Global disable loses the APIC state: power-on registers. */
		regs_reset(l);
		l->xapic_id = (uint8_t)l->id;
	}
	lint_refresh_extint(l, was);
	return 0;
}

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value, uint64_t now)
{
	uint64_t before = l->timer_deadline_ns;
	int rc = 0;

	timer_run(l, now);
	*value = 0;
	if (msr == MSR_IA32_APIC_BASE)
		*value = l->apic_base;
	else if (msr == MSR_IA32_TSC_DEADLINE)
		*value = tsc_mode(l) ? l->tsc_deadline : 0;
	else if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !lapic_x2apic(l) ||
		 msr - MSR_X2APIC_FIRST >= R_COUNT ||
		 reg_read(l, msr - MSR_X2APIC_FIRST, true, now, value) != REG_OK)
		rc = -1;
	if (rc != 0)
		*value = 0;
	timer_notify(l, before);
	return rc;
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value, uint64_t now)
{
	uint64_t before = l->timer_deadline_ns;
	int rc = 0;

	timer_run(l, now);
	if (msr == MSR_IA32_APIC_BASE)
		rc = write_apic_base(l, value);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		write_tsc_deadline(l, value);
	else if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !lapic_x2apic(l) ||
		 msr - MSR_X2APIC_FIRST >= R_COUNT ||
		 reg_write(l, msr - MSR_X2APIC_FIRST, value, true, now) != REG_OK)
		rc = -1;
	timer_notify(l, before);
	return rc;
}
