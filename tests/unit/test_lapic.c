/* Unit tests for the local APIC model (docs/requirements/lapic.md). */
#include "test.h"

#include "dev/lapic.h"

#define TSC_KHZ 3000000ULL      /* 3 GHz guest TSC: 3 ticks per ns */

/* Owner stand-in: records every callback. */
struct host {
	struct lapic l;
	struct lapic_ops ops;
	uint64_t now;
	struct apic_msg msg[8];
	unsigned shorthand[8];
	unsigned nsent;
	uint8_t eoi[8];
	unsigned neoi;
	unsigned ntimer;
	uint64_t seen_deadline;
};

static void h_send(void *opaque, struct lapic *src, const struct apic_msg *m, unsigned shorthand)
{
	struct host *h = opaque;

	if (src != &h->l)
		return;
	if (h->nsent < 8) {
		h->msg[h->nsent] = *m;
		h->shorthand[h->nsent] = shorthand;
	}
	h->nsent++;
}

static void h_eoi(void *opaque, uint8_t vector)
{
	struct host *h = opaque;

	if (h->neoi < 8)
		h->eoi[h->neoi] = vector;
	h->neoi++;
}

static void h_timer(void *opaque, struct lapic *l)
{
	struct host *h = opaque;

	h->ntimer++;
	h->seen_deadline = lapic_timer_deadline(l);
}

static void host_init_id(struct host *h, uint32_t id, bool bsp)
{
	memset(h, 0, sizeof(*h));
	h->ops = (struct lapic_ops){ h_send, h_eoi, h_timer, h };
	h->now = 1000000;
	h->seen_deadline = TIME_NEVER;
	lapic_init(&h->l, id, bsp, &h->ops, TSC_KHZ, 0);
}

static void host_init(struct host *h)
{
	host_init_id(h, 0, true);
}

static uint32_t rd(struct host *h, uint32_t off)
{
	return lapic_mmio_read(&h->l, off, h->now);
}

static void wr(struct host *h, uint32_t off, uint32_t v)
{
	lapic_mmio_write(&h->l, off, v, h->now);
}

static int mrd(struct host *h, uint32_t msr, uint64_t *v)
{
	return lapic_msr_read(&h->l, msr, v, h->now);
}

static int mwr(struct host *h, uint32_t msr, uint64_t v)
{
	return lapic_msr_write(&h->l, msr, v, h->now);
}

/* Software-enable with spurious vector 0xff. */
static void enable(struct host *h)
{
	wr(h, LAPIC_REG_SVR, 0x1ff);
}

static uint32_t esr(struct host *h)
{
	wr(h, LAPIC_REG_ESR, 0);
	return rd(h, LAPIC_REG_ESR);
}

static bool irr(const struct host *h, unsigned v)
{
	return (h->l.irr[v / 32] >> (v % 32)) & 1;
}

static bool isr(const struct host *h, unsigned v)
{
	return (h->l.isr[v / 32] >> (v % 32)) & 1;
}

static void to_x2apic(struct host *h)
{
	uint64_t base;

	mrd(h, MSR_IA32_APIC_BASE, &base);
	mwr(h, MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC);
}

/* Take the highest pending vector as the CPU would. */
static int take(struct host *h)
{
	int v = lapic_pending_vector(&h->l);

	if (v >= 0)
		lapic_ack(&h->l, (uint8_t)v);
	return v;
}

/* ---- decode, reset ------------------------------------------------------ */

TEST(lapic_mmio_decode, "REQ-LAPIC-001")
{
	struct host h;
	static const uint32_t reserved[] = { 0x000, 0x010, 0x040, 0x070, 0x290, 0x2e0,
					     0x3a0, 0x3d0, 0x3f0, 0x400, 0xff0 };

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_TPR, 0x30);
	/* Unaligned or outside the page: 0, no effect, no error. */
	CHECK_EQ(rd(&h, LAPIC_REG_TPR + 4), 0);
	wr(&h, LAPIC_REG_TPR + 4, 0x50);
	wr(&h, LAPIC_REG_TPR + 1, 0x50);
	CHECK_EQ(rd(&h, LAPIC_REG_TPR), 0x30);
	CHECK_EQ(rd(&h, 0x1000 + LAPIC_REG_TPR), 0);
	wr(&h, 0x1000 + LAPIC_REG_TPR, 0x50);
	CHECK_EQ(rd(&h, LAPIC_REG_TPR), 0x30);
	CHECK_EQ(lapic_mmio_read(&h.l, UINT64_MAX & ~0xfULL, h.now), 0);
	CHECK_EQ(esr(&h), 0);
	/* Aligned but no register: reads 0, writes ignored, ESR bit 7. */
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		CHECK_EQ(rd(&h, reserved[i]), 0);
		CHECK_EQ(esr(&h), LAPIC_ESR_ILLEGAL_REGISTER);
		wr(&h, reserved[i], 0xffffffff);
		CHECK_EQ(esr(&h), LAPIC_ESR_ILLEGAL_REGISTER);
		CHECK_EQ(rd(&h, reserved[i]), 0);
		CHECK_EQ(esr(&h), LAPIC_ESR_ILLEGAL_REGISTER);
	}
	CHECK_EQ(rd(&h, LAPIC_REG_TPR), 0x30);
}

TEST(lapic_power_on_values, "REQ-LAPIC-002")
{
	struct host h;
	uint64_t v;

	host_init_id(&h, 0x1234, true);
	CHECK_EQ(mrd(&h, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfee00000ULL | APIC_BASE_ENABLE | APIC_BASE_BSP);
	CHECK_EQ(lapic_mmio_base(&h.l), 0xfee00000ULL);
	CHECK(lapic_hw_enabled(&h.l));
	CHECK(!lapic_sw_enabled(&h.l));
	CHECK(!lapic_x2apic(&h.l));
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0x34000000);
	CHECK_EQ(rd(&h, LAPIC_REG_VER), LAPIC_VERSION);
	CHECK_EQ(rd(&h, LAPIC_REG_TPR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_APR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_LDR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_DFR), 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_SVR), 0xff);
	for (unsigned i = 0; i < 8; i++) {
		CHECK_EQ(rd(&h, LAPIC_REG_ISR + 16 * i), 0);
		CHECK_EQ(rd(&h, LAPIC_REG_TMR + 16 * i), 0);
		CHECK_EQ(rd(&h, LAPIC_REG_IRR + 16 * i), 0);
	}
	CHECK_EQ(rd(&h, LAPIC_REG_ESR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_ICR_LO), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_ICR_HI), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_CMCI), 0x10000);
	for (uint32_t off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR; off += 16)
		CHECK_EQ(rd(&h, off), 0x10000);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_ICR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_DCR), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(lapic_pending_vector(&h.l), -1);
	CHECK(!h.l.nmi_pending && !h.l.init_pending && !h.l.sipi_pending && !h.l.extint_pending);
	CHECK(!h.l.wait_sipi);                  /* the BSP runs */
	CHECK_EQ(h.ntimer, 0);                  /* no callback during init */
	host_init_id(&h, 3, false);
	CHECK_EQ(mrd(&h, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfee00000ULL | APIC_BASE_ENABLE);
	CHECK(h.l.wait_sipi);                   /* an AP waits for SIPI */
	/* lapic_init with NULL ops works; callbacks are optional. */
	lapic_init(&h.l, 1, false, NULL, 0, 0);
	lapic_mmio_write(&h.l, LAPIC_REG_TIMER_ICR, 10, 0);
	lapic_timer_advance(&h.l, 100);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
}

TEST(lapic_init_reset_keeps_id_and_base, "REQ-LAPIC-003 REQ-LAPIC-002")
{
	struct host h;
	struct apic_msg sipi = { .vector = 0x9a, .delivery = APIC_DM_SIPI };
	struct apic_msg init = { .delivery = APIC_DM_INIT };
	uint64_t v;

	host_init_id(&h, 2, false);
	enable(&h);
	wr(&h, LAPIC_REG_ID, 0x07000000);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfed00000ULL | APIC_BASE_ENABLE), 0);
	wr(&h, LAPIC_REG_TPR, 0x40);
	wr(&h, LAPIC_REG_LDR, 0x01000000);
	wr(&h, LAPIC_REG_DFR, 0x0fffffff);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x20);
	wr(&h, LAPIC_REG_TIMER_DCR, 0xb);
	wr(&h, LAPIC_REG_TIMER_ICR, 1000);
	lapic_accept(&h.l, 0x80, true);
	take(&h);
	lapic_accept(&h.l, 0x90, false);
	h.l.nmi_pending = true;
	lapic_deliver(&h.l, &init);
	lapic_deliver(&h.l, &sipi);             /* raced ahead of the INIT handling */
	CHECK(h.l.init_pending && h.l.sipi_pending);
	h.ntimer = 0;
	lapic_reset(&h.l, true);
	CHECK_EQ(h.ntimer, 1);                  /* the timer stopped */
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0x07000000);
	CHECK_EQ(mrd(&h, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfed00000ULL | APIC_BASE_ENABLE);
	CHECK_EQ(h.l.tpr, 0);
	CHECK_EQ(h.l.ldr, 0);
	CHECK_EQ(h.l.dfr, 0xffffffff);
	CHECK_EQ(h.l.svr, 0xff);
	CHECK_EQ(h.l.lvt[LAPIC_LVT_TIMER], 0x10000);
	CHECK_EQ(h.l.timer_icr, 0);
	CHECK_EQ(h.l.timer_dcr, 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(h.l.isr[4], 0);
	CHECK_EQ(h.l.irr[4], 0);
	CHECK_EQ(h.l.tmr[4], 0);
	CHECK(!h.l.init_pending && !h.l.nmi_pending);
	CHECK(h.l.sipi_pending && h.l.sipi_vector == 0x9a);    /* kept */
	/* INIT in x2APIC mode stays in x2APIC mode. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_ENABLE | APIC_BASE_X2APIC), 0);
	lapic_reset(&h.l, true);
	CHECK(lapic_x2apic(&h.l));
	/* Power-on: everything back, including ID, base and SIPI state. */
	lapic_reset(&h.l, false);
	CHECK(!lapic_x2apic(&h.l));
	CHECK_EQ(mrd(&h, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, 0xfee00000ULL | APIC_BASE_ENABLE);
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0x02000000);
	CHECK(!h.l.sipi_pending && h.l.wait_sipi);
	/* The BSP flag survives a power-on reset. */
	host_init_id(&h, 0, true);
	lapic_reset(&h.l, false);
	CHECK_EQ(h.l.apic_base, 0xfee00000ULL | APIC_BASE_ENABLE | APIC_BASE_BSP);
	CHECK(!h.l.wait_sipi);
}

/* ---- simple registers ----------------------------------------------------- */

TEST(lapic_id_and_version, "REQ-LAPIC-004")
{
	struct host h;

	host_init_id(&h, 5, false);
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0x05000000);
	wr(&h, LAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0xff000000);
	wr(&h, LAPIC_REG_ID, 0x12345678);
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0x12000000);
	CHECK_EQ(rd(&h, LAPIC_REG_VER), 0x50014);
	wr(&h, LAPIC_REG_VER, 0);
	CHECK_EQ(rd(&h, LAPIC_REG_VER), LAPIC_VERSION);
	CHECK_EQ(esr(&h), 0);
}

TEST(lapic_tpr_and_ppr, "REQ-LAPIC-005")
{
	struct host h;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_TPR, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_TPR), 0xff);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0xff);
	wr(&h, LAPIC_REG_TPR, 0);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0);
	lapic_accept(&h.l, 0x55, false);
	CHECK_EQ(take(&h), 0x55);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0x50);  /* ISRV class */
	wr(&h, LAPIC_REG_TPR, 0x2f);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0x50);
	wr(&h, LAPIC_REG_TPR, 0x5f);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0x5f);  /* equal class: TPR */
	wr(&h, LAPIC_REG_TPR, 0x61);
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0x61);
	wr(&h, LAPIC_REG_PPR, 0);               /* read-only */
	CHECK_EQ(rd(&h, LAPIC_REG_PPR), 0x61);
	CHECK_EQ(esr(&h), 0);
}

TEST(lapic_apr_rrd_readonly, "REQ-LAPIC-006")
{
	struct host h;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_TPR, 0x35);
	CHECK_EQ(rd(&h, LAPIC_REG_APR), 0x35);  /* TPR dominates */
	CHECK_EQ(lapic_arb_priority(&h.l), 0x35);
	lapic_accept(&h.l, 0x47, false);
	CHECK_EQ(rd(&h, LAPIC_REG_APR), 0x40);  /* IRRV class above TPR */
	CHECK_EQ(lapic_arb_priority(&h.l), 0x40);
	CHECK_EQ(take(&h), 0x47);
	CHECK_EQ(rd(&h, LAPIC_REG_APR), 0x40);  /* ISRV class */
	wr(&h, LAPIC_REG_TPR, 0x4a);            /* TPR class == ISRV class */
	CHECK_EQ(rd(&h, LAPIC_REG_APR), 0x40);
	wr(&h, LAPIC_REG_TPR, 0x5a);
	CHECK_EQ(rd(&h, LAPIC_REG_APR), 0x5a);
	lapic_accept(&h.l, 0x99, false);
	CHECK_EQ(lapic_arb_priority(&h.l), 0x90);
	/* RRD reads 0; writes to read-only registers change nothing. */
	CHECK_EQ(rd(&h, LAPIC_REG_RRD), 0);
	wr(&h, LAPIC_REG_RRD, 0xffffffff);
	wr(&h, LAPIC_REG_APR, 0xffffffff);
	wr(&h, LAPIC_REG_ISR + 0x20, 0xffffffff);
	wr(&h, LAPIC_REG_TMR + 0x20, 0xffffffff);
	wr(&h, LAPIC_REG_IRR + 0x40, 0);
	wr(&h, LAPIC_REG_TIMER_CCR, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_RRD), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_ISR + 0x20), 0x80);    /* 0x47 */
	CHECK_EQ(rd(&h, LAPIC_REG_TMR + 0x20), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x40), 0x2000000);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	CHECK_EQ(esr(&h), 0);
}

TEST(lapic_eoi, "REQ-LAPIC-007")
{
	struct host h;

	host_init(&h);
	enable(&h);
	lapic_accept(&h.l, 0x30, true);
	lapic_accept(&h.l, 0x31, false);
	CHECK_EQ(take(&h), 0x31);
	wr(&h, LAPIC_REG_TPR, 0);
	lapic_accept(&h.l, 0x40, false);
	CHECK_EQ(take(&h), 0x40);
	CHECK_EQ(take(&h), -1);                 /* 0x30 is blocked by 0x31's class */
	CHECK_EQ(rd(&h, LAPIC_REG_EOI), 0);     /* write-only: reads 0 */
	wr(&h, LAPIC_REG_EOI, 0x12345678);      /* value ignored */
	CHECK(!isr(&h, 0x40) && isr(&h, 0x31));
	CHECK_EQ(h.neoi, 0);                    /* edge: no broadcast */
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK(!isr(&h, 0x31));
	CHECK_EQ(take(&h), 0x30);
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK_EQ(h.neoi, 1);                    /* level (TMR set): broadcast */
	CHECK_EQ(h.eoi[0], 0x30);
	wr(&h, LAPIC_REG_EOI, 0);               /* nothing in service: no-op */
	CHECK_EQ(h.neoi, 1);
	/* NULL eoi_broadcast, or no ops at all: no broadcast, no crash. */
	h.ops.eoi_broadcast = NULL;
	lapic_accept(&h.l, 0x50, true);
	CHECK_EQ(take(&h), 0x50);
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK_EQ(h.l.isr[2], 0);
	CHECK_EQ(h.neoi, 1);
	lapic_init(&h.l, 0, true, NULL, 0, 0);
	lapic_mmio_write(&h.l, LAPIC_REG_SVR, 0x1ff, 0);
	lapic_accept(&h.l, 0x50, true);
	lapic_ack(&h.l, 0x50);
	lapic_mmio_write(&h.l, LAPIC_REG_EOI, 0, 0);
	CHECK_EQ(h.l.isr[2], 0);
}

TEST(lapic_ldr_dfr, "REQ-LAPIC-008")
{
	struct host h;

	host_init(&h);
	wr(&h, LAPIC_REG_LDR, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LDR), 0xff000000);
	wr(&h, LAPIC_REG_DFR, 0);
	CHECK_EQ(rd(&h, LAPIC_REG_DFR), 0x0fffffff);
	wr(&h, LAPIC_REG_DFR, 0x5a5a5a5a);
	CHECK_EQ(rd(&h, LAPIC_REG_DFR), 0x5fffffff);
	wr(&h, LAPIC_REG_DFR, 0xf0000000);
	CHECK_EQ(rd(&h, LAPIC_REG_DFR), 0xffffffff);
}

TEST(lapic_svr_software_enable, "REQ-LAPIC-009")
{
	struct host h;

	host_init(&h);
	wr(&h, LAPIC_REG_SVR, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_SVR), 0x1ff);
	CHECK(lapic_sw_enabled(&h.l));
	for (uint32_t off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR; off += 16) {
		wr(&h, off, 0x40);
		CHECK_EQ(rd(&h, off), 0x40);
	}
	wr(&h, LAPIC_REG_LVT_CMCI, 0x40);
	wr(&h, LAPIC_REG_SVR, 0x0ef);           /* software disable */
	CHECK(!lapic_sw_enabled(&h.l));
	CHECK_EQ(rd(&h, LAPIC_REG_SVR), 0xef);
	for (uint32_t off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR; off += 16)
		CHECK_EQ(rd(&h, off), 0x10040);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_CMCI), 0x10040);
	wr(&h, LAPIC_REG_LVT_LINT0, 0x41);      /* cannot unmask while disabled */
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0), 0x10041);
	wr(&h, LAPIC_REG_SVR, 0x100);           /* enabling does not unmask */
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0), 0x10041);
	CHECK_EQ(rd(&h, LAPIC_REG_SVR), 0x100);
	wr(&h, LAPIC_REG_LVT_LINT0, 0x41);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0), 0x41);
}

TEST(lapic_isr_tmr_irr_registers, "REQ-LAPIC-010")
{
	struct host h;

	host_init(&h);
	enable(&h);
	lapic_accept(&h.l, 0x20, false);
	lapic_accept(&h.l, 0x41, true);
	lapic_accept(&h.l, 0xff, true);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x10), 0x1);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x20), 0x2);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x70), 0x80000000);
	CHECK_EQ(rd(&h, LAPIC_REG_TMR + 0x10), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_TMR + 0x20), 0x2);
	CHECK_EQ(rd(&h, LAPIC_REG_TMR + 0x70), 0x80000000);
	CHECK_EQ(take(&h), 0xff);
	CHECK_EQ(rd(&h, LAPIC_REG_ISR + 0x70), 0x80000000);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x70), 0);
	for (unsigned i = 0; i < 8; i++) {
		wr(&h, LAPIC_REG_ISR + 16 * i, 0);
		wr(&h, LAPIC_REG_IRR + 16 * i, 0xffffffff);
	}
	CHECK_EQ(rd(&h, LAPIC_REG_ISR + 0x70), 0x80000000);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x00), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_IRR + 0x10), 0x1);
}

TEST(lapic_esr_write_then_read, "REQ-LAPIC-011")
{
	struct host h;

	host_init(&h);
	enable(&h);
	lapic_accept(&h.l, 7, false);           /* received illegal vector */
	CHECK(!irr(&h, 7));
	CHECK_EQ(rd(&h, LAPIC_REG_ESR), 0);     /* not visible before a write */
	wr(&h, LAPIC_REG_ESR, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_ESR), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	CHECK_EQ(rd(&h, LAPIC_REG_ESR), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	wr(&h, LAPIC_REG_ESR, 0);
	CHECK_EQ(rd(&h, LAPIC_REG_ESR), 0);
	/* Errors accumulate until the write. */
	lapic_accept(&h.l, 0, false);
	wr(&h, LAPIC_REG_ICR_LO, 0x4);          /* send illegal vector */
	rd(&h, 0x40);                           /* illegal register */
	CHECK_EQ(esr(&h), 0xe0);
	/* Unmasked error LVT: each error raises its vector (edge). */
	wr(&h, LAPIC_REG_LVT_ERROR, 0xee);
	lapic_accept(&h.l, 15, true);
	CHECK(irr(&h, 0xee));
	CHECK_EQ(h.l.tmr[7] & (1u << 14), 0);
	CHECK_EQ(take(&h), 0xee);
	wr(&h, LAPIC_REG_EOI, 0);
	wr(&h, 0x50, 1);
	CHECK(irr(&h, 0xee));
	CHECK_EQ(esr(&h), LAPIC_ESR_RECV_ILLEGAL_VECTOR | LAPIC_ESR_ILLEGAL_REGISTER);
	/* An illegal error vector only records "received illegal vector". */
	wr(&h, LAPIC_REG_LVT_ERROR, 0x3);
	rd(&h, 0x60);
	CHECK_EQ(esr(&h), LAPIC_ESR_RECV_ILLEGAL_VECTOR | LAPIC_ESR_ILLEGAL_REGISTER);
	CHECK_EQ(h.l.irr[0], 0);
}

TEST(lapic_lvt_masks, "REQ-LAPIC-012")
{
	struct host h;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_LVT_CMCI, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_CMCI), 0x107ff);
	wr(&h, LAPIC_REG_LVT_TIMER, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_TIMER), 0x700ff);
	wr(&h, LAPIC_REG_LVT_THERMAL, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_THERMAL), 0x107ff);
	wr(&h, LAPIC_REG_LVT_PERF, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_PERF), 0x107ff);
	wr(&h, LAPIC_REG_LVT_LINT0, 0xffffffff);        /* remote IRR is read-only */
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0), 0x1a7ff);
	wr(&h, LAPIC_REG_LVT_LINT1, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT1), 0x1a7ff);
	wr(&h, LAPIC_REG_LVT_ERROR, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_ERROR), 0x100ff);
	for (uint32_t off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR; off += 16) {
		wr(&h, off, 0x1000 | 0x4000);   /* delivery status, remote IRR */
		CHECK_EQ(rd(&h, off), 0);
	}
	CHECK_EQ(esr(&h), 0);
}

TEST(lapic_thermal_perf_cmci_never_fire, "REQ-LAPIC-013")
{
	struct host h;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_LVT_THERMAL, 0x50);
	wr(&h, LAPIC_REG_LVT_PERF, 0x51);
	wr(&h, LAPIC_REG_LVT_CMCI, 0x52);
	h.now += 10 * NSEC_PER_SEC;
	lapic_timer_advance(&h.l, h.now);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_THERMAL), 0x50);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_PERF), 0x51);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_CMCI), 0x52);
	CHECK_EQ(h.l.irr[2], 0);
	CHECK_EQ(lapic_pending_vector(&h.l), -1);
}

/* ---- IPIs ----------------------------------------------------------------- */

TEST(lapic_icr_xapic, "REQ-LAPIC-014")
{
	struct host h;

	host_init(&h);
	wr(&h, LAPIC_REG_ICR_HI, 0xffffffff);
	CHECK_EQ(rd(&h, LAPIC_REG_ICR_HI), 0xff000000);
	CHECK_EQ(h.nsent, 0);                   /* ICR high does not send */
	wr(&h, LAPIC_REG_ICR_HI, 0x03000000);
	wr(&h, LAPIC_REG_ICR_LO, 0xffffffff & ~0x700u & ~0xc0000u);   /* fixed, no shorthand */
	CHECK_EQ(rd(&h, LAPIC_REG_ICR_LO), 0xccfff & ~0x700u & ~0xc0000u);
	CHECK_EQ(h.nsent, 1);
	CHECK_EQ(h.msg[0].vector, 0xff);
	CHECK_EQ(h.msg[0].delivery, APIC_DM_FIXED);
	CHECK(h.msg[0].logical);
	CHECK_EQ(h.msg[0].dest, 3);
	CHECK(!h.msg[0].level);                 /* IPIs are edge */
	CHECK_EQ(h.shorthand[0], 0);
	/* Each mode and shorthand decodes. */
	wr(&h, LAPIC_REG_ICR_LO, 0x40 | LAPIC_LVT_DM(APIC_DM_LOWEST) | LAPIC_ICR_SHORTHAND(3));
	CHECK_EQ(h.msg[1].delivery, APIC_DM_LOWEST);
	CHECK(!h.msg[1].logical);
	CHECK_EQ(h.shorthand[1], 3);
	wr(&h, LAPIC_REG_ICR_LO, LAPIC_LVT_DM(APIC_DM_NMI) | LAPIC_ICR_SHORTHAND(2));
	CHECK_EQ(h.msg[2].delivery, APIC_DM_NMI);
	CHECK_EQ(h.shorthand[2], 2);
	wr(&h, LAPIC_REG_ICR_LO, LAPIC_LVT_DM(APIC_DM_INIT) | LAPIC_ICR_ASSERT | LAPIC_ICR_LEVEL);
	CHECK_EQ(h.msg[3].delivery, APIC_DM_INIT);
	wr(&h, LAPIC_REG_ICR_LO, 0x9a | LAPIC_LVT_DM(APIC_DM_SIPI) | LAPIC_ICR_SHORTHAND(1));
	CHECK_EQ(h.msg[4].delivery, APIC_DM_SIPI);
	CHECK_EQ(h.msg[4].vector, 0x9a);
	CHECK_EQ(h.shorthand[4], 1);
	CHECK_EQ(h.nsent, 5);
	CHECK_EQ(rd(&h, LAPIC_REG_ICR_LO) & 0x1000, 0);     /* delivery status idle */
	/* NULL send_ipi or no ops at all: nothing happens. */
	h.ops.send_ipi = NULL;
	wr(&h, LAPIC_REG_ICR_LO, 0x40);
	CHECK_EQ(h.nsent, 5);
	CHECK_EQ(rd(&h, LAPIC_REG_ICR_LO), 0x40);
	lapic_init(&h.l, 0, true, NULL, 0, 0);
	lapic_mmio_write(&h.l, LAPIC_REG_ICR_LO, 0x41, 0);
	CHECK_EQ(lapic_mmio_read(&h.l, LAPIC_REG_ICR_LO, 0), 0x41);
	CHECK_EQ(h.nsent, 5);
}

TEST(lapic_ipi_filter, "REQ-LAPIC-015")
{
	struct host h;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_ICR_LO, 0x0f);                         /* fixed, vector 15 */
	wr(&h, LAPIC_REG_ICR_LO, 0x00 | LAPIC_LVT_DM(APIC_DM_LOWEST));
	CHECK_EQ(h.nsent, 0);
	CHECK_EQ(esr(&h), LAPIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(&h, LAPIC_REG_ICR_LO, 0x40 | LAPIC_LVT_DM(APIC_DM_SMI));
	wr(&h, LAPIC_REG_ICR_LO, 0x40 | LAPIC_LVT_DM(3));
	wr(&h, LAPIC_REG_ICR_LO, 0x40 | LAPIC_LVT_DM(APIC_DM_EXTINT));
	wr(&h, LAPIC_REG_ICR_LO, LAPIC_LVT_DM(APIC_DM_INIT) | LAPIC_ICR_LEVEL);  /* de-assert */
	CHECK_EQ(h.nsent, 0);
	CHECK_EQ(esr(&h), 0);
	/* NMI, INIT (edge or level assert) and SIPI carry any vector. */
	wr(&h, LAPIC_REG_ICR_LO, 0x02 | LAPIC_LVT_DM(APIC_DM_NMI));
	wr(&h, LAPIC_REG_ICR_LO, LAPIC_LVT_DM(APIC_DM_INIT));
	wr(&h, LAPIC_REG_ICR_LO, 0x01 | LAPIC_LVT_DM(APIC_DM_SIPI));
	CHECK_EQ(h.nsent, 3);
	CHECK_EQ(esr(&h), 0);
}

/* ---- acceptance and priority ------------------------------------------------ */

TEST(lapic_accept_irr_tmr, "REQ-LAPIC-016")
{
	struct host h;

	host_init(&h);
	lapic_accept(&h.l, 0x40, false);        /* software-disabled: discarded */
	CHECK(!irr(&h, 0x40));
	enable(&h);
	lapic_accept(&h.l, 0x40, true);
	CHECK(irr(&h, 0x40));
	CHECK_EQ(h.l.tmr[2], 1);
	lapic_accept(&h.l, 0x40, false);        /* coalesces, TMR follows the last */
	CHECK_EQ(h.l.irr[2], 1);
	CHECK_EQ(h.l.tmr[2], 0);
	for (unsigned v = 0; v < 16; v++)
		lapic_accept(&h.l, (uint8_t)v, true);
	CHECK_EQ(h.l.irr[0], 0);
	CHECK_EQ(h.l.tmr[0], 0);
	CHECK_EQ(esr(&h), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	lapic_accept(&h.l, 16, false);
	CHECK(irr(&h, 16));
	/* lapic_deliver with fixed and lowest priority accepts the same way. */
	struct apic_msg m = { .vector = 0x61, .delivery = APIC_DM_LOWEST, .level = true };

	lapic_deliver(&h.l, &m);
	CHECK(irr(&h, 0x61));
	CHECK_EQ(h.l.tmr[3], 2);
	m.delivery = APIC_DM_FIXED;
	m.vector = 0x62;
	lapic_deliver(&h.l, &m);
	CHECK(irr(&h, 0x62));
	/* Hardware-disabled: discarded. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_BSP), 0);
	lapic_accept(&h.l, 0x70, false);
	CHECK_EQ(h.l.irr[3], 0);
}

TEST(lapic_pending_and_ack, "REQ-LAPIC-017")
{
	struct host h;

	host_init(&h);
	enable(&h);
	CHECK_EQ(lapic_pending_vector(&h.l), -1);
	lapic_accept(&h.l, 0x35, false);
	lapic_accept(&h.l, 0x3a, false);
	CHECK_EQ(lapic_pending_vector(&h.l), 0x3a);     /* highest IRR */
	wr(&h, LAPIC_REG_TPR, 0x30);                    /* same class: blocked */
	CHECK_EQ(lapic_pending_vector(&h.l), -1);
	wr(&h, LAPIC_REG_TPR, 0x2f);
	CHECK_EQ(lapic_pending_vector(&h.l), 0x3a);
	lapic_ack(&h.l, 0x3a);
	CHECK(isr(&h, 0x3a) && !irr(&h, 0x3a));
	CHECK_EQ(lapic_pending_vector(&h.l), -1);       /* 0x35 same class as ISR */
	lapic_accept(&h.l, 0x41, false);
	CHECK_EQ(lapic_pending_vector(&h.l), 0x41);     /* higher class preempts */
	lapic_ack(&h.l, 0x99);                          /* not pending: no effect */
	CHECK(!isr(&h, 0x99));
	CHECK_EQ(lapic_pending_vector(&h.l), 0x41);
	/* Held IRR still delivered while software-disabled. */
	wr(&h, LAPIC_REG_SVR, 0xff);
	CHECK_EQ(lapic_pending_vector(&h.l), 0x41);
	/* Hardware-disabled: nothing pending. */
	enable(&h);
	lapic_accept(&h.l, 0x80, false);
	h.l.apic_base &= ~APIC_BASE_ENABLE;
	CHECK_EQ(lapic_pending_vector(&h.l), -1);
}

TEST(lapic_deliver_events, "REQ-LAPIC-018")
{
	struct host h;
	struct apic_msg m = { 0 };

	host_init_id(&h, 1, false);
	m.delivery = APIC_DM_NMI;
	lapic_deliver(&h.l, &m);                /* works software-disabled */
	CHECK(h.l.nmi_pending);
	m.delivery = APIC_DM_EXTINT;
	lapic_deliver(&h.l, &m);
	CHECK(h.l.extint_pending);
	m.delivery = APIC_DM_SMI;
	lapic_deliver(&h.l, &m);
	m.delivery = (enum apic_delivery)3;
	lapic_deliver(&h.l, &m);
	m.delivery = (enum apic_delivery)99;
	lapic_deliver(&h.l, &m);
	CHECK(!h.l.init_pending && !h.l.sipi_pending);
	/* AP after power-on: the first SIPI starts it, the second is ignored. */
	m.delivery = APIC_DM_SIPI;
	m.vector = 0x10;
	lapic_deliver(&h.l, &m);
	CHECK(h.l.sipi_pending);
	CHECK_EQ(h.l.sipi_vector, 0x10);
	h.l.sipi_pending = false;               /* the owner takes it */
	m.vector = 0x20;
	lapic_deliver(&h.l, &m);
	CHECK(!h.l.sipi_pending);
	/* INIT re-arms wait-for-SIPI. */
	m.delivery = APIC_DM_INIT;
	lapic_deliver(&h.l, &m);
	CHECK(h.l.init_pending);
	h.l.init_pending = false;
	lapic_reset(&h.l, true);
	m.delivery = APIC_DM_SIPI;
	lapic_deliver(&h.l, &m);
	CHECK(h.l.sipi_pending);
	CHECK_EQ(h.l.sipi_vector, 0x20);
	/* The BSP ignores SIPI until an INIT. */
	host_init(&h);
	lapic_deliver(&h.l, &m);
	CHECK(!h.l.sipi_pending);
	/* Hardware-disabled: every message ignored. */
	h.l.apic_base &= ~APIC_BASE_ENABLE;
	m.delivery = APIC_DM_NMI;
	lapic_deliver(&h.l, &m);
	m.delivery = APIC_DM_INIT;
	lapic_deliver(&h.l, &m);
	CHECK(!h.l.nmi_pending && !h.l.init_pending);
}

/* ---- LINT pins ---------------------------------------------------------------- */

TEST(lapic_lint_extint_nmi_init, "REQ-LAPIC-019")
{
	struct host h;

	host_init(&h);
	lapic_set_lint(&h.l, 0, true);          /* masked after reset: ignored */
	lapic_set_lint(&h.l, 1, true);
	CHECK(!h.l.extint_pending && !h.l.nmi_pending);
	enable(&h);
	wr(&h, LAPIC_REG_LVT_LINT0, LAPIC_LVT_DM(APIC_DM_EXTINT));
	CHECK(h.l.extint_pending);              /* pin already high */
	lapic_set_lint(&h.l, 0, false);
	CHECK(!h.l.extint_pending);
	lapic_set_lint(&h.l, 0, true);
	CHECK(h.l.extint_pending);
	h.l.extint_pending = false;
	lapic_set_lint(&h.l, 0, true);          /* re-asserted: pending again */
	CHECK(h.l.extint_pending);
	wr(&h, LAPIC_REG_LVT_LINT0, LAPIC_LVT_DM(APIC_DM_EXTINT) | LAPIC_LVT_MASKED);
	CHECK(!h.l.extint_pending);             /* masking drops it */
	wr(&h, LAPIC_REG_LVT_LINT0, LAPIC_LVT_DM(APIC_DM_EXTINT));
	CHECK(h.l.extint_pending);
	wr(&h, LAPIC_REG_SVR, 0xff);            /* software disable masks */
	CHECK(!h.l.extint_pending);
	/* NMI: rising edges only. */
	enable(&h);
	wr(&h, LAPIC_REG_LVT_LINT1, LAPIC_LVT_DM(APIC_DM_NMI));
	CHECK(!h.l.nmi_pending);                /* no edge on configuration */
	lapic_set_lint(&h.l, 1, false);
	lapic_set_lint(&h.l, 1, true);
	CHECK(h.l.nmi_pending);
	h.l.nmi_pending = false;
	lapic_set_lint(&h.l, 1, true);          /* still high: no new edge */
	CHECK(!h.l.nmi_pending);
	/* INIT via LINT. */
	wr(&h, LAPIC_REG_LVT_LINT1, LAPIC_LVT_DM(APIC_DM_INIT));
	lapic_set_lint(&h.l, 1, false);
	lapic_set_lint(&h.l, 1, true);
	CHECK(h.l.init_pending);
	/* SMI and reserved delivery modes do nothing. */
	h.l.init_pending = false;
	wr(&h, LAPIC_REG_LVT_LINT1, LAPIC_LVT_DM(APIC_DM_SMI));
	lapic_set_lint(&h.l, 1, false);
	lapic_set_lint(&h.l, 1, true);
	wr(&h, LAPIC_REG_LVT_LINT1, LAPIC_LVT_DM(6) | 0x40);
	lapic_set_lint(&h.l, 1, false);
	lapic_set_lint(&h.l, 1, true);
	CHECK(!h.l.init_pending && !h.l.nmi_pending);
	CHECK_EQ(lapic_pending_vector(&h.l), -1);
	/* Pins other than 0 and 1 are ignored. */
	lapic_set_lint(&h.l, 2, true);
	lapic_set_lint(&h.l, 0xffffffffu, true);
	CHECK(!h.l.init_pending && !h.l.nmi_pending);
}

TEST(lapic_lint_fixed_edge_and_level, "REQ-LAPIC-019")
{
	struct host h;

	host_init(&h);
	enable(&h);
	/* Fixed, edge: one interrupt per rising edge. */
	wr(&h, LAPIC_REG_LVT_LINT1, 0x51);
	lapic_set_lint(&h.l, 1, true);
	CHECK(irr(&h, 0x51));
	CHECK_EQ(take(&h), 0x51);
	lapic_set_lint(&h.l, 1, true);
	CHECK(!irr(&h, 0x51));
	wr(&h, LAPIC_REG_EOI, 0);
	/* LINT1 with the level bit still behaves as edge (no remote IRR). */
	wr(&h, LAPIC_REG_LVT_LINT1, 0x52 | LAPIC_LVT_LEVEL);
	lapic_set_lint(&h.l, 1, false);
	lapic_set_lint(&h.l, 1, true);
	CHECK(irr(&h, 0x52));
	CHECK_EQ(h.l.tmr[2] & (1u << 18), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT1) & LAPIC_LVT_REMOTE_IRR, 0);
	CHECK_EQ(take(&h), 0x52);
	wr(&h, LAPIC_REG_EOI, 0);
	/* LINT0 fixed, level: remote IRR until EOI, re-delivered if still high. */
	wr(&h, LAPIC_REG_LVT_LINT0, 0x60 | LAPIC_LVT_LEVEL);
	lapic_set_lint(&h.l, 0, true);
	CHECK(irr(&h, 0x60));
	CHECK(h.l.tmr[3] & 1);
	CHECK(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	CHECK_EQ(take(&h), 0x60);
	lapic_set_lint(&h.l, 0, true);
	CHECK(!irr(&h, 0x60));                  /* remote IRR blocks */
	/* The guest rewriting the LVT keeps remote IRR (read-only). */
	wr(&h, LAPIC_REG_LVT_LINT0, 0x60 | LAPIC_LVT_LEVEL);
	CHECK(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK_EQ(h.neoi, 1);
	CHECK(irr(&h, 0x60));                   /* still high: again */
	CHECK_EQ(take(&h), 0x60);
	lapic_set_lint(&h.l, 0, false);
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK(!irr(&h, 0x60));
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR, 0);
	/* A level-triggered EOI of another vector leaves remote IRR alone. */
	lapic_set_lint(&h.l, 0, true);
	CHECK_EQ(take(&h), 0x60);
	lapic_accept(&h.l, 0x90, true);
	CHECK_EQ(take(&h), 0x90);
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	/* Switching to edge clears remote IRR. */
	wr(&h, LAPIC_REG_LVT_LINT0, 0x60);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR, 0);
	wr(&h, LAPIC_REG_EOI, 0);
	/* Unmasking a level LINT0 while the pin is high delivers. */
	lapic_set_lint(&h.l, 0, true);
	wr(&h, LAPIC_REG_LVT_LINT0, 0x61 | LAPIC_LVT_LEVEL | LAPIC_LVT_MASKED);
	CHECK(!irr(&h, 0x61));
	wr(&h, LAPIC_REG_LVT_LINT0, 0x61 | LAPIC_LVT_LEVEL);
	CHECK(irr(&h, 0x61));
	lapic_set_lint(&h.l, 0, false);
	CHECK_EQ(take(&h), 0x61);
	wr(&h, LAPIC_REG_EOI, 0);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR, 0);
	/* An illegal vector is not accepted and sets no remote IRR. */
	esr(&h);
	wr(&h, LAPIC_REG_LVT_LINT0, 0x05 | LAPIC_LVT_LEVEL);
	lapic_set_lint(&h.l, 0, true);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR, 0);
	CHECK_EQ(esr(&h), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
}

TEST(lapic_lint_hw_disabled_pins, "REQ-LAPIC-019")
{
	struct host h;

	host_init(&h);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_BSP), 0);
	lapic_set_lint(&h.l, 0, true);          /* LINT0 is INTR */
	CHECK(h.l.extint_pending);
	lapic_set_lint(&h.l, 0, false);
	CHECK(!h.l.extint_pending);
	lapic_set_lint(&h.l, 1, true);          /* LINT1 is NMI */
	CHECK(h.l.nmi_pending);
	h.l.nmi_pending = false;
	lapic_set_lint(&h.l, 1, true);
	CHECK(!h.l.nmi_pending);
	/* Re-enabling: LVTs are masked, INTR no longer reaches the CPU. */
	lapic_set_lint(&h.l, 0, true);
	CHECK(h.l.extint_pending);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_ENABLE), 0);
	CHECK(!h.l.extint_pending);
	/* Disabling again with LINT0 high: INTR follows the pin at once. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfee00000ULL), 0);
	CHECK(h.l.extint_pending);
	/* An INIT reset of a disabled APIC keeps INTR on the pin. */
	lapic_reset(&h.l, true);
	CHECK(h.l.extint_pending);
}

/* ---- destinations --------------------------------------------------------------- */

TEST(lapic_match_dest_xapic, "REQ-LAPIC-020")
{
	struct host h;

	host_init_id(&h, 5, false);
	CHECK(lapic_match_dest(&h.l, 5, false));
	CHECK(!lapic_match_dest(&h.l, 6, false));
	CHECK(lapic_match_dest(&h.l, 0xff, false));
	CHECK(lapic_match_dest(&h.l, 0xffffffff, false));
	CHECK(!lapic_match_dest(&h.l, 0x105, false));   /* not an 8-bit destination */
	wr(&h, LAPIC_REG_ID, 0x09000000);               /* follows the ID register */
	CHECK(lapic_match_dest(&h.l, 9, false));
	CHECK(!lapic_match_dest(&h.l, 5, false));
	/* Logical flat. */
	CHECK(!lapic_match_dest(&h.l, 0x01, true));     /* LDR 0 */
	CHECK(lapic_match_dest(&h.l, 0xff, true));      /* broadcast */
	wr(&h, LAPIC_REG_LDR, 0x24000000);
	CHECK(lapic_match_dest(&h.l, 0x04, true));
	CHECK(lapic_match_dest(&h.l, 0x21, true));
	CHECK(!lapic_match_dest(&h.l, 0x42, true));
	CHECK(!lapic_match_dest(&h.l, 0x124, true));
	/* Logical cluster: cluster 2, member bit 2. */
	wr(&h, LAPIC_REG_DFR, 0x0fffffff);
	CHECK(lapic_match_dest(&h.l, 0x24, true));
	CHECK(lapic_match_dest(&h.l, 0x2f, true));
	CHECK(!lapic_match_dest(&h.l, 0x34, true));     /* other cluster */
	CHECK(!lapic_match_dest(&h.l, 0x2b, true));     /* no member overlap */
	CHECK(lapic_match_dest(&h.l, 0xff, true));
	/* Other model values behave as cluster. */
	wr(&h, LAPIC_REG_DFR, 0x7fffffff);
	CHECK(!lapic_match_dest(&h.l, 0x34, true));
	CHECK(lapic_match_dest(&h.l, 0x24, true));
	/* Hardware-disabled: no match at all. */
	h.l.apic_base &= ~APIC_BASE_ENABLE;
	CHECK(!lapic_match_dest(&h.l, 0xff, false));
	CHECK(!lapic_match_dest(&h.l, 0xffffffff, true));
}

TEST(lapic_match_dest_x2apic, "REQ-LAPIC-021")
{
	struct host h;

	host_init_id(&h, 0x12345, false);
	to_x2apic(&h);
	CHECK(lapic_match_dest(&h.l, 0x12345, false));
	CHECK(!lapic_match_dest(&h.l, 0x45, false));
	CHECK(!lapic_match_dest(&h.l, 0xff, false));    /* 0xff is an ID here */
	CHECK(lapic_match_dest(&h.l, 0xffffffff, false));
	CHECK(lapic_match_dest(&h.l, 0xffffffff, true));
	/* LDR: cluster 0x1234, bit 5. */
	CHECK(lapic_match_dest(&h.l, 0x12340020, true));
	CHECK(lapic_match_dest(&h.l, 0x1234ffff, true));
	CHECK(!lapic_match_dest(&h.l, 0x1234ffdf, true));
	CHECK(!lapic_match_dest(&h.l, 0x12350020, true));
	/* Disabled: nothing. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xfee00000ULL), 0);
	CHECK(!lapic_match_dest(&h.l, 0x12345, false));
	CHECK(!lapic_match_dest(&h.l, 0xffffffff, false));
}

/* ---- IA32_APIC_BASE ------------------------------------------------------------------ */

TEST(lapic_apic_base_transitions, "REQ-LAPIC-022")
{
	struct host h;
	const uint64_t b = 0xfee00000ULL, en = APIC_BASE_ENABLE, x2 = APIC_BASE_X2APIC;
	uint64_t v;

	host_init_id(&h, 1, false);
	/* Reserved bits: #GP, no change. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | 1), -1);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | (1ULL << 9)), -1);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | (1ULL << 52)), -1);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | (1ULL << 63)), -1);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | x2), -1);             /* EXTD without EN */
	CHECK_EQ(h.l.apic_base, b | en);
	/* BSP is read-only both ways. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | APIC_BASE_BSP), 0);
	CHECK_EQ(mrd(&h, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(v, b | en);
	/* xAPIC -> x2APIC -> (xAPIC: #GP) -> disabled -> (x2APIC: #GP) -> xAPIC. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | x2), 0);
	CHECK(lapic_x2apic(&h.l));
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en), -1);
	CHECK(lapic_x2apic(&h.l));
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | x2), 0);         /* same mode */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b), 0);
	CHECK(!lapic_hw_enabled(&h.l) && !lapic_x2apic(&h.l));
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en | x2), -1);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b), 0);                   /* same mode */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en), 0);
	CHECK(lapic_hw_enabled(&h.l) && !lapic_x2apic(&h.l));
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b), 0);                   /* xAPIC -> disabled */
	CHECK(!lapic_hw_enabled(&h.l));
	/* The BSP keeps its flag through writes that clear it. */
	host_init(&h);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, b | en), 0);
	CHECK_EQ(h.l.apic_base, b | en | APIC_BASE_BSP);
}

TEST(lapic_apic_base_effects, "REQ-LAPIC-023")
{
	struct host h;
	const uint64_t en = APIC_BASE_ENABLE;
	uint64_t v;

	host_init_id(&h, 4, false);
	/* Moving the base: tracked and reported. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0xabcdef000ULL | en), 0);
	CHECK_EQ(lapic_mmio_base(&h.l), 0xabcdef000ULL);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, 0x000ffffffffff000ULL | en), 0);
	CHECK_EQ(lapic_mmio_base(&h.l), 0x000ffffffffff000ULL);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE | en), 0);
	/* xAPIC -> x2APIC keeps the register state. */
	enable(&h);
	wr(&h, LAPIC_REG_ID, 0x77000000);
	wr(&h, LAPIC_REG_TPR, 0x20);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x40);
	wr(&h, LAPIC_REG_TIMER_ICR, 1000);
	lapic_accept(&h.l, 0x50, false);
	to_x2apic(&h);
	CHECK_EQ(mrd(&h, LAPIC_MSR(LAPIC_REG_TPR), &v), 0);
	CHECK_EQ(v, 0x20);
	CHECK_EQ(mrd(&h, LAPIC_MSR(LAPIC_REG_SVR), &v), 0);
	CHECK_EQ(v, 0x1ff);
	CHECK_EQ(mrd(&h, LAPIC_MSR(LAPIC_REG_ID), &v), 0);
	CHECK_EQ(v, 4);                         /* x2APIC ID: the initial ID */
	CHECK_EQ(lapic_pending_vector(&h.l), 0x50);
	CHECK(lapic_timer_deadline(&h.l) != TIME_NEVER);
	/* Leaving enabled: power-on register state, timer stopped. */
	h.ntimer = 0;
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(h.ntimer, 1);
	CHECK_EQ(h.l.tpr, 0);
	CHECK_EQ(h.l.svr, 0xff);
	CHECK_EQ(h.l.irr[2], 0);
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE | en), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_ID), 0x04000000);
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_TIMER), 0x10000);
}

/* ---- x2APIC ------------------------------------------------------------------------------ */

TEST(lapic_x2apic_msr_map, "REQ-LAPIC-024")
{
	struct host h;
	uint64_t v;

	host_init_id(&h, 3, false);
	/* xAPIC mode: every x2APIC MSR is #GP. */
	for (uint32_t m = MSR_X2APIC_FIRST; m <= MSR_X2APIC_LAST; m++) {
		CHECK_EQ(mrd(&h, m, &v), -1);
		CHECK_EQ(v, 0);
		CHECK_EQ(mwr(&h, m, 0), -1);
	}
	/* Not ours at all. */
	CHECK_EQ(mrd(&h, 0x10, &v), -1);
	CHECK_EQ(mwr(&h, 0x7ff, 0), -1);
	CHECK_EQ(mrd(&h, 0x900, &v), -1);
	to_x2apic(&h);
	CHECK_EQ(mrd(&h, 0x10, &v), -1);
	CHECK_EQ(mwr(&h, 0x900, 0), -1);
	/* Readable registers. */
	static const uint32_t readable[] = { 0x802, 0x803, 0x808, 0x80a, 0x80d, 0x80f, 0x828,
					     0x82f, 0x830, 0x832, 0x833, 0x834, 0x835, 0x836,
					     0x837, 0x838, 0x839, 0x83e };
	unsigned n = 0;

	for (uint32_t m = MSR_X2APIC_FIRST; m <= MSR_X2APIC_LAST; m++) {
		bool want = (m >= 0x810 && m <= 0x827);

		for (unsigned i = 0; i < sizeof(readable) / sizeof(readable[0]); i++)
			want = want || readable[i] == m;
		CHECK_EQ(mrd(&h, m, &v), want ? 0 : -1);
		n += want;
	}
	CHECK_EQ(n, 18 + 24);
	/* Read-only: write #GP. */
	static const uint32_t ro[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810, 0x817, 0x818,
				       0x81f, 0x820, 0x827, 0x839 };

	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		CHECK_EQ(mwr(&h, ro[i], 0), -1);
	/* Absent: APR, RRD, DFR, ICR high, reserved, beyond the map. */
	static const uint32_t absent[] = { 0x800, 0x801, 0x804, 0x807, 0x809, 0x80c, 0x80e,
					   0x829, 0x82e, 0x831, 0x83a, 0x83d, 0x840, 0x8ff };

	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		CHECK_EQ(mrd(&h, absent[i], &v), -1);
		CHECK_EQ(mwr(&h, absent[i], 0), -1);
	}
	/* Write-only: EOI and SELF IPI reads #GP. */
	CHECK_EQ(mrd(&h, 0x80b, &v), -1);
	CHECK_EQ(mrd(&h, 0x83f, &v), -1);
	/* EOI and ESR: non-zero writes #GP. */
	CHECK_EQ(mwr(&h, 0x80b, 1), -1);
	CHECK_EQ(mwr(&h, 0x80b, 0), 0);
	CHECK_EQ(mwr(&h, 0x828, 1), -1);
	CHECK_EQ(mwr(&h, 0x828, 0), 0);
	/* Bits 63:32 of 32-bit registers: #GP, no change. */
	CHECK_EQ(mwr(&h, 0x808, 1ULL << 32 | 0x10), -1);
	CHECK_EQ(mrd(&h, 0x808, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(mwr(&h, 0x83f, 1ULL << 40 | 0x40), -1);
	CHECK_EQ(h.l.irr[2], 0);
	/* Reserved bits 31:0 are ignored as in xAPIC mode. */
	CHECK_EQ(mwr(&h, 0x808, 0xffffffff), 0);
	CHECK_EQ(mrd(&h, 0x808, &v), 0);
	CHECK_EQ(v, 0xff);
	/* x2APIC ESR. */
	CHECK_EQ(mwr(&h, 0x80f, 0x1ff), 0);
	lapic_accept(&h.l, 1, false);
	CHECK_EQ(mwr(&h, 0x828, 0), 0);
	CHECK_EQ(mrd(&h, 0x828, &v), 0);
	CHECK_EQ(v, LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	/* Hardware-disabled: x2APIC MSRs #GP again. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE), 0);
	CHECK_EQ(mrd(&h, 0x802, &v), -1);
}

TEST(lapic_x2apic_registers, "REQ-LAPIC-025")
{
	struct host h;
	uint64_t v;

	host_init_id(&h, 0x12345, false);
	to_x2apic(&h);
	CHECK_EQ(mrd(&h, 0x802, &v), 0);
	CHECK_EQ(v, 0x12345);
	CHECK_EQ(mrd(&h, 0x803, &v), 0);
	CHECK_EQ(v, LAPIC_VERSION);
	CHECK_EQ(mrd(&h, 0x80d, &v), 0);
	CHECK_EQ(v, 0x12340020);                /* cluster 0x1234, bit 5 */
	host_init_id(&h, 0xfffffff0, false);
	to_x2apic(&h);
	CHECK_EQ(mrd(&h, 0x80d, &v), 0);
	CHECK_EQ(v, 0xffff0001);                /* cluster is ID bits 19:4 */
	/* ICR: one 64-bit register, a write sends. */
	CHECK_EQ(mwr(&h, 0x830, 0xdeadbeef00004041ULL | LAPIC_ICR_LOGICAL), 0);
	CHECK_EQ(h.nsent, 1);
	CHECK_EQ(h.msg[0].dest, 0xdeadbeef);
	CHECK_EQ(h.msg[0].vector, 0x41);
	CHECK(h.msg[0].logical);
	CHECK_EQ(mrd(&h, 0x830, &v), 0);
	CHECK_EQ(v, 0xdeadbeef00004841ULL);
	/* SELF IPI: fixed, edge, into this LAPIC; illegal vector is an error. */
	CHECK_EQ(mwr(&h, 0x80f, 0x1ff), 0);
	CHECK_EQ(mwr(&h, 0x83f, 0xffffff61), 0);
	CHECK(irr(&h, 0x61));
	CHECK_EQ(h.l.tmr[3], 0);
	CHECK_EQ(h.nsent, 1);                   /* not routed through the owner */
	CHECK_EQ(mwr(&h, 0x83f, 0x0f), 0);
	CHECK_EQ(mwr(&h, 0x828, 0), 0);
	CHECK_EQ(mrd(&h, 0x828, &v), 0);
	CHECK_EQ(v, LAPIC_ESR_SEND_ILLEGAL_VECTOR);
	/* Other registers as in xAPIC mode. */
	CHECK_EQ(mwr(&h, 0x808, 0x30), 0);
	CHECK_EQ(mrd(&h, 0x80a, &v), 0);
	CHECK_EQ(v, 0x30);
	CHECK_EQ(mrd(&h, 0x820 + 3, &v), 0);
	CHECK_EQ(v, 2);
	CHECK_EQ(mwr(&h, 0x835, 0x700), 0);
	CHECK_EQ(mrd(&h, 0x835, &v), 0);
	CHECK_EQ(v, 0x700);
	CHECK_EQ(mwr(&h, 0x82f, 0x40), 0);
	CHECK_EQ(mrd(&h, 0x82f, &v), 0);
	CHECK_EQ(v, 0x40);
	CHECK_EQ(mwr(&h, 0x83e, 0xb), 0);
	CHECK_EQ(mwr(&h, 0x838, 100), 0);
	CHECK_EQ(mrd(&h, 0x839, &v), 0);
	CHECK_EQ(v, 100);
	CHECK_EQ(mrd(&h, 0x83e, &v), 0);
	CHECK_EQ(v, 0xb);
	CHECK_EQ(mrd(&h, 0x838, &v), 0);
	CHECK_EQ(v, 100);
	take(&h);
	CHECK_EQ(mrd(&h, 0x810 + 3, &v), 0);
	CHECK_EQ(v, 2);
	CHECK_EQ(mwr(&h, 0x80b, 0), 0);
	CHECK_EQ(h.l.isr[3], 0);
}

TEST(lapic_mmio_outside_xapic_mode, "REQ-LAPIC-026")
{
	struct host h;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_TPR, 0x40);
	to_x2apic(&h);
	CHECK_EQ(rd(&h, LAPIC_REG_TPR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_VER), 0);
	wr(&h, LAPIC_REG_TPR, 0x10);
	wr(&h, 0x40, 0);                        /* no ESR either */
	CHECK_EQ(h.l.tpr, 0x40);
	CHECK_EQ(h.l.esr_pending, 0);
	/* Hardware-disabled: the same. */
	CHECK_EQ(mwr(&h, MSR_IA32_APIC_BASE, LAPIC_DEFAULT_BASE), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_SVR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_DFR), 0);
	wr(&h, LAPIC_REG_TPR, 0x10);
	wr(&h, 0x40, 0);
	CHECK_EQ(h.l.tpr, 0);
	CHECK_EQ(h.l.esr_pending, 0);
}

/* ---- timer ------------------------------------------------------------------------------ */

TEST(lapic_timer_one_shot, "REQ-LAPIC-027")
{
	struct host h;
	uint64_t t0;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x40);
	wr(&h, LAPIC_REG_TIMER_DCR, 0x1);               /* divide by 4 */
	t0 = h.now;
	wr(&h, LAPIC_REG_TIMER_ICR, 1000);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 4000);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_ICR), 1000);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 1000);
	h.now = t0 + 1;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 1000);    /* partial count */
	h.now = t0 + 4;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 999);
	h.now = t0 + 3999;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 1);
	CHECK(!irr(&h, 0x40));
	lapic_timer_advance(&h.l, t0 + 3999);           /* early: nothing */
	CHECK(!irr(&h, 0x40));
	lapic_timer_advance(&h.l, t0 + 4000);
	CHECK(irr(&h, 0x40));
	CHECK_EQ(h.l.tmr[2], 0);                        /* edge */
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	h.now = t0 + 5000;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_ICR), 1000);
	CHECK_EQ(take(&h), 0x40);
	lapic_timer_advance(&h.l, t0 + 100000);         /* fires once only */
	CHECK(!irr(&h, 0x40));
	/* Re-arm, then stop with initial count 0. */
	wr(&h, LAPIC_REG_TIMER_ICR, 5);
	CHECK(lapic_timer_deadline(&h.l) != TIME_NEVER);
	wr(&h, LAPIC_REG_TIMER_ICR, 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	lapic_timer_advance(&h.l, UINT64_MAX);
	CHECK(!irr(&h, 0x40));
	/* A read after the deadline sees the expiry even before any advance. */
	wr(&h, LAPIC_REG_TIMER_ICR, 10);
	h.now += 100;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	CHECK(irr(&h, 0x40));
	/* The maximum count at the maximum divide does not overflow. */
	wr(&h, LAPIC_REG_TIMER_DCR, 0xa);               /* divide by 128 */
	wr(&h, LAPIC_REG_TIMER_ICR, 0xffffffff);
	CHECK_EQ(lapic_timer_deadline(&h.l), h.now + 0xffffffffULL * 128);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0xffffffff);
}

TEST(lapic_timer_periodic, "REQ-LAPIC-028")
{
	struct host h;
	uint64_t t0;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x41 | LAPIC_TIMER_PERIODIC);
	wr(&h, LAPIC_REG_TIMER_DCR, 0xb);               /* divide by 1 */
	t0 = h.now;
	wr(&h, LAPIC_REG_TIMER_ICR, 1000);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 1000);
	lapic_timer_advance(&h.l, t0 + 1000);
	CHECK(irr(&h, 0x41));
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 2000);
	CHECK_EQ(take(&h), 0x41);
	wr(&h, LAPIC_REG_EOI, 0);
	/* Late advance: the grid does not drift. */
	lapic_timer_advance(&h.l, t0 + 2300);
	CHECK(irr(&h, 0x41));
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 3000);
	h.now = t0 + 2300;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 700);
	/* Many missed periods: one interrupt, next deadline on the grid. */
	CHECK_EQ(take(&h), 0x41);
	wr(&h, LAPIC_REG_EOI, 0);
	lapic_timer_advance(&h.l, t0 + 1000 * 1000000 + 1);
	CHECK(irr(&h, 0x41));
	CHECK_EQ(h.l.isr[2], 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 1000 * 1000001);
	/* A 1-ns period over a 1e18-ns gap costs one step, not 1e18. */
	wr(&h, LAPIC_REG_TIMER_ICR, 1);
	lapic_timer_advance(&h.l, 1000000000000000000ULL);
	CHECK_EQ(lapic_timer_deadline(&h.l), 1000000000000000001ULL);
	/* Near the end of time the deadline saturates to never. */
	lapic_timer_advance(&h.l, UINT64_MAX - 1);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	h.now = UINT64_MAX - 1;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	/* Arming close to the end of time: never instead of wrapping. */
	h.now = UINT64_MAX - 10;
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
}

TEST(lapic_timer_divide, "REQ-LAPIC-029")
{
	struct host h;
	static const uint32_t div[16] = { 2, 4, 8, 16, 2, 4, 8, 16, 32, 64, 128, 1, 32, 64, 128, 1 };
	uint64_t t0;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x40);
	for (uint32_t v = 0; v < 16; v++) {
		wr(&h, LAPIC_REG_TIMER_DCR, v | 0xfffffff0);
		CHECK_EQ(rd(&h, LAPIC_REG_TIMER_DCR), v & 0xb);
		wr(&h, LAPIC_REG_TIMER_ICR, 10);
		CHECK_EQ(lapic_timer_deadline(&h.l), h.now + 10ULL * div[v]);
	}
	/* Changing the divide keeps the count and continues at the new rate. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x40 | LAPIC_TIMER_PERIODIC);
	wr(&h, LAPIC_REG_TIMER_DCR, 0x0);               /* 2 */
	t0 = h.now;
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	h.now = t0 + 60;                                /* 30 counts gone */
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 70);
	wr(&h, LAPIC_REG_TIMER_DCR, 0x1);               /* 4 */
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 70);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 60 + 280);
	lapic_timer_advance(&h.l, t0 + 340);
	CHECK(irr(&h, 0x40));
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 340 + 400);   /* reload x 4 */
	/* Stopped or TSC-deadline timer: the divide is only stored. */
	wr(&h, LAPIC_REG_TIMER_ICR, 0);
	wr(&h, LAPIC_REG_TIMER_DCR, 0xb);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_DCR), 0xb);
}

TEST(lapic_timer_lvt_modes, "REQ-LAPIC-030")
{
	struct host h;
	uint64_t t0;

	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_TIMER_DCR, 0xb);
	/* Masked: counts, reloads, no interrupt. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | LAPIC_TIMER_PERIODIC | LAPIC_LVT_MASKED);
	t0 = h.now;
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	lapic_timer_advance(&h.l, t0 + 150);
	CHECK(!irr(&h, 0x42));
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 200);
	h.now = t0 + 150;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 50);
	/* Unmask: the next expiry interrupts. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | LAPIC_TIMER_PERIODIC);
	lapic_timer_advance(&h.l, t0 + 200);
	CHECK(irr(&h, 0x42));
	CHECK_EQ(take(&h), 0x42);
	wr(&h, LAPIC_REG_EOI, 0);
	/* Periodic -> one-shot: the running count ends, no reload. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 300);
	lapic_timer_advance(&h.l, t0 + 300);
	CHECK(irr(&h, 0x42));
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(take(&h), 0x42);
	wr(&h, LAPIC_REG_EOI, 0);
	/* One-shot -> periodic while running: reloads from then on. */
	h.now = t0 + 300;
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | LAPIC_TIMER_PERIODIC);
	lapic_timer_advance(&h.l, t0 + 400);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 500);
	/* Mode 11 (reserved) behaves as one-shot and reads back as written. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | (3u << 17));
	CHECK_EQ(rd(&h, LAPIC_REG_LVT_TIMER), 0x42 | (3u << 17));
	lapic_timer_advance(&h.l, t0 + 500);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	/* An illegal timer vector is refused with an error. */
	take(&h);
	wr(&h, LAPIC_REG_EOI, 0);
	esr(&h);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x02);
	wr(&h, LAPIC_REG_TIMER_ICR, 1);
	lapic_timer_advance(&h.l, h.now + 1);
	CHECK_EQ(h.l.irr[0], 0);
	CHECK_EQ(esr(&h), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	/* Entering TSC-deadline mode disarms a running count. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | LAPIC_TIMER_PERIODIC);
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | LAPIC_TIMER_TSC);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	/* Leaving it disarms an armed TSC deadline. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, UINT64_MAX / 2), 0);
	CHECK(lapic_timer_deadline(&h.l) != TIME_NEVER);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x42 | LAPIC_TIMER_PERIODIC);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(h.l.tsc_deadline, 0);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_ICR), 100);     /* kept, not running */
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
}

TEST(lapic_timer_tsc_deadline, "REQ-LAPIC-031")
{
	struct host h;
	uint64_t v, t0 = 1000000;

	host_init(&h);
	enable(&h);
	/* Outside TSC-deadline mode: reads 0, writes ignored. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 123456789), 0);
	CHECK_EQ(mrd(&h, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x43 | LAPIC_TIMER_TSC);
	/* TSC = now * 3 (base 0, 3 GHz): deadline 3*t0+1 needs ns t0+1. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 3 * (t0 + 500) + 1), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 501);
	CHECK_EQ(mrd(&h, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, 3 * (t0 + 500) + 1);
	/* Initial count is ignored, current count reads 0. */
	wr(&h, LAPIC_REG_TIMER_ICR, 5);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_ICR), 0);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 501);
	wr(&h, LAPIC_REG_TIMER_DCR, 1);                 /* divide is irrelevant */
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 501);
	lapic_timer_advance(&h.l, t0 + 500);
	CHECK(!irr(&h, 0x43));
	lapic_timer_advance(&h.l, t0 + 501);
	CHECK(irr(&h, 0x43));
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(mrd(&h, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, 0);                                 /* 0 after firing */
	CHECK_EQ(take(&h), 0x43);
	wr(&h, LAPIC_REG_EOI, 0);
	/* Exactly on a TSC tick. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 3 * (t0 + 600)), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), t0 + 600);
	/* 0 disarms. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 0), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	lapic_timer_advance(&h.l, UINT64_MAX);
	CHECK(!irr(&h, 0x43));
	/* A deadline in the past fires on the next advance. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 1), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), 1);        /* TSC 1 is reached at 1 ns */
	CHECK(!irr(&h, 0x43));
	lapic_timer_advance(&h.l, h.now);
	CHECK(irr(&h, 0x43));
	/* Extreme values: no overflow. 2^64-1 ticks at 3 GHz is ~6.1e18 ns. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, UINT64_MAX), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), (uint64_t)(((unsigned __int128)UINT64_MAX * 1000000 +
							 TSC_KHZ - 1) / TSC_KHZ));
	/* A slow TSC puts the deadline beyond 2^64 ns: never. */
	lapic_set_tsc(&h.l, 1, 0, h.now);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(mrd(&h, MSR_IA32_TSC_DEADLINE, &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	/* A stopped TSC (0 kHz) never reaches a future deadline... */
	lapic_set_tsc(&h.l, 0, 100, h.now);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	/* ...but a past one is due. */
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 50), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), 0);
	/* A TSC offset (negative base) and a new rate re-derive the deadline. */
	lapic_set_tsc(&h.l, 1000000, INT64_MIN, h.now);         /* fires the past one */
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 10), 0);
	CHECK_EQ(lapic_timer_deadline(&h.l), (1ULL << 63) + 10);   /* 2^63+10 ns */
	lapic_set_tsc(&h.l, 2000000, -4000, h.now);             /* tsc = 2*now - 4000 */
	CHECK_EQ(lapic_timer_deadline(&h.l), 2005);    /* 2 * 2005 - 4000 = 10 */
	/* The old clock is caught up first: 2005 is past, so it fires. */
	take(&h);
	wr(&h, LAPIC_REG_EOI, 0);
	lapic_set_tsc(&h.l, 2000000, INT64_MAX, h.now);
	CHECK(irr(&h, 0x43));
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 10), 0);        /* far past */
	CHECK_EQ(lapic_timer_deadline(&h.l), 0);
	/* Not armed: set_tsc changes nothing, in TSC-deadline mode or not. */
	lapic_timer_advance(&h.l, h.now);
	lapic_set_tsc(&h.l, TSC_KHZ, 0, h.now);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x43);
	lapic_set_tsc(&h.l, TSC_KHZ, 5, h.now);
	CHECK_EQ(lapic_timer_deadline(&h.l), TIME_NEVER);
	CHECK_EQ(h.l.tsc_base, 5);
}

TEST(lapic_timer_callbacks_and_catch_up, "REQ-LAPIC-032")
{
	struct host h;
	uint64_t v;

	host_init(&h);
	enable(&h);
	CHECK_EQ(h.ntimer, 0);
	wr(&h, LAPIC_REG_LVT_TIMER, 0x44 | LAPIC_TIMER_PERIODIC);
	CHECK_EQ(h.ntimer, 0);                  /* deadline unchanged */
	wr(&h, LAPIC_REG_TIMER_DCR, 0xb);
	CHECK_EQ(h.ntimer, 0);
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	CHECK_EQ(h.ntimer, 1);
	CHECK_EQ(h.seen_deadline, h.now + 100);
	lapic_timer_advance(&h.l, h.now + 50);  /* not due */
	CHECK_EQ(h.ntimer, 1);
	lapic_timer_advance(&h.l, h.now + 100);
	CHECK_EQ(h.ntimer, 2);
	CHECK_EQ(h.seen_deadline, h.now + 200);
	/* Reads catch the timer up and report the new deadline. */
	h.now += 250;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 50);
	CHECK_EQ(h.ntimer, 3);
	CHECK_EQ(h.seen_deadline, h.now + 50);
	h.now += 50;
	CHECK_EQ(mrd(&h, MSR_IA32_APIC_BASE, &v), 0);
	CHECK_EQ(h.ntimer, 4);
	h.now += 100;
	CHECK_EQ(mwr(&h, 0x10, 0), -1);         /* even a #GP access */
	CHECK_EQ(h.ntimer, 5);
	h.now += 100;
	wr(&h, 0x40, 0);
	CHECK_EQ(h.ntimer, 6);
	CHECK_EQ(h.seen_deadline, lapic_timer_deadline(&h.l));
	wr(&h, LAPIC_REG_TIMER_ICR, 0);
	CHECK_EQ(h.ntimer, 7);
	CHECK_EQ(h.seen_deadline, TIME_NEVER);
	/* TSC deadline writes and mode switches notify too. */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x44 | LAPIC_TIMER_TSC);
	CHECK_EQ(h.ntimer, 7);
	CHECK_EQ(mwr(&h, MSR_IA32_TSC_DEADLINE, 3 * h.now + 30), 0);
	CHECK_EQ(h.ntimer, 8);
	CHECK_EQ(h.seen_deadline, h.now + 10);
	lapic_set_tsc(&h.l, TSC_KHZ, -30, h.now);
	CHECK_EQ(h.ntimer, 9);
	CHECK_EQ(h.seen_deadline, h.now + 20);
	lapic_reset(&h.l, true);
	CHECK_EQ(h.ntimer, 10);
	CHECK_EQ(h.seen_deadline, TIME_NEVER);
	/* NULL timer_changed: fine. */
	h.ops.timer_changed = NULL;
	enable(&h);
	wr(&h, LAPIC_REG_TIMER_ICR, 10);
	lapic_timer_advance(&h.l, h.now + 100);
	CHECK_EQ(h.ntimer, 10);
}

/* Hostile sequences: random registers, values, MSRs and times; the state
 * stays within its invariants (the fuzz target goes much further). */
TEST(lapic_hostile_sequences, "REQ-LAPIC-033")
{
	struct host h;
	uint64_t x = 0x9e3779b97f4a7c15ULL, v;

	/* A `now` older than the arming time: the count stays <= initial. */
	host_init(&h);
	enable(&h);
	wr(&h, LAPIC_REG_TIMER_ICR, 100);
	h.now -= 1000;
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 100);
	h.now = 0;
	wr(&h, LAPIC_REG_TIMER_DCR, 0xa);
	CHECK_EQ(rd(&h, LAPIC_REG_TIMER_CCR), 100);

	host_init_id(&h, 1, false);
	for (unsigned i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (x % 8) {
		case 0:
			rd(&h, (x >> 8) & 0x3ff0);
			break;
		case 1:
		case 2:
			wr(&h, (x >> 8) & 0x3f0, (uint32_t)(x >> 20));
			break;
		case 3:
			mwr(&h, (x >> 8) % 3 == 0 ? MSR_IA32_APIC_BASE :
				(x >> 8) % 3 == 1 ? MSR_IA32_TSC_DEADLINE :
				MSR_X2APIC_FIRST + ((x >> 12) & 0x4f), x >> 3);
			break;
		case 4:
			mrd(&h, MSR_X2APIC_FIRST + ((x >> 12) & 0x4f), &v);
			break;
		case 5:
			h.now += (x >> 40) >> ((x >> 8) & 31);
			lapic_timer_advance(&h.l, h.now);
			break;
		case 6:
			lapic_accept(&h.l, (uint8_t)(x >> 8), (x >> 16) & 1);
			take(&h);
			break;
		default:
			lapic_set_lint(&h.l, (x >> 8) & 1, (x >> 9) & 1);
			break;
		}
		CHECK_EQ(h.l.irr[0] & 0xffff, 0);
		CHECK_EQ(h.l.isr[0] & 0xffff, 0);
		CHECK(lapic_timer_deadline(&h.l) > h.now || (h.l.lvt[LAPIC_LVT_TIMER] >> 17 & 3) == 2);
		CHECK(!(h.l.apic_base & APIC_BASE_X2APIC) || (h.l.apic_base & APIC_BASE_ENABLE));
		CHECK(lapic_sw_enabled(&h.l) || (h.l.lvt[LAPIC_LVT_TIMER] & LAPIC_LVT_MASKED));
		CHECK_EQ(h.ntimer == 0 ? TIME_NEVER : h.seen_deadline, lapic_timer_deadline(&h.l));
	}
}

TEST(lapic_describe_for_hang_reports, "REQ-CLI-007")
{
	struct host h;
	char buf[256];

	host_init(&h);
	enable(&h);
	lapic_describe(&h.l, h.now, buf, sizeof(buf));
	CHECK_STR_CONTAINS(buf, "apic id 0: irr -1 isr -1 tpr 0x0 svr 0x1ff");
	CHECK_STR_CONTAINS(buf, "timer not armed");
	lapic_accept(&h.l, 0x41, false);
	lapic_accept(&h.l, 0x35, false);
	wr(&h, LAPIC_REG_TPR, 0x20);
	wr(&h, LAPIC_REG_TIMER_DCR, 0xb);       /* divide by 1 */
	wr(&h, LAPIC_REG_LVT_TIMER, 0x30);
	wr(&h, LAPIC_REG_TIMER_ICR, 1000);
	lapic_describe(&h.l, h.now, buf, sizeof(buf));
	CHECK_STR_CONTAINS(buf, "irr 65 isr -1 tpr 0x20");
	CHECK_STR_CONTAINS(buf, "lvt-timer 0x30");
	CHECK_STR_CONTAINS(buf, "timer in ");
	/* Overdue: described from a later "now". */
	lapic_describe(&h.l, lapic_timer_deadline(&h.l) + 5000, buf, sizeof(buf));
	CHECK_STR_CONTAINS(buf, "timer 5 us overdue");
	/* Truncation is safe. */
	lapic_describe(&h.l, h.now, buf, 8);
	CHECK_EQ(strlen(buf), 7u);
}
