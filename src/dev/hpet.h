/* HPET (IA-PC HPET 1.0a) at 0xfed00000 (REQ-HPET-*): 64-bit main counter at
 * HPET_HZ, HPET_TIMERS comparators, one-shot and periodic, 32/64-bit modes,
 * legacy replacement routing (timer 0 -> IRQ0, timer 1 -> IRQ8) and I/O APIC
 * routing, edge or level. Interrupts leave through an hpet_irq_fn: either an
 * ISA IRQ (legacy replacement) or an I/O APIC pin; the owner wires them.
 * Not thread-safe (owner locks). Requirements and choices:
 * docs/requirements/hpet.md.
 *
 * Time: `now` is ns of CLOCK_MONOTONIC. The main counter is a function of
 * `now` (ticks since it was started), never incremented, so it cannot drift.
 * A `now` older than one already seen is taken as the newest seen. */
#ifndef KEEL_DEV_HPET_H
#define KEEL_DEV_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define HPET_BASE      0xfed00000ULL
#define HPET_SIZE      0x400
#define HPET_TIMERS    3
#define HPET_HZ        100000000ULL    /* 100 MHz: period 10 ns (10,000,000 fs) */
#define HPET_PERIOD_FS (1000000000000000ULL / HPET_HZ)
#define HPET_VENDOR_ID 0x8086          /* as most PC chipsets; see hpet.md */

/* Register offsets. Timer n's block is at HPET_REG_TIMER(n). */
#define HPET_REG_GCAP_ID      0x000
#define HPET_REG_GEN_CONF     0x010
#define HPET_REG_GEN_INT_STS  0x020
#define HPET_REG_COUNTER      0x0f0
#define HPET_REG_TIMER(n)     (0x100 + 0x20 * (n))
#define HPET_TN_CONF          0x00
#define HPET_TN_CMP           0x08
#define HPET_TN_FSB           0x10

/* GEN_CONF bits. */
#define HPET_CONF_ENABLE      (1ULL << 0)
#define HPET_CONF_LEG_RT      (1ULL << 1)

/* GCAP_ID fields. */
#define HPET_CAP_REV_ID       0x01ULL
#define HPET_CAP_COUNT_SIZE   (1ULL << 13)
#define HPET_CAP_LEG_RT       (1ULL << 15)

/* Tn_CONF_CAP bits. */
#define HPET_TN_INT_TYPE      (1ULL << 1)     /* 1 = level */
#define HPET_TN_INT_ENB       (1ULL << 2)
#define HPET_TN_TYPE          (1ULL << 3)     /* 1 = periodic */
#define HPET_TN_PER_CAP       (1ULL << 4)     /* RO: every timer can be periodic */
#define HPET_TN_SIZE_CAP      (1ULL << 5)     /* RO: 64-bit comparator */
#define HPET_TN_VAL_SET       (1ULL << 6)
#define HPET_TN_32MODE        (1ULL << 8)
#define HPET_TN_ROUTE_SHIFT   9
#define HPET_TN_ROUTE         (0x1fULL << HPET_TN_ROUTE_SHIFT)
#define HPET_TN_FSB_EN        (1ULL << 14)    /* FSB delivery: not supported, reads 0 */
#define HPET_TN_FSB_CAP       (1ULL << 15)    /* reads 0 */
#define HPET_TN_ROUTE_CAP     0x00f00000ULL   /* allowed I/O APIC pins: 20-23 (bits 63:32) */

/* `isa` true: legacy replacement route, `line` is an ISA IRQ (0 or 8);
 * false: `line` is an I/O APIC pin. */
typedef void (*hpet_irq_fn)(void *opaque, bool isa, unsigned line, bool level);

struct hpet_timer {
	uint64_t config;         /* writable Tn_CONF bits (caps are added on read) */
	uint64_t comparator;
	uint64_t period;         /* last value written to the comparator register */
	uint64_t next_tick;      /* next match, in ticks since counter_base_ns; UINT64_MAX none */
	uint64_t deadline_ns;    /* next_tick as a `now`; TIME_NEVER none */
};

struct hpet {
	uint64_t config;         /* GEN_CONF */
	uint64_t isr;            /* GEN_INT_STS */
	uint64_t counter_offset; /* main counter = (now - base) * HZ + offset while enabled */
	uint64_t counter_base_ns;
	uint64_t counter_stopped; /* main counter while halted */
	uint64_t now_ns;         /* newest `now` seen */
	uint64_t lines;          /* output lines we hold high: bit p = I/O APIC pin p,
				  * bit 32 = ISA IRQ0, bit 33 = ISA IRQ8 */
	struct hpet_timer t[HPET_TIMERS];
	hpet_irq_fn irq;         /* may be NULL */
	void *opaque;
};

void hpet_init(struct hpet *h, hpet_irq_fn irq, void *opaque, uint64_t now);
/* 32- or 64-bit accesses at any register offset; others read 0. */
uint64_t hpet_mmio_read(struct hpet *h, uint64_t offset, unsigned len, uint64_t now);
void hpet_mmio_write(struct hpet *h, uint64_t offset, uint64_t value, unsigned len, uint64_t now);
/* Earliest `now` at which hpet_advance changes an output line (a pulse or
 * a rising level); TIME_NEVER when none can come. Always later than the
 * newest `now` seen. Matches with no outside effect are caught up on the
 * next access instead. Only writes can make it earlier, reads cannot: the
 * owner need re-arm its timer only after hpet_mmio_write. */
uint64_t hpet_next_deadline(const struct hpet *h);
void hpet_advance(struct hpet *h, uint64_t now);

#endif
