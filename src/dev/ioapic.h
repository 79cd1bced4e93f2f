/* I/O APIC (82093AA), 24 pins, at 0xfec00000 (REQ-IOAPIC-*). Delivers
 * interrupt messages through a callback; the owner routes them to LAPICs.
 * Not thread-safe (the owner locks). */
#ifndef KEEL_DEV_IOAPIC_H
#define KEEL_DEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_BASE     0xfec00000ULL
#define IOAPIC_SIZE     0x1000
#define IOAPIC_PINS     24
#define IOAPIC_VERSION  0x20

/* Delivery modes (shared with the LAPIC's ICR encoding). */
enum apic_delivery {
	APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
	APIC_DM_INIT = 5, APIC_DM_SIPI = 6, APIC_DM_EXTINT = 7,
};

struct apic_msg {
	uint8_t vector;
	enum apic_delivery delivery;
	bool logical;           /* destination mode */
	uint32_t dest;          /* 8-bit xAPIC destination (or x2APIC id) */
	bool level;             /* trigger mode: level */
};

typedef void (*apic_deliver_fn)(void *opaque, const struct apic_msg *m);

struct ioapic {
	uint32_t id;
	uint32_t ioregsel;
	uint64_t redir[IOAPIC_PINS];
	uint32_t pin_level;     /* bit per pin: current input level */
	apic_deliver_fn deliver;
	void *opaque;
};

void ioapic_init(struct ioapic *io, uint8_t id, apic_deliver_fn deliver, void *opaque);
void ioapic_reset(struct ioapic *io);
/* Input pin changes level. Edge: delivers on 0->1 when unmasked. Level:
 * delivers while high, unmasked and Remote IRR clear; sets Remote IRR. */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* EOI broadcast from a LAPIC for `vector`: clears Remote IRR of matching
 * level-triggered entries and re-delivers if the pin is still high. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
/* MMIO at offsets 0x00 (IOREGSEL) and 0x10 (IOWIN), 32-bit accesses. */
uint32_t ioapic_mmio_read(struct ioapic *io, uint64_t offset);
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, uint32_t value);

#endif
