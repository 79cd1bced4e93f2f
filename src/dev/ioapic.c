/* I/O APIC register model (REQ-IOAPIC-*), written from the 82093AA
 * datasheet, with the version 0x20 register set (directed EOI register).
 * Requirements and deliberate choices: docs/requirements/ioapic.md.
 *
 * Model in one paragraph: a message leaves at once (delivery status always
 * reads 0). The input level goes through the entry's polarity to give
 * "active". Edge entries (and SMI/NMI/INIT/ExtINT, which the chip always
 * treats as edge) send one message per inactive->active input change while
 * unmasked. Level entries are re-evaluated after every input change, entry
 * write and EOI: active, unmasked and Remote IRR clear sends a message and
 * sets Remote IRR; an EOI for the vector clears it. */
#include "dev/ioapic.h"

#include <stddef.h>
#include <string.h>

#define ID_SHIFT        24
#define ID_MASK         0x0fu
/* Version register: max redirection entry (pins - 1) in bits 23:16. */
#define VERSION_VALUE   ((uint32_t)(IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION)
/* Vectors 0-15 are illegal for fixed/lowest delivery (the LAPIC would
 * reject them). */
#define VECTOR_MIN      0x10

static unsigned rte_mode(uint64_t rte)
{
	return (unsigned)((rte & IOAPIC_RTE_DM) >> IOAPIC_RTE_DM_SHIFT);
}

static bool mode_vectored(unsigned mode)
{
	return mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST;
}

/* Level semantics apply only to fixed/lowest: the datasheet has SMI, NMI,
 * INIT and ExtINT treated as edge whatever the trigger bit says. */
static bool rte_level(uint64_t rte)
{
	return (rte & IOAPIC_RTE_LEVEL) && mode_vectored(rte_mode(rte));
}

static bool pin_active(const struct ioapic *io, unsigned pin)
{
	bool high = (io->pin_level >> pin) & 1u;

	return (io->redir[pin] & IOAPIC_RTE_POLARITY) ? !high : high;
}

/* Sends the entry's message. Reserved delivery modes (3, and 6 = SIPI,
 * which only a LAPIC may send) and illegal vectors for fixed/lowest are
 * dropped here rather than passed on for the LAPIC to reject: nothing is
 * sent and Remote IRR stays clear. */
static void send(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->redir[pin];
	unsigned mode = rte_mode(rte);
	struct apic_msg m;

	if (mode == 3 || mode == APIC_DM_SIPI)
		return;
	if (mode_vectored(mode) && (rte & IOAPIC_RTE_VECTOR) < VECTOR_MIN)
		return;
	m = (struct apic_msg){
		.vector = (uint8_t)(rte & IOAPIC_RTE_VECTOR),
		.delivery = (enum apic_delivery)mode,
		.logical = (rte & IOAPIC_RTE_DESTMODE) != 0,
		.dest = (uint32_t)(rte >> IOAPIC_RTE_DEST_SHIFT),
		.level = rte_level(rte),
	};
	/* Remote IRR before the callback, so the state is final should the
	 * owner look at it from there. */
	if (m.level)
		io->redir[pin] |= IOAPIC_RTE_REMOTE_IRR;
	if (io->deliver != NULL)
		io->deliver(io->opaque, &m);
}

/* Level entries: the input is sampled whenever anything relevant changes. */
static void level_eval(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->redir[pin];

	if (!rte_level(rte) || (rte & (IOAPIC_RTE_MASK | IOAPIC_RTE_REMOTE_IRR)))
		return;
	if (pin_active(io, pin))
		send(io, pin);
}

void ioapic_init(struct ioapic *io, uint8_t id, apic_deliver_fn deliver, void *opaque)
{
	memset(io, 0, sizeof(*io));
	io->reset_id = id & ID_MASK;
	io->deliver = deliver;
	io->opaque = opaque;
	ioapic_reset(io);
}

void ioapic_reset(struct ioapic *io)
{
	io->id = io->reset_id;
	io->ioregsel = 0;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->redir[i] = IOAPIC_RTE_MASK;
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	bool was_active;

	if (pin >= IOAPIC_PINS)
		return;
	was_active = pin_active(io, pin);
	if (level)
		io->pin_level |= 1u << pin;
	else
		io->pin_level &= ~(1u << pin);

	if (rte_level(io->redir[pin])) {
		level_eval(io, pin);
		return;
	}
	/* Edge: an edge on a masked pin is lost, not held pending. */
	if (!was_active && pin_active(io, pin) && !(io->redir[pin] & IOAPIC_RTE_MASK))
		send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		uint64_t rte = io->redir[i];

		if (!(rte & IOAPIC_RTE_REMOTE_IRR) || (rte & IOAPIC_RTE_VECTOR) != vector)
			continue;
		io->redir[i] = rte & ~IOAPIC_RTE_REMOTE_IRR;
		level_eval(io, i);
	}
}

uint64_t ioapic_entry(const struct ioapic *io, unsigned pin)
{
	return pin < IOAPIC_PINS ? io->redir[pin] : 0;
}

static uint32_t reg_read(const struct ioapic *io, unsigned reg)
{
	if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR_END) {
		uint64_t rte = io->redir[(reg - IOAPIC_REG_REDIR) / 2];

		return (reg & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
	}
	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB: /* arbitration ID follows the ID (no bus here) */
		return (uint32_t)io->id << ID_SHIFT;
	case IOAPIC_REG_VER:
		return VERSION_VALUE;
	default:
		return 0; /* unimplemented index */
	}
}

static void reg_write(struct ioapic *io, unsigned reg, uint32_t value)
{
	unsigned pin;
	uint64_t rte, keep, wr;

	if (reg == IOAPIC_REG_ID) {
		io->id = (uint8_t)((value >> ID_SHIFT) & ID_MASK);
		return;
	}
	/* Version, arbitration ID and unimplemented indices are read-only. */
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR_END)
		return;

	pin = (reg - IOAPIC_REG_REDIR) / 2;
	rte = io->redir[pin];
	if (reg & 1) {
		keep = 0x00000000ffffffffULL;
		wr = (uint64_t)value << 32;
	} else {
		keep = 0xffffffff00000000ULL;
		wr = value;
	}
	/* Read-only and reserved bits keep their value (0 for reserved). */
	rte = (rte & (keep | ~IOAPIC_RTE_WRITABLE)) | (wr & ~keep & IOAPIC_RTE_WRITABLE);
	/* Remote IRR has no meaning for edge entries; switching to edge clears
	 * it (guests use mask + edge + restore to unstick it). */
	if (!(rte & IOAPIC_RTE_LEVEL))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->redir[pin] = rte;
	/* Unmasking (or any other change) of an active level entry delivers. */
	level_eval(io, pin);
}

uint32_t ioapic_mmio_read(struct ioapic *io, uint64_t offset)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		return io->ioregsel;
	case IOAPIC_WIN:
		return reg_read(io, io->ioregsel);
	default:
		return 0; /* includes the write-only EOI register */
	}
}

void ioapic_mmio_write(struct ioapic *io, uint64_t offset, uint32_t value)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		io->ioregsel = (uint8_t)value;
		break;
	case IOAPIC_WIN:
		reg_write(io, io->ioregsel, value);
		break;
	case IOAPIC_EOI:
		ioapic_eoi(io, (uint8_t)value);
		break;
	default:
		break;
	}
}
