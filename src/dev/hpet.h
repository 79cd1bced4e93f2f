/* HPET (IA-PC HPET 1.0a) at 0xfed00000 (REQ-HPET-*): 64-bit main counter at
 * HPET_HZ, HPET_TIMERS comparators, one-shot and periodic, 32/64-bit modes,
 * legacy replacement routing (timer 0 -> IRQ0, timer 1 -> IRQ8) and I/O APIC
 * routing, edge or level. Interrupts leave through an hpet_irq_fn: either an
 * ISA IRQ (legacy replacement) or an I/O APIC pin; the owner wires them.
 * Not thread-safe (owner locks). */
#ifndef KEEL_DEV_HPET_H
#define KEEL_DEV_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define HPET_BASE      0xfed00000ULL
#define HPET_SIZE      0x400
#define HPET_TIMERS    3
#define HPET_HZ        100000000ULL    /* 100 MHz: period 10 ns (10,000,000 fs) */

/* `isa` true: legacy replacement route, `line` is an ISA IRQ (0 or 8);
 * false: `line` is an I/O APIC pin. */
typedef void (*hpet_irq_fn)(void *opaque, bool isa, unsigned line, bool level);

struct hpet_timer {
	uint64_t config;         /* Tn_CONF_CAP (config bits + caps) */
	uint64_t comparator;
	uint64_t period;         /* periodic mode increment */
	bool level_asserted;
};

struct hpet {
	uint64_t config;         /* GEN_CONF */
	uint64_t isr;            /* GEN_INT_STS */
	uint64_t counter_offset; /* main counter = (now - base) * HZ + offset while enabled */
	uint64_t counter_base_ns;
	uint64_t counter_stopped;
	struct hpet_timer t[HPET_TIMERS];
	hpet_irq_fn irq;
	void *opaque;
};

void hpet_init(struct hpet *h, hpet_irq_fn irq, void *opaque, uint64_t now);
/* 32- or 64-bit accesses at any register offset; others read 0. */
uint64_t hpet_mmio_read(struct hpet *h, uint64_t offset, unsigned len, uint64_t now);
void hpet_mmio_write(struct hpet *h, uint64_t offset, uint64_t value, unsigned len, uint64_t now);
uint64_t hpet_next_deadline(const struct hpet *h);
void hpet_advance(struct hpet *h, uint64_t now);

#endif
