/* verifies: REQ-IOAPIC-001 REQ-IOAPIC-007 REQ-IOAPIC-009 REQ-IOAPIC-010 REQ-IOAPIC-011 REQ-IOAPIC-015 REQ-IOAPIC-017 */
/* libFuzzer target for the I/O APIC model. The input is a sequence of
 * operations, one opcode byte each (low 3 bits), then operands:
 *   0 ss            write ss to IOREGSEL
 *   1 v0 v1 v2 v3   write v (little endian) to IOWIN
 *   2               read IOWIN
 *   3 oo v0..v3     write v at offset oo * 4 (0x00..0x3fc, EOI at 0x40)
 *   4 pp            set pin pp & 0x1f (24..31 out of range) to bit 5 of pp
 *   5 vv            EOI for vector vv
 *   6               reset
 *   7 oo            read offset oo (0x00..0xff; unaligned too)
 * Opcode bits 3-7 are free, so an opcode 1 with bit 3 clears the mask bit of
 * the value (more unmasked entries). After every operation the model's
 * invariants are checked; a violation aborts. */
#include "dev/ioapic.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct host {
	const struct ioapic *io;
	unsigned n;     /* messages during the current operation */
};

static bool level_treated(uint64_t e)
{
	unsigned mode = (unsigned)((e & IOAPIC_RTE_DM) >> IOAPIC_RTE_DM_SHIFT);

	return (e & IOAPIC_RTE_LEVEL) && (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST);
}

static bool active(const struct ioapic *io, unsigned pin)
{
	bool high = (io->pin_level >> pin) & 1u;

	return (io->redir[pin] & IOAPIC_RTE_POLARITY) ? !high : high;
}

/* Valid message, formed by some unmasked entry as it stands now. */
static void host_deliver(void *opaque, const struct apic_msg *m)
{
	struct host *h = opaque;
	unsigned d = m->delivery;
	bool found = false;

	h->n++;
	if (d == 3 || d == APIC_DM_SIPI || d > 7)
		abort();
	if ((d == APIC_DM_FIXED || d == APIC_DM_LOWEST) && m->vector < 0x10)
		abort();
	if (m->level && d != APIC_DM_FIXED && d != APIC_DM_LOWEST)
		abort();
	for (unsigned i = 0; i < IOAPIC_PINS && !found; i++) {
		uint64_t e = h->io->redir[i];

		found = !(e & IOAPIC_RTE_MASK) && (uint8_t)e == m->vector &&
			(e & IOAPIC_RTE_DM) >> IOAPIC_RTE_DM_SHIFT == d &&
			!!(e & IOAPIC_RTE_DESTMODE) == m->logical &&
			e >> IOAPIC_RTE_DEST_SHIFT == m->dest && level_treated(e) == m->level &&
			active(h->io, i) && (!m->level || (e & IOAPIC_RTE_REMOTE_IRR));
	}
	if (!found)
		abort();
}

static void check(const struct ioapic *io)
{
	if (io->id > 0x0f || io->pin_level >> IOAPIC_PINS)
		abort();
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		uint64_t e = io->redir[i];
		uint8_t vec = (uint8_t)e;

		if (e & ~(IOAPIC_RTE_WRITABLE | IOAPIC_RTE_REMOTE_IRR))
			abort();
		if ((e & IOAPIC_RTE_REMOTE_IRR) && !(e & IOAPIC_RTE_LEVEL))
			abort();
		/* No lost level interrupt: a sendable active level entry has
		 * been sent and waits for its EOI. */
		if (level_treated(e) && vec >= 0x10 && !(e & IOAPIC_RTE_MASK) && active(io, i) &&
		    !(e & IOAPIC_RTE_REMOTE_IRR))
			abort();
	}
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ioapic io;
	struct host h = { &io, 0 };
	size_t i = 0;

	ioapic_init(&io, 1, host_deliver, &h);
	while (i < size) {
		uint8_t op = data[i++];
		struct ioapic before = io;
		unsigned pin;
		bool level, was_active;
		uint32_t v;

		h.n = 0;
		switch (op & 7) {
		case 0:
			if (i + 1 > size)
				return 0;
			ioapic_mmio_write(&io, IOAPIC_REGSEL, data[i++]);
			if (h.n != 0 || ioapic_mmio_read(&io, IOAPIC_REGSEL) > 0xff)
				abort();
			break;
		case 1:
			if (i + 4 > size)
				return 0;
			v = get32(data + i);
			i += 4;
			if (op & 8)
				v &= ~(uint32_t)IOAPIC_RTE_MASK;
			ioapic_mmio_write(&io, IOAPIC_WIN, v);
			if (h.n > 1)
				abort();
			break;
		case 2:
			v = ioapic_mmio_read(&io, IOAPIC_WIN);
			if (io.ioregsel == IOAPIC_REG_VER && v != 0x00170020)
				abort();
			if ((io.ioregsel == IOAPIC_REG_ID || io.ioregsel == IOAPIC_REG_ARB) &&
			    v != (uint32_t)io.id << 24)
				abort();
			if (io.ioregsel >= IOAPIC_REG_REDIR_END && v != 0)
				abort();
			if (memcmp(&before.redir, &io.redir, sizeof(io.redir)) || h.n != 0)
				abort();
			break;
		case 3: {
			uint64_t off;

			if (i + 5 > size)
				return 0;
			off = (uint64_t)data[i++] * 4;
			v = get32(data + i);
			i += 4;
			ioapic_mmio_write(&io, off, v);
			/* Undecoded offsets change nothing. */
			if (off != IOAPIC_REGSEL && off != IOAPIC_WIN && off != IOAPIC_EOI &&
			    (h.n != 0 || memcmp(&before.redir, &io.redir, sizeof(io.redir)) ||
			     before.ioregsel != io.ioregsel || before.id != io.id))
				abort();
			break;
		}
		case 4:
			if (i + 1 > size)
				return 0;
			pin = data[i] & 0x1f;
			level = (data[i++] >> 5) & 1;
			was_active = pin < IOAPIC_PINS && active(&io, pin);
			ioapic_set_irq(&io, pin, level);
			if (pin >= IOAPIC_PINS) {
				if (h.n != 0 || io.pin_level != before.pin_level)
					abort();
				break;
			}
			if (h.n > 1)
				abort();
			/* Edge-treated: exactly one message per unmasked rising
			 * (valid) edge, none otherwise. */
			if (!level_treated(io.redir[pin])) {
				uint64_t e = io.redir[pin];
				unsigned d = (unsigned)((e & IOAPIC_RTE_DM) >> IOAPIC_RTE_DM_SHIFT);
				bool valid = d != 3 && d != APIC_DM_SIPI &&
					     !((d == APIC_DM_FIXED || d == APIC_DM_LOWEST) &&
					       (uint8_t)e < 0x10);
				bool want = valid && !was_active && active(&io, pin) &&
					    !(e & IOAPIC_RTE_MASK);

				if (h.n != (want ? 1u : 0u))
					abort();
			}
			break;
		case 5:
			if (i + 1 > size)
				return 0;
			ioapic_eoi(&io, data[i++]);
			break;
		case 6:
			ioapic_reset(&io);
			for (unsigned p = 0; p < IOAPIC_PINS; p++)
				if (io.redir[p] != IOAPIC_RTE_MASK)
					abort();
			if (h.n != 0 || io.pin_level != before.pin_level || io.ioregsel != 0)
				abort();
			break;
		default:
			if (i + 1 > size)
				return 0;
			v = ioapic_mmio_read(&io, data[i]);
			if (data[i] != IOAPIC_REGSEL && data[i] != IOAPIC_WIN && v != 0)
				abort();
			i++;
			if (memcmp(&before.redir, &io.redir, sizeof(io.redir)) || h.n != 0)
				abort();
			break;
		}
		check(&io);
	}
	return 0;
}
