/* I/O APIC (82093AA), 24 pins, at 0xfec00000 (REQ-IOAPIC-*). Delivers
 * interrupt messages through a callback; the owner routes them to LAPICs.
 * Not thread-safe (the owner locks). Requirements and deliberate choices:
 * docs/requirements/ioapic.md.
 *
 * Input levels are electrical: an entry programmed active-low (polarity 1)
 * sees its input active while the level is false. Every input starts low at
 * ioapic_init, so the owner of an active-low line (e.g. a PCI INTx wire)
 * drives it high once before the guest runs. */
#ifndef KEEL_DEV_IOAPIC_H
#define KEEL_DEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_BASE     0xfec00000ULL
#define IOAPIC_SIZE     0x1000
#define IOAPIC_PINS     24
#define IOAPIC_VERSION  0x20

/* MMIO offsets. EOI is the directed-EOI register of version 0x20 parts. */
#define IOAPIC_REGSEL   0x00
#define IOAPIC_WIN      0x10
#define IOAPIC_EOI      0x40

/* Register indices (IOREGSEL values). */
#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDIR    0x10    /* entry n: low dword 0x10+2n, high 0x11+2n */
#define IOAPIC_REG_REDIR_END (IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR       0x00000000000000ffULL
#define IOAPIC_RTE_DM_SHIFT     8
#define IOAPIC_RTE_DM           0x0000000000000700ULL
#define IOAPIC_RTE_DESTMODE     (1ULL << 11)    /* 1 = logical */
#define IOAPIC_RTE_DELIVS       (1ULL << 12)    /* delivery status, RO */
#define IOAPIC_RTE_POLARITY     (1ULL << 13)    /* 1 = active low */
#define IOAPIC_RTE_REMOTE_IRR   (1ULL << 14)    /* RO */
#define IOAPIC_RTE_LEVEL        (1ULL << 15)    /* trigger mode: 1 = level */
#define IOAPIC_RTE_MASK         (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT   56
#define IOAPIC_RTE_DEST         0xff00000000000000ULL
/* Bits the guest can write: everything but delivery status, Remote IRR and
 * the reserved bits 55:17. */
#define IOAPIC_RTE_WRITABLE     (IOAPIC_RTE_VECTOR | IOAPIC_RTE_DM | IOAPIC_RTE_DESTMODE | \
				 IOAPIC_RTE_POLARITY | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASK | \
				 IOAPIC_RTE_DEST)

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
	uint8_t id;             /* 4-bit IOAPIC ID (register bits 27:24) */
	uint8_t reset_id;       /* ID given to ioapic_init, restored on reset */
	uint8_t ioregsel;       /* bits 7:0 of IOREGSEL */
	uint64_t redir[IOAPIC_PINS]; /* as the guest reads them */
	uint32_t pin_level;     /* bit per pin: current electrical input level */
	apic_deliver_fn deliver; /* NULL: messages are discarded */
	void *opaque;
};

/* `id` is masked to 4 bits. All inputs start low; then ioapic_reset. */
void ioapic_init(struct ioapic *io, uint8_t id, apic_deliver_fn deliver, void *opaque);
/* Every entry masked, other bits 0; IOREGSEL 0; ID back to the init value.
 * Input levels are kept: the devices driving them are not reset by this. */
void ioapic_reset(struct ioapic *io);
/* Input pin changes level (electrical; pin >= IOAPIC_PINS is ignored).
 * Edge: delivers on inactive->active when unmasked. Level: delivers while
 * active, unmasked and Remote IRR clear; sets Remote IRR. */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* EOI broadcast from a LAPIC for `vector`: clears Remote IRR of matching
 * level-triggered entries and re-delivers if the pin is still active. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
/* MMIO at offsets 0x00 (IOREGSEL), 0x10 (IOWIN) and 0x40 (EOI, write-only),
 * 32-bit accesses; any other offset reads 0 and ignores writes. */
uint32_t ioapic_mmio_read(struct ioapic *io, uint64_t offset);
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, uint32_t value);
/* Redirection entry `pin` as the guest reads it; 0 for pin >= IOAPIC_PINS. */
uint64_t ioapic_entry(const struct ioapic *io, unsigned pin);

#endif
