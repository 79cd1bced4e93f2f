/* verifies: REQ-PIC-001 REQ-PIC-006 REQ-PIC-007 REQ-PIC-008 REQ-PIC-011 REQ-PIC-019 REQ-PIC-020 */
/* libFuzzer target for the 8259A PIC pair. The input is a sequence of
 * operations, one opcode byte each (plus a value byte for writes):
 *   00lrrrrr           pic_set_irq(r, l)  (r = 0..31: 2 and 16..31 are not inputs)
 *   01xxxppp vv        write vv to port P[p]
 *   10xxxppp           read port P[p]
 *   11r-----           r = 1: pic_reset, r = 0: pic_ack (INTA)
 * with P = 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 and two undecoded ports.
 * After every operation the model's invariants are checked; a violation
 * aborts, which libFuzzer reports as a crash. */
#include "dev/pic8259.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t ports[8] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x22, 0x4d2 };

struct host {
	struct pic_pair p;
	unsigned ncalls;
	bool level;
};

static void host_intr(void *opaque, unsigned line, bool level)
{
	struct host *h = opaque;

	/* Called only on changes, after the model has settled. */
	if (line != 3 || level == h->level || pic_intr(&h->p) != level)
		abort();
	h->ncalls++;
	h->level = level;
}

/* Would this chip raise INT now? Asked through a poll on a copy with the
 * INTR line removed, so the real instance is not disturbed. */
static bool peek_int(const struct pic_pair *p, unsigned chip)
{
	struct pic_pair c = *p;
	uint16_t base = chip ? PIC_SLAVE_BASE : PIC_MASTER_BASE;

	c.intr.fn = NULL;
	pic_io_write(&c, base, PIC_OCW3 | PIC_OCW3_POLL);
	return (pic_io_read(&c, base) & 0x80) != 0;
}

static void check(const struct host *h)
{
	const struct pic_pair *p = &h->p;

	for (unsigned i = 0; i < 2; i++) {
		const struct pic8259 *c = &p->chip[i];

		if (c->elcr & ~c->elcr_mask)
			abort();
		if ((c->irr & c->elcr) != (c->lines & c->elcr))
			abort(); /* level inputs: IRR is the line */
		if (c->lowest > 7 || (c->vector_base & 7) || (c->icw4 & ~PIC_ICW4_MASK))
			abort();
		if (c->init_step != 0 && (c->init_step < 2 || c->init_step > 4))
			abort();
	}
	if (p->chip[0].elcr_mask != PIC_ELCR_MASK_MASTER ||
	    p->chip[1].elcr_mask != PIC_ELCR_MASK_SLAVE)
		abort();
	for (unsigned irq = 0; irq < 32; irq++) {
		bool lvl = irq < 16 && (p->chip[irq >> 3].elcr >> (irq & 7)) & 1;

		if (pic_irq_is_level(p, irq) != lvl)
			abort();
	}
	/* The slave's INT is the master's IR2 input; INTR is the master's INT. */
	if (((p->chip[0].lines >> PIC_CASCADE_IRQ) & 1) != peek_int(p, 1))
		abort();
	if (pic_intr(p) != peek_int(p, 0))
		abort();
	if (h->level != pic_intr(p))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host h;
	struct irq_line l;
	size_t i = 0;

	memset(&h, 0, sizeof(h));
	l.fn = host_intr;
	l.opaque = &h;
	l.line = 3;
	pic_init(&h.p, l);
	check(&h);
	while (i < size) {
		uint8_t op = data[i++];
		uint16_t port = ports[op & 7];
		struct pic_pair before = h.p;

		switch (op >> 6) {
		case 0: {
			unsigned irq = op & 0x1f;

			pic_set_irq(&h.p, irq, (op & 0x20) != 0);
			if ((irq >= PIC_NUM_IRQS || irq == PIC_CASCADE_IRQ) &&
			    memcmp(&before, &h.p, sizeof(before)) != 0)
				abort();
			break;
		}
		case 1: {
			uint8_t v = i < size ? data[i++] : 0;
			struct pic8259 *c = &h.p.chip[port >= PIC_SLAVE_BASE];
			bool ocw1 = (port & 1) && c->init_step == 0;

			pic_io_write(&h.p, port, v);
			if ((op & 7) >= 6 && memcmp(&before, &h.p, sizeof(before)) != 0)
				abort();
			if ((op & 7) < 4 && ocw1 && c->imr != v)
				abort();
			break;
		}
		case 2: {
			const struct pic8259 *c = &before.chip[port >= PIC_SLAVE_BASE];
			uint8_t v = pic_io_read(&h.p, port);

			if ((op & 7) >= 6) {
				if (v != 0xff || memcmp(&before, &h.p, sizeof(before)) != 0)
					abort();
			} else if ((op & 7) >= 4) {
				if (v != before.chip[(op & 7) - 4].elcr)
					abort();
			} else if (c->poll) {
				if ((v & 0x78) || (v != 0 && !(v & 0x80)))
					abort(); /* 0x80 | level, or 0 */
			} else if (v != ((port & 1) ? c->imr : c->read_isr ? c->isr : c->irr)) {
				abort();
			}
			break;
		}
		default:
			if (op & 0x20) {
				pic_reset(&h.p);
				if (h.p.chip[0].imr != 0xff || h.p.chip[1].imr != 0xff ||
				    h.p.chip[0].isr || h.p.chip[1].isr || pic_intr(&h.p))
					abort();
			} else {
				uint8_t v = pic_ack(&h.p);
				uint8_t mb = before.chip[0].vector_base;
				uint8_t sb = before.chip[1].vector_base;

				if (v != 0xff && (v & 0xf8) != mb && (v & 0xf8) != sb)
					abort();
				/* INTR low: master spurious IR7, nothing in service. */
				if (!before.intr_level &&
				    (v != (mb | 7) || h.p.chip[0].isr != before.chip[0].isr ||
				     h.p.chip[1].isr != before.chip[1].isr))
					abort();
			}
			break;
		}
		check(&h);
	}
	return 0;
}
