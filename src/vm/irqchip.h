/* The interrupt complex of one VM in irqchip = "vmm" mode (REQ-IRQ-*):
 * PIC pair, I/O APIC and one local APIC per vCPU, wired as on a PC:
 *   ISA IRQ n -> PIC input n and I/O APIC pin n (IRQ0 -> pin 2; pin 0 is
 *   the PIC's INTR, not an ISA line), PIC INTR -> LINT0 of the boot CPU's
 *   LAPIC (ExtINT, virtual wire), I/O APIC messages and IPIs -> LAPICs by
 *   destination, LAPIC EOI of level vectors -> I/O APIC.
 * Without a LAPIC (timers.lapic = false) the PIC's INTR goes straight to
 * vCPU 0 and there is no I/O APIC, as on a pre-APIC PC.
 * Pure data and functions; the owner locks and tells vCPUs to look again
 * through ops->kick. */
#ifndef KEEL_VM_IRQCHIP_H
#define KEEL_VM_IRQCHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/ioapic.h"
#include "dev/lapic.h"
#include "dev/pic8259.h"

#define IRQCHIP_MAX_CPUS 64

struct irqchip_ops {
	/* vCPU `cpu` may have a new event (interrupt, NMI, INIT, SIPI). */
	void (*kick)(void *opaque, unsigned cpu);
	/* A LAPIC timer deadline changed: re-arm the host timer. */
	void (*timer_changed)(void *opaque);
	void *opaque;
};

struct irqchip {
	unsigned ncpus;
	bool has_lapic;
	struct pic_pair pic;
	struct ioapic ioapic;
	struct lapic lapic[IRQCHIP_MAX_CPUS];
	bool pic_intr;                  /* PIC INTR level (no-LAPIC wiring) */
	struct lapic_ops lops;
	struct irqchip_ops ops;
	uint32_t isa_level;             /* current level of ISA IRQ lines */
};

void irqchip_init(struct irqchip *ic, unsigned ncpus, bool has_lapic, uint64_t tsc_khz,
		  int64_t tsc_base, const struct irqchip_ops *ops);
/* An ISA IRQ line (0..15) changes level. */
void irqchip_set_isa_irq(struct irqchip *ic, unsigned irq, bool level);
/* An I/O APIC pin (0..23) changes level, bypassing the PIC (PCI, HPET). */
void irqchip_set_gsi(struct irqchip *ic, unsigned pin, bool level);

/* What vCPU `cpu` should take next. */
bool irqchip_has_interrupt(const struct irqchip *ic, unsigned cpu);
/* INTA: returns the vector to inject (and moves it in service), or -1. */
int irqchip_ack(struct irqchip *ic, unsigned cpu);
bool irqchip_take_nmi(struct irqchip *ic, unsigned cpu);
bool irqchip_take_init(struct irqchip *ic, unsigned cpu);
/* Returns the SIPI vector, or -1 if none is pending. */
int irqchip_take_sipi(struct irqchip *ic, unsigned cpu);

/* LAPIC timers. */
uint64_t irqchip_next_deadline(const struct irqchip *ic);
void irqchip_advance(struct irqchip *ic, uint64_t now);

#endif
