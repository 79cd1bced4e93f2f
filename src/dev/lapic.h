/* Local APIC, one per vCPU (REQ-LAPIC-*): xAPIC MMIO at 0xfee00000 and
 * x2APIC MSRs 0x800-0x8ff, IA32_APIC_BASE switching between them, priority
 * logic, LVTs, ICR (IPIs go out through a callback), and the timer in
 * one-shot, periodic and TSC-deadline modes. Not thread-safe (owner locks).
 *
 * Time: `now` is ns of CLOCK_MONOTONIC. The timer's input clock is
 * LAPIC_TIMER_HZ before the divide configuration. The guest TSC is
 * tsc_base + now * tsc_khz / 1e6 (set by the owner from KVM's TSC). */
#ifndef KEEL_DEV_LAPIC_H
#define KEEL_DEV_LAPIC_H

#include <stdbool.h>
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
	uint32_t id;            /* APIC ID (xAPIC: bits 31:24 of the ID register) */
	uint64_t apic_base;     /* IA32_APIC_BASE */
	uint32_t regs[0x400 / 4]; /* register file by offset / 16 * 4... implementer's layout */
	uint32_t irr[8], isr[8], tmr[8];
	uint64_t tsc_deadline;
	uint64_t timer_deadline_ns; /* TIME_NEVER when not armed */
	uint64_t timer_start_ns;
	uint64_t timer_period_ns;
	uint64_t tsc_khz;
	int64_t tsc_base;
	/* Pending non-vectored events for the vCPU. */
	bool nmi_pending, extint_pending, init_pending, sipi_pending;
	uint8_t sipi_vector;
	const struct lapic_ops *ops;
};

void lapic_init(struct lapic *l, uint32_t id, bool bsp, const struct lapic_ops *ops,
		uint64_t tsc_khz, int64_t tsc_base);
/* Power-on/INIT reset (INIT keeps the APIC ID and APIC_BASE). */
void lapic_reset(struct lapic *l, bool init_only);

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
/* INTA: move `vector` from IRR to ISR (the CPU takes it). */
void lapic_ack(struct lapic *l, uint8_t vector);

/* Timer: absolute deadline in ns or TIME_NEVER; advance fires expiries. */
uint64_t lapic_timer_deadline(const struct lapic *l);
void lapic_timer_advance(struct lapic *l, uint64_t now);

#endif
