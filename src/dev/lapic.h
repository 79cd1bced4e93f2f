/* Local APIC, one per vCPU (REQ-LAPIC-*): xAPIC MMIO at 0xfee00000 and
 * x2APIC MSRs 0x800-0x8ff, IA32_APIC_BASE switching between them, priority
 * logic, LVTs, ICR (IPIs go out through a callback), and the timer in
 * one-shot, periodic and TSC-deadline modes. Not thread-safe (owner locks).
 * Requirements and design choices: docs/requirements/lapic.md.
 *
 * Events for the vCPU are flags the owner reads and clears: nmi_pending,
 * init_pending (then reset the vCPU and call lapic_reset(l, true)),
 * sipi_pending + sipi_vector; extint_pending means "ask the PIC" (it
 * follows an unmasked ExtINT LINT pin, or LINT0 while hardware-disabled).
 *
 * Time: `now` is ns of CLOCK_MONOTONIC. The timer's input clock is
 * LAPIC_TIMER_HZ before the divide configuration. The guest TSC is
 * tsc_base + now * tsc_khz / 1e6 (set by the owner from KVM's TSC). */
#ifndef KEEL_DEV_LAPIC_H
#define KEEL_DEV_LAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/ioapic.h"
#include "dev/irq.h"

#define LAPIC_DEFAULT_BASE   0xfee00000ULL
#define LAPIC_SIZE           0x1000
#define LAPIC_TIMER_HZ       1000000000ULL  /* 1 GHz: 1 count per ns at divide 1 */
#define LAPIC_VERSION        0x50014        /* version 0x14, 6 LVT entries (max LVT 5) */

#define MSR_IA32_APIC_BASE   0x1bu
#define MSR_IA32_TSC_DEADLINE 0x6e0u
#define MSR_X2APIC_FIRST     0x800u
#define MSR_X2APIC_LAST      0x8ffu

#define APIC_BASE_BSP        (1ULL << 8)
#define APIC_BASE_X2APIC     (1ULL << 10)
#define APIC_BASE_ENABLE     (1ULL << 11)
#define APIC_BASE_ADDR_MASK  0x000ffffffffff000ULL  /* bits 51:12 */

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16. */
#define LAPIC_REG_ID         0x020
#define LAPIC_REG_VER        0x030
#define LAPIC_REG_TPR        0x080
#define LAPIC_REG_APR        0x090
#define LAPIC_REG_PPR        0x0a0
#define LAPIC_REG_EOI        0x0b0
#define LAPIC_REG_RRD        0x0c0
#define LAPIC_REG_LDR        0x0d0
#define LAPIC_REG_DFR        0x0e0
#define LAPIC_REG_SVR        0x0f0
#define LAPIC_REG_ISR        0x100   /* 8 registers, 0x10 apart */
#define LAPIC_REG_TMR        0x180
#define LAPIC_REG_IRR        0x200
#define LAPIC_REG_ESR        0x280
#define LAPIC_REG_LVT_CMCI   0x2f0
#define LAPIC_REG_ICR_LO     0x300
#define LAPIC_REG_ICR_HI     0x310
#define LAPIC_REG_LVT_TIMER  0x320
#define LAPIC_REG_LVT_THERMAL 0x330
#define LAPIC_REG_LVT_PERF   0x340
#define LAPIC_REG_LVT_LINT0  0x350
#define LAPIC_REG_LVT_LINT1  0x360
#define LAPIC_REG_LVT_ERROR  0x370
#define LAPIC_REG_TIMER_ICR  0x380
#define LAPIC_REG_TIMER_CCR  0x390
#define LAPIC_REG_TIMER_DCR  0x3e0
#define LAPIC_REG_SELF_IPI   0x3f0   /* x2APIC only (MSR 0x83f) */
#define LAPIC_MSR(reg)       (MSR_X2APIC_FIRST + (reg) / 16)

/* SVR, LVT and ICR bits. */
#define LAPIC_SVR_ENABLE     (1u << 8)
#define LAPIC_LVT_MASKED     (1u << 16)
#define LAPIC_LVT_LEVEL      (1u << 15)     /* trigger mode (LINT0/1) */
#define LAPIC_LVT_REMOTE_IRR (1u << 14)     /* read-only */
#define LAPIC_LVT_DM(dm)     ((uint32_t)(dm) << 8)
#define LAPIC_TIMER_ONESHOT  (0u << 17)
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_TIMER_TSC      (2u << 17)
#define LAPIC_ICR_LOGICAL    (1u << 11)
#define LAPIC_ICR_ASSERT     (1u << 14)
#define LAPIC_ICR_LEVEL      (1u << 15)
#define LAPIC_ICR_SHORTHAND(s) ((uint32_t)(s) << 18)

/* ESR bits. */
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define LAPIC_ESR_ILLEGAL_REGISTER    (1u << 7)

/* Local vector table entries, in the order of lapic.lvt[]. */
enum lapic_lvt {
	LAPIC_LVT_CMCI, LAPIC_LVT_TIMER, LAPIC_LVT_THERMAL, LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0, LAPIC_LVT_LINT1, LAPIC_LVT_ERROR, LAPIC_LVT_COUNT
};

struct lapic;

struct lapic_ops {
	/* An IPI from this LAPIC (ICR write): the owner routes it. */
	void (*send_ipi)(void *opaque, struct lapic *src, const struct apic_msg *m,
			 unsigned shorthand /* 0 none, 1 self, 2 all incl self, 3 all excl self */);
	/* EOI of a level-triggered vector (TMR bit set): broadcast to IOAPICs. */
	void (*eoi_broadcast)(void *opaque, uint8_t vector);
	/* The timer deadline changed (re-arm the host timer). */
	void (*timer_changed)(void *opaque, struct lapic *l);
	void *opaque;
};

struct lapic {
	uint32_t id;            /* initial APIC ID = x2APIC ID (read-only) */
	uint8_t xapic_id;       /* xAPIC ID register bits 31:24 (guest-writable) */
	uint64_t apic_base;     /* IA32_APIC_BASE */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr;           /* ESR as the guest reads it (latched by a write) */
	uint32_t esr_pending;   /* errors seen since the last ESR write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LAPIC_LVT_COUNT];
	uint32_t timer_icr;     /* initial count register */
	uint32_t timer_dcr;     /* divide configuration register */
	uint32_t irr[8], isr[8], tmr[8];
	uint64_t tsc_deadline;  /* IA32_TSC_DEADLINE, 0 = disarmed */
	uint64_t timer_deadline_ns; /* next expiry, TIME_NEVER when not armed */
	uint64_t timer_period_ns;   /* initial count x divisor (periodic reload) */
	uint64_t tsc_khz;
	int64_t tsc_base;
	bool lint_level[2];     /* LINT0/LINT1 input levels (asserted = true) */
	/* Pending non-vectored events for the vCPU; the owner reads and clears
	 * nmi/init/sipi. extint_pending follows an unmasked ExtINT LINT pin's
	 * level (or is latched by an ExtINT message). */
	bool nmi_pending, extint_pending, init_pending, sipi_pending;
	bool wait_sipi;         /* in wait-for-SIPI: the next SIPI is taken */
	uint8_t sipi_vector;
	const struct lapic_ops *ops;
};

void lapic_init(struct lapic *l, uint32_t id, bool bsp, const struct lapic_ops *ops,
		uint64_t tsc_khz, int64_t tsc_base);
/* Power-on/INIT reset (INIT keeps the APIC ID and APIC_BASE). */
void lapic_reset(struct lapic *l, bool init_only);
/* Guest physical base of the xAPIC MMIO page (IA32_APIC_BASE bits 51:12;
 * the owner moves its MMIO window when this changes). */
uint64_t lapic_mmio_base(const struct lapic *l);
/* The guest TSC changed rate or offset: re-derive an armed TSC deadline. */
void lapic_set_tsc(struct lapic *l, uint64_t tsc_khz, int64_t tsc_base, uint64_t now);

/* xAPIC MMIO access, 32-bit at 16-byte aligned offsets; others read 0. */
uint32_t lapic_mmio_read(struct lapic *l, uint64_t offset, uint64_t now);
void lapic_mmio_write(struct lapic *l, uint64_t offset, uint32_t value, uint64_t now);
/* MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE and (in x2APIC mode) 0x800-0x8ff.
 * 0 = handled, -1 = #GP (e.g. x2APIC MSR while in xAPIC mode). */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value, uint64_t now);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value, uint64_t now);

bool lapic_hw_enabled(const struct lapic *l);   /* APIC_BASE global enable */
bool lapic_sw_enabled(const struct lapic *l);   /* SVR bit 8 */
bool lapic_x2apic(const struct lapic *l);

/* Accept a fixed/lowest-priority interrupt into IRR (TMR per trigger). */
void lapic_accept(struct lapic *l, uint8_t vector, bool level);
/* Deliver any message addressed to this LAPIC (fixed, lowest, NMI, INIT,
 * SIPI, ExtINT). */
void lapic_deliver(struct lapic *l, const struct apic_msg *m);
/* Does this LAPIC match destination `dest` in physical/logical mode? */
bool lapic_match_dest(const struct lapic *l, uint32_t dest, bool logical);
/* Arbitration priority for lowest-priority delivery (lower wins). */
uint32_t lapic_arb_priority(const struct lapic *l);
/* LINT0/LINT1 input level change (per their LVT: ExtINT, NMI, fixed). */
void lapic_set_lint(struct lapic *l, unsigned pin, bool level);

/* Highest-priority vector in IRR that PPR allows, or -1. */
int lapic_pending_vector(const struct lapic *l);
/* One line of state for a hang report: IRR/ISR heads, TPR, SVR, the timer
 * LVT and when the timer fires next (relative to now). */
void lapic_describe(const struct lapic *l, uint64_t now, char *buf, size_t len);
/* INTA: move `vector` from IRR to ISR (the CPU takes it). */
void lapic_ack(struct lapic *l, uint8_t vector);

/* Timer: absolute deadline in ns or TIME_NEVER; advance fires expiries. */
uint64_t lapic_timer_deadline(const struct lapic *l);
void lapic_timer_advance(struct lapic *l, uint64_t now);

#endif
