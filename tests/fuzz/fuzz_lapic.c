/* verifies: REQ-LAPIC-009 REQ-LAPIC-015 REQ-LAPIC-016 REQ-LAPIC-017 REQ-LAPIC-022 REQ-LAPIC-028 REQ-LAPIC-032 REQ-LAPIC-033 */
/* libFuzzer target for the local APIC model. The input is a sequence of
 * operations: one opcode byte (low 4 bits select the operation), then its
 * operands, little-endian; a truncated operand reads as 0.
 *   0 MMIO read  (off16)            8 EOI through the current interface
 *   1 MMIO write (off16, val32)     9 time += delta, advance
 *   2 MSR read   (sel8 [, msr32])  10 set_lint (pin8, level8)
 *   3 MSR write  (sel8 [, msr32], val64)   11 reset (init8)
 *   4 accept     (vec8, level8)    12 match_dest (dest32, logical8), arbitration
 *   5 deliver    (vec8, mode8, flags8, dest32)   13 set_tsc (khz32, base64)
 *   6 take the pending vector      14 time += delta, no advance
 *   7 ack        (vec8)            15 owner consumes NMI/INIT/SIPI/ExtINT
 * Opcode bit 4 on MMIO ops makes the offset 16-byte aligned in the page.
 * After every operation the model's invariants are checked; a violation
 * aborts, which libFuzzer reports as a crash. */
#include "dev/lapic.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n, i;
};

static uint64_t take_bytes(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < bytes; k++) {
		uint64_t b = in->i < in->n ? in->p[in->i] : 0;

		in->i++;
		v |= b << (8 * k);
	}
	return v;
}

struct host {
	struct lapic l;
	struct lapic_ops ops;
	uint64_t now;
	uint64_t seen_deadline;
	uint64_t bsp;
	unsigned depth;
};

static void host_send(void *opaque, struct lapic *src, const struct apic_msg *m, unsigned shorthand)
{
	struct host *h = opaque;

	if (src != &h->l || shorthand > 3 || m->level)
		abort();
	switch (m->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (m->vector < 16)
			abort();        /* illegal vectors are never sent */
		break;
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_SIPI:
		break;
	default:
		abort();        /* SMI, ExtINT and reserved modes are never sent */
	}
	if (!lapic_x2apic(src) && m->dest > 0xff)
		abort();
	/* Route back to ourselves when addressed: exercises re-entry. */
	if (h->depth++ > 0)
		abort();
	if (shorthand == 1 || shorthand == 2 ||
	    (shorthand == 0 && lapic_match_dest(src, m->dest, m->logical)))
		lapic_deliver(src, m);
	h->depth--;
}

static void host_eoi(void *opaque, uint8_t vector)
{
	(void)opaque;
	if (vector < 16)
		abort();
}

static void host_timer(void *opaque, struct lapic *l)
{
	struct host *h = opaque;

	if (h->seen_deadline == lapic_timer_deadline(l))
		abort();        /* called only on a change */
	h->seen_deadline = lapic_timer_deadline(l);
}

static bool test_bit(const uint32_t *r, unsigned v)
{
	return (r[v / 32] >> (v % 32)) & 1;
}

static unsigned divisor(uint32_t dcr)
{
	unsigned v = (dcr & 3) | ((dcr >> 1) & 4);

	return 1u << ((v + 1) & 7);
}

/* Read a register the way the guest could, from a copy without callbacks
 * so the real instance is not disturbed. */
static uint64_t peek(const struct host *h, uint32_t reg)
{
	struct lapic c = h->l;
	uint64_t v = 0;

	c.ops = NULL;
	if (lapic_x2apic(&c)) {
		if (lapic_msr_read(&c, LAPIC_MSR(reg), &v, h->now) != 0)
			abort();
		return v;
	}
	return lapic_mmio_read(&c, reg, h->now);
}

static void check(const struct host *h)
{
	const struct lapic *l = &h->l;
	static const uint32_t lvt_mask[LAPIC_LVT_COUNT] = {
		0x107ff, 0x700ff, 0x107ff, 0x107ff, 0x1a7ff | LAPIC_LVT_REMOTE_IRR, 0x1a7ff,
		0x100ff,
	};
	int v;

	if ((l->irr[0] & 0xffff) || (l->isr[0] & 0xffff) || (l->tmr[0] & 0xffff))
		abort();
	v = lapic_pending_vector(l);
	if (v != -1) {
		if (v < 16 || v > 255 || !test_bit(l->irr, (unsigned)v) || !lapic_hw_enabled(l))
			abort();
	}
	/* APIC_BASE: no reserved bits, no EXTD without EN, BSP fixed. */
	if ((l->apic_base & ~(APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE | APIC_BASE_X2APIC |
			      APIC_BASE_BSP)) ||
	    ((l->apic_base & APIC_BASE_X2APIC) && !(l->apic_base & APIC_BASE_ENABLE)) ||
	    (l->apic_base & APIC_BASE_BSP) != h->bsp)
		abort();
	if ((l->svr & ~0x1ffu) || l->tpr > 0xff || (l->esr & ~0xe0u) || (l->esr_pending & ~0xe0u) ||
	    (l->ldr & 0x00ffffffu) || (l->dfr & 0x0fffffffu) != 0x0fffffffu ||
	    (l->icr_lo & ~0xccfffu) || (l->timer_dcr & ~0xbu))
		abort();
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++) {
		if (l->lvt[i] & ~lvt_mask[i])
			abort();
		if (!lapic_sw_enabled(l) && !(l->lvt[i] & LAPIC_LVT_MASKED))
			abort();
	}
	if ((l->lvt[LAPIC_LVT_LINT0] & LAPIC_LVT_REMOTE_IRR) &&
	    !(l->lvt[LAPIC_LVT_LINT0] & LAPIC_LVT_LEVEL))
		abort();
	/* Timer: every change was reported; an armed count has a period. */
	if (h->seen_deadline != lapic_timer_deadline(l))
		abort();
	if (((l->lvt[LAPIC_LVT_TIMER] >> 17) & 3) == 2) {
		if (l->tsc_deadline == 0 && l->timer_deadline_ns != TIME_NEVER)
			abort();
	} else {
		if (l->tsc_deadline != 0)
			abort();
		if (l->timer_deadline_ns != TIME_NEVER &&
		    (l->timer_icr == 0 ||
		     l->timer_period_ns != (uint64_t)l->timer_icr * divisor(l->timer_dcr)))
			abort();
	}
	if (lapic_hw_enabled(l)) {
		uint64_t tpr = peek(h, LAPIC_REG_TPR), ppr = peek(h, LAPIC_REG_PPR);

		if ((ppr & 0xf0) < (tpr & 0xf0) || ppr > 0xff)
			abort();
		if (peek(h, LAPIC_REG_TIMER_CCR) > l->timer_icr)
			abort();
		if (v >= 0 && ((unsigned)v & 0xf0) <= (ppr & 0xf0))
			abort();
	}
	if (lapic_arb_priority(l) > 0xff)
		abort();
}

static uint64_t msr_of(struct in *in)
{
	unsigned sel = (unsigned)take_bytes(in, 1);

	if (sel < 0x90)
		return MSR_X2APIC_FIRST + sel;          /* includes 0x840-0x88f */
	if (sel < 0xc0)
		return MSR_IA32_APIC_BASE;
	if (sel < 0xf0)
		return MSR_IA32_TSC_DEADLINE;
	return (uint32_t)take_bytes(in, 4);
}

static uint64_t mmio_offset(struct in *in, unsigned op)
{
	uint64_t off = take_bytes(in, 2);

	return (op & 0x10) ? (off & 0xff) << 4 : off;
}

static uint64_t delta(struct in *in)
{
	uint64_t d = take_bytes(in, 2);
	unsigned shift = (unsigned)take_bytes(in, 1) % 48;

	return d << shift;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size, 0 };
	struct host h;
	uint64_t v;

	memset(&h, 0, sizeof(h));
	h.ops = (struct lapic_ops){ host_send, host_eoi, host_timer, &h };
	h.seen_deadline = TIME_NEVER;
	h.bsp = (size & 1) ? APIC_BASE_BSP : 0;
	h.now = 1000;
	lapic_init(&h.l, (uint32_t)(size >> 1), h.bsp != 0, &h.ops, 2000000, 0);
	check(&h);

	while (in.i < in.n) {
		unsigned op = (unsigned)take_bytes(&in, 1);

		switch (op & 0xf) {
		case 0:
			lapic_mmio_read(&h.l, mmio_offset(&in, op), h.now);
			break;
		case 1: {
			uint64_t off = mmio_offset(&in, op);

			lapic_mmio_write(&h.l, off, (uint32_t)take_bytes(&in, 4), h.now);
			break;
		}
		case 2:
			if (lapic_msr_read(&h.l, (uint32_t)msr_of(&in), &v, h.now) != 0 && v != 0)
				abort();
			break;
		case 3: {
			uint32_t msr = (uint32_t)msr_of(&in);
			uint64_t before = h.l.apic_base;

			v = take_bytes(&in, 8);
			if (lapic_msr_write(&h.l, msr, v, h.now) != 0 && h.l.apic_base != before)
				abort();        /* a refused write changes no mode */
			break;
		}
		case 4: {
			uint8_t vec = (uint8_t)take_bytes(&in, 1);

			lapic_accept(&h.l, vec, take_bytes(&in, 1) & 1);
			break;
		}
		case 5: {
			struct apic_msg m;
			unsigned flags;

			m.vector = (uint8_t)take_bytes(&in, 1);
			m.delivery = (enum apic_delivery)(take_bytes(&in, 1) & 0x0f);
			flags = (unsigned)take_bytes(&in, 1);
			m.logical = flags & 1;
			m.level = (flags >> 1) & 1;
			m.dest = (uint32_t)take_bytes(&in, 4);
			lapic_deliver(&h.l, &m);
			break;
		}
		case 6: {
			int p = lapic_pending_vector(&h.l);

			if (p >= 0) {
				lapic_ack(&h.l, (uint8_t)p);
				if (!test_bit(h.l.isr, (unsigned)p) || test_bit(h.l.irr, (unsigned)p))
					abort();
			}
			break;
		}
		case 7:
			lapic_ack(&h.l, (uint8_t)take_bytes(&in, 1));
			break;
		case 8:
			if (lapic_x2apic(&h.l))
				lapic_msr_write(&h.l, LAPIC_MSR(LAPIC_REG_EOI), 0, h.now);
			else
				lapic_mmio_write(&h.l, LAPIC_REG_EOI, 0, h.now);
			break;
		case 9: {
			uint64_t d = delta(&in);
			uint64_t due = lapic_timer_deadline(&h.l);
			uint32_t lvt = h.l.lvt[LAPIC_LVT_TIMER];

			h.now = d >= TIME_NEVER - h.now ? TIME_NEVER - 1 : h.now + d;
			lapic_timer_advance(&h.l, h.now);
			if (lapic_timer_deadline(&h.l) <= h.now)
				abort();        /* caught up: the next expiry is ahead */
			if (due <= h.now && !(lvt & LAPIC_LVT_MASKED) && (lvt & 0xff) >= 16 &&
			    !test_bit(h.l.irr, lvt & 0xff))
				abort();        /* an unmasked expiry raised its vector */
			break;
		}
		case 10: {
			unsigned pin = (unsigned)take_bytes(&in, 1);

			lapic_set_lint(&h.l, pin % 3, take_bytes(&in, 1) & 1);
			break;
		}
		case 11:
			lapic_reset(&h.l, take_bytes(&in, 1) & 1);
			break;
		case 12: {
			uint32_t dest = (uint32_t)take_bytes(&in, 4);

			lapic_match_dest(&h.l, dest, take_bytes(&in, 1) & 1);
			break;
		}
		case 13: {
			uint64_t khz = take_bytes(&in, 4);

			lapic_set_tsc(&h.l, khz, (int64_t)take_bytes(&in, 8), h.now);
			break;
		}
		case 14: {
			uint64_t d = delta(&in);

			h.now = d >= TIME_NEVER - h.now ? TIME_NEVER - 1 : h.now + d;
			break;
		}
		default:
			h.l.nmi_pending = false;
			h.l.extint_pending = false;
			h.l.sipi_pending = false;
			if (h.l.init_pending)
				lapic_reset(&h.l, true);
			break;
		}
		check(&h);
	}
	return 0;
}
