/* Unit tests for the 8259A PIC pair (docs/requirements/pic.md). */
#include "test.h"

#include <limits.h>

#include "dev/pic8259.h"

/* Host side of the INTR line: counts calls and checks that each one is a
 * change and that the model already reports the new level. */
struct host {
	struct pic_pair p;
	unsigned nintr;
	bool level;
	bool bad_call;
};

static void host_intr(void *opaque, unsigned line, bool level)
{
	struct host *h = opaque;

	if (line != 7 || level == h->level || pic_intr(&h->p) != level)
		h->bad_call = true;
	h->nintr++;
	h->level = level;
}

static void host_init(struct host *h)
{
	struct irq_line l = { host_intr, h, 7 };

	memset(h, 0, sizeof(*h));
	pic_init(&h->p, l);
}

static void wr(struct host *h, uint16_t port, uint8_t v)
{
	pic_io_write(&h->p, port, v);
}

static uint8_t rd(struct host *h, uint16_t port)
{
	return pic_io_read(&h->p, port);
}

/* Program one chip: ICW1..ICW4 as given (icw3/icw4 only when ICW1 asks). */
static void program(struct host *h, uint16_t base, uint8_t icw1, uint8_t icw2,
		    uint8_t icw3, uint8_t icw4)
{
	wr(h, base, icw1);
	wr(h, base + 1, icw2);
	if (!(icw1 & PIC_ICW1_SNGL))
		wr(h, base + 1, icw3);
	if (icw1 & PIC_ICW1_IC4)
		wr(h, base + 1, icw4);
}

/* The usual PC set-up (as Linux does): vectors 0x20 and 0x28, all unmasked. */
static void host_init_pc(struct host *h, uint8_t master_icw4, uint8_t slave_icw4)
{
	host_init(h);
	program(h, 0x20, 0x11, 0x20, 0x04, master_icw4);
	program(h, 0xa0, 0x11, 0x28, 0x02, slave_icw4);
	wr(h, 0x21, 0x00);
	wr(h, 0xa1, 0x00);
}

static void pulse(struct host *h, unsigned irq)
{
	pic_set_irq(&h->p, irq, true);
	pic_set_irq(&h->p, irq, false);
}

static uint8_t read_isr(struct host *h, uint16_t base)
{
	wr(h, base, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
	return rd(h, base);
}

static uint8_t read_irr(struct host *h, uint16_t base)
{
	wr(h, base, PIC_OCW3 | PIC_OCW3_RR);
	return rd(h, base);
}

static void eoi(struct host *h, uint16_t base)
{
	wr(h, base, PIC_OCW2_EOI);
}

TEST(pic_port_decode, "REQ-PIC-001")
{
	static const uint16_t others[] = { 0x00, 0x1f, 0x22, 0x23, 0x9f, 0xa2, 0xa3,
					   0x4cf, 0x4d2, 0x4d3, 0xffff };
	struct host h;
	struct pic_pair before;

	host_init_pc(&h, 0x01, 0x01);
	pic_set_irq(&h.p, 4, true);
	CHECK(pic_intr(&h.p));
	before = h.p;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		for (unsigned v = 0; v < 256; v += 0x11) {
			CHECK_EQ(rd(&h, others[i]), 0xff);
			wr(&h, others[i], (uint8_t)v);
		}
	}
	CHECK(memcmp(&before, &h.p, sizeof(before)) == 0);
	CHECK_EQ(h.nintr, 1);
	/* The six decoded ports reach their registers. */
	wr(&h, 0x21, 0x5a);
	wr(&h, 0xa1, 0xa5);
	wr(&h, 0x4d0, 0x08);
	wr(&h, 0x4d1, 0x02);
	CHECK_EQ(rd(&h, 0x21), 0x5a);
	CHECK_EQ(rd(&h, 0xa1), 0xa5);
	CHECK_EQ(rd(&h, 0x4d0), 0x08);
	CHECK_EQ(rd(&h, 0x4d1), 0x02);
	CHECK_EQ(rd(&h, 0x20), 0x10);   /* IRR: IRQ4 */
	CHECK_EQ(rd(&h, 0xa0), 0x00);
}

TEST(pic_reset_state, "REQ-PIC-002")
{
	struct host h;

	host_init(&h);
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(h.nintr, 0);
	CHECK_EQ(rd(&h, 0x21), 0xff);
	CHECK_EQ(rd(&h, 0xa1), 0xff);
	CHECK_EQ(rd(&h, 0x20), 0);
	CHECK_EQ(rd(&h, 0xa0), 0);
	CHECK_EQ(rd(&h, 0x4d0), 0);
	CHECK_EQ(rd(&h, 0x4d1), 0);
	CHECK_EQ(read_isr(&h, 0x20), 0);
	CHECK_EQ(read_isr(&h, 0xa0), 0);
	/* Everything masked: a request is latched but raises nothing. */
	pic_set_irq(&h.p, 0, true);
	CHECK_EQ(read_irr(&h, 0x20), 0x01);
	CHECK(!pic_intr(&h.p));
	/* Usable before any ICW: vectors 0x08 / 0x70, cascade on IR2, IR7
	 * lowest, normal EOI. */
	wr(&h, 0x21, 0x00);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x08);
	CHECK_EQ(read_isr(&h, 0x20), 0x01);
	eoi(&h, 0x20);
	wr(&h, 0xa1, 0x00);
	pulse(&h, 8);
	pulse(&h, 15);
	CHECK_EQ(pic_ack(&h.p), 0x70);
	CHECK_EQ(read_isr(&h, 0x20), 0x04);
	CHECK_EQ(read_isr(&h, 0xa0), 0x01);
	eoi(&h, 0xa0);
	eoi(&h, 0x20);
	CHECK_EQ(pic_ack(&h.p), 0x77);
	CHECK_EQ(read_isr(&h, 0xa0), 0x80);
	CHECK(!h.bad_call);
}

TEST(pic_reset_keeps_inputs, "REQ-PIC-002")
{
	struct host h;

	host_init_pc(&h, 0x03, 0x01);
	wr(&h, 0x4d0, 0x08);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_ESMM | PIC_OCW3_SMM);
	wr(&h, 0x20, PIC_OCW2_SET_PRIO | 3);
	pic_set_irq(&h.p, 3, true);     /* level, held high */
	pic_set_irq(&h.p, 4, true);     /* edge, held high */
	CHECK(pic_intr(&h.p));
	CHECK_EQ(h.nintr, 1);
	pic_reset(&h.p);
	/* INTR drops with one call; ELCR, IMR, vectors, modes back to reset. */
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(h.nintr, 2);
	CHECK_EQ(rd(&h, 0x4d0), 0);
	CHECK_EQ(rd(&h, 0x21), 0xff);
	CHECK_EQ(rd(&h, 0x20), 0);      /* edge sense reset */
	CHECK_EQ(h.p.chip[0].lines, 0x18);
	CHECK_EQ(h.p.chip[0].icw4, PIC_ICW4_8086);
	CHECK(!h.p.chip[0].special_mask);
	CHECK_EQ(h.p.chip[0].lowest, 7);
	/* A held-high edge input needs a new rising edge. */
	wr(&h, 0x21, 0x00);
	CHECK(!pic_intr(&h.p));
	pic_set_irq(&h.p, 4, false);
	CHECK(!pic_intr(&h.p));
	pic_set_irq(&h.p, 4, true);
	CHECK_EQ(pic_ack(&h.p), 0x0c);
	CHECK(!h.bad_call);
}

TEST(pic_icw1_effects, "REQ-PIC-003")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	wr(&h, 0x4d0, 0x20);                    /* IRQ5 level */
	pic_set_irq(&h.p, 5, true);
	pulse(&h, 6);
	pulse(&h, 1);
	CHECK_EQ(pic_ack(&h.p), 0x21);
	wr(&h, 0x21, 0x0f);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_ESMM | PIC_OCW3_SMM);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
	wr(&h, 0x20, PIC_OCW2_ROT_AEOI_SET);
	wr(&h, 0x20, PIC_OCW2_SET_PRIO | 2);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL);
	/* ICW1 (LTIM and ADI set too: ignored) */
	wr(&h, 0x20, 0x1d);
	CHECK_EQ(h.p.chip[0].init_step, 2);
	CHECK(!h.p.chip[0].poll);
	CHECK(!h.p.chip[0].special_mask);
	CHECK(!h.p.chip[0].rotate_aeoi);
	CHECK_EQ(h.p.chip[0].lowest, 7);
	CHECK_EQ(h.p.chip[0].icw3, 7);
	CHECK_EQ(rd(&h, 0x21), 0x00);           /* IMR cleared */
	CHECK_EQ(rd(&h, 0x20), 0x20);           /* IRR read, level IRQ5 kept */
	CHECK_EQ(h.p.chip[0].isr, 0);
	wr(&h, 0x21, 0x08);
	wr(&h, 0x21, 0x04);
	wr(&h, 0x21, 0x01);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	CHECK_EQ(pic_ack(&h.p), 0x0d);          /* the level request survives */
	/* LTIM ignored: IRQ6, an edge input, latches a pulse. */
	pulse(&h, 6);
	CHECK_EQ(read_irr(&h, 0x20), 0x60);
	/* IC4 = 0 clears every ICW4 function (AEOI, SFNM). */
	program(&h, 0x20, 0x11, 0x20, 0x04, PIC_ICW4_8086 | PIC_ICW4_AEOI | PIC_ICW4_SFNM);
	CHECK_EQ(h.p.chip[0].icw4, 0x13);
	wr(&h, 0x20, 0x10);
	CHECK_EQ(h.p.chip[0].icw4, 0);
	wr(&h, 0x21, 0x20);
	wr(&h, 0x21, 0x04);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	wr(&h, 0x21, 0x00);
	CHECK_EQ(pic_ack(&h.p), 0x25);
	CHECK_EQ(read_isr(&h, 0x20), 0x20);     /* no auto-EOI any more */
	CHECK(!h.bad_call);
}

TEST(pic_icw_sequence, "REQ-PIC-004")
{
	struct host h;

	host_init(&h);
	/* Single mode with ICW4: ICW2, ICW4, then OCW1. */
	wr(&h, 0x20, 0x13);
	wr(&h, 0x21, 0x47);             /* low 3 bits ignored */
	CHECK_EQ(h.p.chip[0].vector_base, 0x40);
	CHECK_EQ(h.p.chip[0].init_step, 4);
	wr(&h, 0x21, 0xff);             /* ICW4, bits 5-7 dropped */
	CHECK_EQ(h.p.chip[0].icw4, PIC_ICW4_MASK);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	wr(&h, 0x21, 0x3c);
	CHECK_EQ(rd(&h, 0x21), 0x3c);
	/* Single mode without ICW4: ICW2 then OCW1. */
	wr(&h, 0x20, 0x12);
	wr(&h, 0x21, 0x50);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	wr(&h, 0x21, 0x11);
	CHECK_EQ(rd(&h, 0x21), 0x11);
	/* Cascade without ICW4: ICW2, ICW3, then OCW1. */
	wr(&h, 0x20, 0x10);
	wr(&h, 0x21, 0x60);
	CHECK_EQ(h.p.chip[0].init_step, 3);
	wr(&h, 0x21, 0x04);
	CHECK_EQ(h.p.chip[0].icw3, 0x04);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	wr(&h, 0x21, 0x22);
	CHECK_EQ(rd(&h, 0x21), 0x22);
	CHECK_EQ(h.p.chip[0].vector_base, 0x60);
	/* OCW2/OCW3 during the sequence act and do not advance it; data
	 * reads return the IMR. */
	wr(&h, 0x20, 0x11);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
	wr(&h, 0x20, PIC_OCW2_SET_PRIO | 4);
	CHECK_EQ(h.p.chip[0].init_step, 2);
	CHECK(h.p.chip[0].read_isr);
	CHECK_EQ(h.p.chip[0].lowest, 4);
	CHECK_EQ(rd(&h, 0x21), 0x00);
	wr(&h, 0x21, 0x20);
	CHECK_EQ(h.p.chip[0].init_step, 3);
	/* A new ICW1 restarts the sequence. */
	wr(&h, 0x20, 0x11);
	CHECK_EQ(h.p.chip[0].init_step, 2);
	wr(&h, 0x21, 0x30);
	wr(&h, 0x21, 0x04);
	wr(&h, 0x21, 0x01);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	CHECK_EQ(h.p.chip[0].vector_base, 0x30);
	/* The slave's sequence is independent of the master's. */
	wr(&h, 0xa0, 0x11);
	wr(&h, 0xa1, 0x38);
	CHECK_EQ(h.p.chip[0].init_step, 0);
	CHECK_EQ(h.p.chip[1].init_step, 3);
	wr(&h, 0xa1, 0x02);
	wr(&h, 0xa1, 0x01);
	wr(&h, 0xa1, 0x00);
	wr(&h, 0x21, 0x00);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x3c);
	/* uPM = 0 (8080 mode) still delivers 8086 vectors. */
	program(&h, 0x20, 0x11, 0x30, 0x04, 0x00);
	pulse(&h, 3);
	CHECK_EQ(pic_ack(&h.p), 0x33);
	CHECK(!h.bad_call);
}

TEST(pic_imr, "REQ-PIC-005")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	wr(&h, 0x21, 0x08);
	pulse(&h, 3);
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(read_irr(&h, 0x20), 0x08);     /* latched, masked */
	CHECK_EQ(pic_ack(&h.p), 0x27);          /* masked: not acknowledged */
	CHECK_EQ(read_irr(&h, 0x20), 0x08);
	wr(&h, 0x21, 0x00);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(h.nintr, 1);
	/* Masking a raised request drops INTR. */
	wr(&h, 0x21, 0xff);
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(h.nintr, 2);
	CHECK_EQ(rd(&h, 0x21), 0xff);
	wr(&h, 0x21, 0xf7);
	CHECK_EQ(pic_ack(&h.p), 0x23);
	/* Slave mask, and the master's IR2 mask cutting the whole slave. */
	eoi(&h, 0x20);
	wr(&h, 0xa1, 0x02);
	wr(&h, 0x21, 0x00);
	pulse(&h, 9);
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(rd(&h, 0xa0), 0x02);
	CHECK_EQ(rd(&h, 0xa1), 0x02);
	wr(&h, 0x21, 0x04);
	wr(&h, 0xa1, 0x00);
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(read_irr(&h, 0x20), 0x04);     /* IR2 latched, masked */
	wr(&h, 0x21, 0x00);
	CHECK_EQ(pic_ack(&h.p), 0x29);
	CHECK(!h.bad_call);
}

TEST(pic_edge_level_inputs, "REQ-PIC-006")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	/* Edge: latched on 0->1, kept when the line falls before INTA. */
	pulse(&h, 3);
	CHECK_EQ(read_irr(&h, 0x20), 0x08);
	CHECK_EQ(pic_ack(&h.p), 0x23);
	CHECK_EQ(read_irr(&h, 0x20), 0x00);
	eoi(&h, 0x20);
	/* Held high: no new request until the next rising edge. */
	pic_set_irq(&h.p, 4, true);
	CHECK_EQ(pic_ack(&h.p), 0x24);
	eoi(&h, 0x20);
	pic_set_irq(&h.p, 4, true);
	CHECK(!pic_intr(&h.p));
	pic_set_irq(&h.p, 4, false);
	CHECK(!pic_intr(&h.p));
	pic_set_irq(&h.p, 4, true);
	CHECK_EQ(pic_ack(&h.p), 0x24);
	eoi(&h, 0x20);
	pic_set_irq(&h.p, 4, false);
	/* Level: IRR follows the line. */
	wr(&h, 0x4d1, 0x08);                    /* IRQ11 level */
	pic_set_irq(&h.p, 11, true);
	CHECK_EQ(read_irr(&h, 0xa0), 0x08);
	CHECK(pic_intr(&h.p));
	pic_set_irq(&h.p, 11, false);
	CHECK_EQ(read_irr(&h, 0xa0), 0x00);
	/* IR2 is the cascade input and IRQ >= 16 does not exist: ignored. */
	pic_set_irq(&h.p, 2, true);
	pic_set_irq(&h.p, 16, true);
	pic_set_irq(&h.p, 255, true);
	pic_set_irq(&h.p, UINT_MAX, true);
	CHECK_EQ(h.p.chip[0].lines, 0x00);
	CHECK_EQ(h.p.chip[1].lines, 0x00);
	CHECK_EQ(read_irr(&h, 0xa0), 0x00);
	/* The slave's INT drives master IR2 (edge: latched by the master). */
	pulse(&h, 14);
	CHECK_EQ(h.p.chip[0].lines, 0x04);
	CHECK_EQ(read_irr(&h, 0x20), 0x04);
	wr(&h, 0xa1, 0x40);                     /* slave INT falls */
	CHECK_EQ(h.p.chip[0].lines, 0x00);
	CHECK_EQ(read_irr(&h, 0x20), 0x04);     /* still latched */
	CHECK(!h.bad_call);
}

TEST(pic_elcr, "REQ-PIC-007")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	wr(&h, 0x4d0, 0xff);
	wr(&h, 0x4d1, 0xff);
	CHECK_EQ(rd(&h, 0x4d0), 0xf8);
	CHECK_EQ(rd(&h, 0x4d1), 0xde);
	for (unsigned irq = 0; irq < 16; irq++) {
		bool edge_only = irq == 0 || irq == 1 || irq == 2 || irq == 8 || irq == 13;

		CHECK_EQ(pic_irq_is_level(&h.p, irq), !edge_only);
	}
	CHECK(!pic_irq_is_level(&h.p, 16));
	CHECK(!pic_irq_is_level(&h.p, UINT_MAX));
	/* Forced-edge IRQ13 and IRQ0 stay edge: a pulse is latched. */
	pulse(&h, 13);
	pulse(&h, 0);
	CHECK_EQ(read_irr(&h, 0xa0), 0x20);
	CHECK_EQ(pic_ack(&h.p), 0x20);
	eoi(&h, 0x20);
	CHECK_EQ(pic_ack(&h.p), 0x2d);
	eoi(&h, 0xa0);
	eoi(&h, 0x20);
	/* Edge -> level with the line low drops a latched request; with the
	 * line high IRR is set. */
	wr(&h, 0x4d0, 0x00);
	pulse(&h, 5);
	pic_set_irq(&h.p, 6, true);
	CHECK_EQ(read_irr(&h, 0x20), 0x60);
	wr(&h, 0x4d0, 0x60);
	CHECK_EQ(read_irr(&h, 0x20), 0x40);
	pic_set_irq(&h.p, 7, true);
	wr(&h, 0x4d0, 0xe0);
	CHECK_EQ(read_irr(&h, 0x20), 0xc0);
	/* Level -> edge keeps what IRR holds. */
	wr(&h, 0x4d0, 0x00);
	CHECK_EQ(read_irr(&h, 0x20), 0xc0);
	CHECK(!pic_irq_is_level(&h.p, 6));
	pic_set_irq(&h.p, 6, false);
	CHECK_EQ(read_irr(&h, 0x20), 0xc0);
	CHECK(!h.bad_call);
}

TEST(pic_priority_nested, "REQ-PIC-008")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	pulse(&h, 3);
	CHECK_EQ(pic_ack(&h.p), 0x23);
	/* IRQ5 is lower than IRQ3 in service: held off. */
	pulse(&h, 5);
	CHECK(!pic_intr(&h.p));
	/* IRQ10 ranks at master IR2, above IRQ3: delivered. */
	pulse(&h, 10);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x2a);
	/* IRQ1 outranks both. */
	pulse(&h, 1);
	CHECK_EQ(pic_ack(&h.p), 0x21);
	CHECK_EQ(read_isr(&h, 0x20), 0x0e);
	/* Slave IRQ9 above IRQ10 in service on the slave, but the master's
	 * IR2 is in service too (not SFNM): held off. */
	eoi(&h, 0x20);                          /* IRQ1 done */
	pulse(&h, 9);
	CHECK(!pic_intr(&h.p));
	eoi(&h, 0xa0);
	eoi(&h, 0x20);                          /* IRQ10 done */
	CHECK_EQ(pic_ack(&h.p), 0x29);
	eoi(&h, 0xa0);
	eoi(&h, 0x20);
	CHECK_EQ(read_isr(&h, 0x20), 0x08);
	eoi(&h, 0x20);                          /* IRQ3 done */
	CHECK_EQ(pic_ack(&h.p), 0x25);
	eoi(&h, 0x20);
	/* Several pending at once: strict order 0,1,(8..15),3..7. */
	for (unsigned irq = 15; irq != 2; irq--)
		pulse(&h, irq);
	pulse(&h, 1);
	pulse(&h, 0);
	static const uint8_t order[] = { 0x20, 0x21, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e,
					 0x2f, 0x23, 0x24, 0x25, 0x26, 0x27 };
	for (size_t i = 0; i < sizeof(order); i++) {
		uint8_t v = pic_ack(&h.p);

		CHECK_EQ(v, order[i]);
		if (v >= 0x28)
			eoi(&h, 0xa0);
		eoi(&h, 0x20);
	}
	CHECK(!pic_intr(&h.p));
	CHECK(!h.bad_call);
}

TEST(pic_inta, "REQ-PIC-009")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	for (unsigned irq = 0; irq < 8; irq++) {
		if (irq == 2)
			continue;
		pulse(&h, irq);
		CHECK(pic_intr(&h.p));
		CHECK_EQ(pic_ack(&h.p), 0x20 + irq);
		CHECK_EQ(read_isr(&h, 0x20), 1u << irq);
		CHECK_EQ(read_irr(&h, 0x20), 0);
		CHECK(!pic_intr(&h.p));
		eoi(&h, 0x20);
	}
	/* Level request: IRR stays while the line is high; after EOI it
	 * interrupts again. */
	wr(&h, 0x4d0, 0x80);
	pic_set_irq(&h.p, 7, true);
	CHECK_EQ(pic_ack(&h.p), 0x27);
	CHECK_EQ(read_isr(&h, 0x20), 0x80);
	CHECK_EQ(read_irr(&h, 0x20), 0x80);
	CHECK(!pic_intr(&h.p));
	eoi(&h, 0x20);
	CHECK(pic_intr(&h.p));
	pic_set_irq(&h.p, 7, false);
	CHECK(!pic_intr(&h.p));
	CHECK(!h.bad_call);
}

TEST(pic_cascade_inta, "REQ-PIC-010")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	for (unsigned irq = 8; irq < 16; irq++) {
		pulse(&h, irq);
		CHECK_EQ(pic_ack(&h.p), 0x28 + irq - 8);
		CHECK_EQ(read_isr(&h, 0x20), 0x04);
		CHECK_EQ(read_isr(&h, 0xa0), 1u << (irq - 8));
		CHECK_EQ(read_irr(&h, 0x20), 0);
		CHECK_EQ(read_irr(&h, 0xa0), 0);
		eoi(&h, 0xa0);
		eoi(&h, 0x20);
	}
	/* Master in single mode: IR2 is an ordinary input, the master
	 * answers base+2 and the slave is not acknowledged. */
	program(&h, 0x20, 0x13, 0x20, 0, 0x01);
	pulse(&h, 11);
	CHECK_EQ(pic_ack(&h.p), 0x22);
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	CHECK_EQ(read_irr(&h, 0xa0), 0x08);
	/* Cascade mode but ICW3 names no slave on IR2: the same. */
	program(&h, 0x20, 0x11, 0x20, 0x08, 0x01);
	program(&h, 0xa0, 0x11, 0x28, 0x02, 0x01);
	pulse(&h, 11);
	CHECK_EQ(pic_ack(&h.p), 0x22);
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	/* ICW3 has bit 2 but the slave's ID is 3: nobody drives the bus. */
	program(&h, 0x20, 0x11, 0x20, 0x04, 0x01);
	program(&h, 0xa0, 0x11, 0x28, 0x03, 0x01);
	pulse(&h, 11);
	CHECK_EQ(pic_ack(&h.p), 0xff);
	CHECK_EQ(read_isr(&h, 0x20), 0x04);
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	CHECK_EQ(read_irr(&h, 0xa0), 0x08);
	/* A slave in single mode does not answer cascade addresses. */
	program(&h, 0x20, 0x11, 0x20, 0x04, 0x01);
	program(&h, 0xa0, 0x13, 0x28, 0, 0x01);
	pulse(&h, 11);
	CHECK_EQ(pic_ack(&h.p), 0xff);
	/* Master ICW3 bit 5 and slave ID 5: an IRQ5 INTA is answered by the
	 * slave (its highest request, here IRQ12). */
	program(&h, 0x20, 0x11, 0x20, 0x24, 0x01);
	program(&h, 0xa0, 0x11, 0x28, 0x05, 0x01);
	wr(&h, 0xa1, 0xff);
	pulse(&h, 12);
	wr(&h, 0xa1, 0x00);     /* slave INT rises: master IR2 latched */
	pulse(&h, 5);
	wr(&h, 0x21, 0x04);     /* only IR5 visible to the master */
	CHECK_EQ(pic_ack(&h.p), 0x2c);
	CHECK_EQ(read_isr(&h, 0x20), 0x20);
	CHECK_EQ(read_isr(&h, 0xa0), 0x10);
	CHECK(!h.bad_call);
}

TEST(pic_spurious, "REQ-PIC-011")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	/* Nothing pending at all. */
	CHECK_EQ(pic_ack(&h.p), 0x27);
	CHECK_EQ(read_isr(&h, 0x20), 0);
	/* A level request gone before INTA. */
	wr(&h, 0x4d0, 0x10);
	pic_set_irq(&h.p, 4, true);
	CHECK(pic_intr(&h.p));
	pic_set_irq(&h.p, 4, false);
	CHECK_EQ(pic_ack(&h.p), 0x27);
	CHECK_EQ(read_isr(&h, 0x20), 0);
	/* A real IRQ7 is told apart by ISR bit 7. */
	pulse(&h, 7);
	CHECK_EQ(pic_ack(&h.p), 0x27);
	CHECK_EQ(read_isr(&h, 0x20), 0x80);
	eoi(&h, 0x20);
	/* Slave request gone (level IRQ10 dropped) after the master latched
	 * IR2: IRQ15 vector, master IR2 in service, slave ISR untouched. */
	wr(&h, 0x4d1, 0x04);
	pic_set_irq(&h.p, 10, true);
	pic_set_irq(&h.p, 10, false);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x2f);
	CHECK_EQ(read_isr(&h, 0x20), 0x04);
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	eoi(&h, 0x20);
	/* Same with a request masked on the slave, and with master AEOI. */
	program(&h, 0x20, 0x11, 0x20, 0x04, 0x03);
	wr(&h, 0x21, 0x00);
	pulse(&h, 9);
	wr(&h, 0xa1, 0x02);
	CHECK_EQ(pic_ack(&h.p), 0x2f);
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	CHECK_EQ(read_irr(&h, 0xa0), 0x02);
	CHECK(!h.bad_call);
}

TEST(pic_eoi, "REQ-PIC-012")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	pulse(&h, 6);
	CHECK_EQ(pic_ack(&h.p), 0x26);
	pulse(&h, 4);
	CHECK_EQ(pic_ack(&h.p), 0x24);
	pulse(&h, 1);
	CHECK_EQ(pic_ack(&h.p), 0x21);
	CHECK_EQ(read_isr(&h, 0x20), 0x52);
	/* Non-specific: the highest-priority in-service level. */
	eoi(&h, 0x20);
	CHECK_EQ(read_isr(&h, 0x20), 0x50);
	/* Specific: exactly level L, even when not the highest. */
	wr(&h, 0x20, PIC_OCW2_SEOI | 6);
	CHECK_EQ(read_isr(&h, 0x20), 0x10);
	wr(&h, 0x20, PIC_OCW2_SEOI | 3);        /* not in service: no change */
	CHECK_EQ(read_isr(&h, 0x20), 0x10);
	wr(&h, 0x20, PIC_OCW2_NOP | 4);
	CHECK_EQ(read_isr(&h, 0x20), 0x10);
	eoi(&h, 0x20);
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	eoi(&h, 0x20);                          /* empty ISR: no change */
	wr(&h, 0x20, PIC_OCW2_ROT_EOI);         /* nor rotation */
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	CHECK_EQ(h.p.chip[0].lowest, 7);
	/* Level bits in OCW2 other than specific commands are ignored. */
	pulse(&h, 5);
	CHECK_EQ(pic_ack(&h.p), 0x25);
	wr(&h, 0x20, PIC_OCW2_EOI | 3);
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	CHECK(!h.bad_call);
}

TEST(pic_rotation, "REQ-PIC-013")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	/* Set priority: IRQ4 lowest, so IRQ5 is now the highest. */
	wr(&h, 0x20, PIC_OCW2_SET_PRIO | 4);
	pulse(&h, 4);
	pulse(&h, 0);
	pulse(&h, 5);
	CHECK_EQ(pic_ack(&h.p), 0x25);
	/* IRQ0 ranks below IRQ5 now: held off. */
	CHECK(!pic_intr(&h.p));
	/* Rotate on non-specific EOI: IRQ5 becomes lowest, IRQ6 highest. */
	wr(&h, 0x20, PIC_OCW2_ROT_EOI);
	CHECK_EQ(h.p.chip[0].lowest, 5);
	CHECK_EQ(read_isr(&h, 0x20), 0);
	CHECK_EQ(pic_ack(&h.p), 0x20);
	pulse(&h, 5);
	pulse(&h, 7);
	/* IRQ7 outranks IRQ0 in service; IRQ5 does not. */
	CHECK_EQ(pic_ack(&h.p), 0x27);
	/* Rotate on specific EOI: clears IRQ0 (not the highest, IRQ7 is) and
	 * makes IRQ0 lowest: IRQ1 becomes highest. */
	wr(&h, 0x20, PIC_OCW2_ROT_SEOI | 0);
	CHECK_EQ(read_isr(&h, 0x20), 0x80);
	CHECK_EQ(h.p.chip[0].lowest, 0);
	/* Now IRQ7 (in service) ranks 6 of 7: IRQ4, IRQ5 rank above it. */
	CHECK_EQ(pic_ack(&h.p), 0x24);
	wr(&h, 0x20, PIC_OCW2_SEOI | 4);
	CHECK_EQ(pic_ack(&h.p), 0x25);
	/* Rotate on specific EOI of a level not in service still rotates. */
	wr(&h, 0x20, PIC_OCW2_ROT_SEOI | 3);
	CHECK_EQ(h.p.chip[0].lowest, 3);
	CHECK_EQ(read_isr(&h, 0x20), 0xa0);
	/* Set priority does not EOI. */
	wr(&h, 0x20, PIC_OCW2_SET_PRIO | 7);
	CHECK_EQ(read_isr(&h, 0x20), 0xa0);
	CHECK(!h.bad_call);
}

TEST(pic_auto_eoi, "REQ-PIC-014")
{
	struct host h;

	host_init_pc(&h, 0x03, 0x03);
	pulse(&h, 3);
	CHECK_EQ(pic_ack(&h.p), 0x23);
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	/* No rotation unless commanded. */
	CHECK_EQ(h.p.chip[0].lowest, 7);
	/* Rotate in AEOI: the acknowledged level becomes lowest. */
	wr(&h, 0x20, PIC_OCW2_ROT_AEOI_SET);
	pulse(&h, 0);
	pulse(&h, 1);
	CHECK_EQ(pic_ack(&h.p), 0x20);
	CHECK_EQ(h.p.chip[0].lowest, 0);
	pulse(&h, 0);
	CHECK_EQ(pic_ack(&h.p), 0x21);          /* IRQ1 now above IRQ0 */
	CHECK_EQ(pic_ack(&h.p), 0x20);          /* then IRQ0 */
	wr(&h, 0x20, PIC_OCW2_ROT_AEOI_CLEAR);
	pulse(&h, 6);
	CHECK_EQ(pic_ack(&h.p), 0x26);
	CHECK_EQ(h.p.chip[0].lowest, 0);
	/* Slave in AEOI with two requests: its INT falls and rises during
	 * INTA, so the master's edge IR2 latches the second one. */
	pulse(&h, 9);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x29);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x2c);
	CHECK(!pic_intr(&h.p));
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	/* Slave without AEOI under a master with AEOI. */
	program(&h, 0xa0, 0x11, 0x28, 0x02, 0x01);
	wr(&h, 0xa1, 0x00);
	pulse(&h, 9);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x29);
	CHECK(!pic_intr(&h.p));                 /* IRQ12 below IRQ9 in service */
	eoi(&h, 0xa0);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x2c);
	CHECK(!h.bad_call);
}

TEST(pic_ocw3_read_select, "REQ-PIC-015")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	pulse(&h, 5);
	CHECK_EQ(pic_ack(&h.p), 0x25);
	pulse(&h, 6);
	CHECK_EQ(rd(&h, 0x20), 0x40);           /* IRR after init */
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
	CHECK_EQ(rd(&h, 0x20), 0x20);
	CHECK_EQ(rd(&h, 0x20), 0x20);           /* stays selected */
	CHECK_EQ(rd(&h, 0x21), 0x00);           /* data port: IMR */
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_RIS);  /* RR = 0: no change */
	CHECK_EQ(rd(&h, 0x20), 0x20);
	wr(&h, 0x20, PIC_OCW3);
	CHECK_EQ(rd(&h, 0x20), 0x20);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_RR);
	CHECK_EQ(rd(&h, 0x20), 0x40);
	wr(&h, 0x20, 0x80 | PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS); /* bit 7 ignored */
	CHECK_EQ(rd(&h, 0x20), 0x20);
	/* Per chip. */
	CHECK_EQ(rd(&h, 0xa0), 0x00);
	CHECK(!h.p.chip[1].read_isr);
	CHECK(!h.bad_call);
}

TEST(pic_poll, "REQ-PIC-016")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	/* Nothing pending: 0, and the poll is consumed. */
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL);
	CHECK_EQ(rd(&h, 0x20), 0x00);
	CHECK(!h.p.chip[0].poll);
	pulse(&h, 6);
	pulse(&h, 3);
	/* Poll takes precedence over a read select in the same OCW3; the
	 * read acts as INTA on this chip. */
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL | PIC_OCW3_RR | PIC_OCW3_RIS);
	CHECK_EQ(rd(&h, 0x20), 0x83);
	CHECK_EQ(rd(&h, 0x20), 0x08);           /* ISR, select applied */
	/* On the data port too. */
	wr(&h, 0x20, PIC_OCW2_EOI);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL);
	CHECK_EQ(rd(&h, 0x21), 0x86);
	CHECK_EQ(rd(&h, 0x21), 0x00);           /* IMR again */
	CHECK_EQ(read_isr(&h, 0x20), 0x40);
	CHECK_EQ(read_irr(&h, 0x20), 0x00);
	eoi(&h, 0x20);
	/* Poll of the master for a slave IRQ reports level 2 and touches
	 * only the master; the slave is polled separately. */
	pulse(&h, 13);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL);
	CHECK_EQ(rd(&h, 0x20), 0x82);
	CHECK_EQ(read_isr(&h, 0x20), 0x04);
	CHECK_EQ(read_isr(&h, 0xa0), 0x00);
	wr(&h, 0xa0, PIC_OCW3 | PIC_OCW3_POLL);
	CHECK_EQ(rd(&h, 0xa1), 0x85);
	CHECK_EQ(read_isr(&h, 0xa0), 0x20);
	eoi(&h, 0xa0);
	eoi(&h, 0x20);
	/* Poll honours masks and auto-EOI. */
	program(&h, 0x20, 0x11, 0x20, 0x04, 0x03);
	wr(&h, 0x21, 0x02);
	pulse(&h, 1);
	pulse(&h, 4);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL);
	CHECK_EQ(rd(&h, 0x20), 0x84);
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	CHECK_EQ(read_irr(&h, 0x20), 0x02);
	/* The poll waits for the read: writes in between keep it. */
	wr(&h, 0x21, 0x00);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_POLL);
	wr(&h, 0x20, PIC_OCW2_NOP);
	wr(&h, 0x4d0, 0x00);
	CHECK(h.p.chip[0].poll);
	CHECK_EQ(rd(&h, 0x4d0), 0x00);          /* ELCR read is not the chip */
	CHECK(h.p.chip[0].poll);
	CHECK_EQ(rd(&h, 0xa0), 0x00);           /* nor is the slave */
	CHECK_EQ(rd(&h, 0x20), 0x81);
	CHECK(!h.bad_call);
}

TEST(pic_special_mask_mode, "REQ-PIC-017")
{
	struct host h;

	host_init_pc(&h, 0x01, 0x01);
	pulse(&h, 3);
	CHECK_EQ(pic_ack(&h.p), 0x23);
	pulse(&h, 5);
	CHECK(!pic_intr(&h.p));
	/* In IRQ3's handler: mask IRQ3 and enter SMM; IRQ5 is let through. */
	wr(&h, 0x21, 0x08);
	CHECK(!pic_intr(&h.p));
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_ESMM | PIC_OCW3_SMM);
	CHECK(h.p.chip[0].special_mask);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x25);
	CHECK_EQ(read_isr(&h, 0x20), 0x28);
	/* IRQ5 (unmasked, in service) still holds off lower IRQ6. */
	pulse(&h, 6);
	CHECK(!pic_intr(&h.p));
	/* Non-specific EOI skips the masked IRQ3 and ends IRQ5. */
	eoi(&h, 0x20);
	CHECK_EQ(read_isr(&h, 0x20), 0x08);
	CHECK_EQ(pic_ack(&h.p), 0x26);
	eoi(&h, 0x20);
	/* With only masked levels in service it is a no-op. */
	eoi(&h, 0x20);
	CHECK_EQ(read_isr(&h, 0x20), 0x08);
	/* SMM = 0 with ESMM = 0: no change; ESMM + SMM=0: reset. */
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_SMM);
	CHECK(h.p.chip[0].special_mask);
	wr(&h, 0x20, PIC_OCW3 | PIC_OCW3_ESMM);
	CHECK(!h.p.chip[0].special_mask);
	pulse(&h, 7);
	CHECK(!pic_intr(&h.p));                 /* IRQ3 blocks again */
	eoi(&h, 0x20);
	CHECK_EQ(read_isr(&h, 0x20), 0x00);
	CHECK_EQ(pic_ack(&h.p), 0x27);
	CHECK(!h.bad_call);
}

TEST(pic_special_fully_nested, "REQ-PIC-018")
{
	struct host h;

	/* Master SFNM: a higher slave request while IR2 is in service. */
	host_init_pc(&h, PIC_ICW4_8086 | PIC_ICW4_SFNM, 0x01);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x2c);
	pulse(&h, 9);
	CHECK(pic_intr(&h.p));
	CHECK_EQ(pic_ack(&h.p), 0x29);
	CHECK_EQ(read_isr(&h, 0xa0), 0x12);
	CHECK_EQ(read_isr(&h, 0x20), 0x04);
	/* A lower slave request is held off by the slave itself. */
	pulse(&h, 14);
	CHECK(!pic_intr(&h.p));
	/* Lower master levels stay blocked by IR2 in service. */
	pulse(&h, 4);
	CHECK(!pic_intr(&h.p));
	/* A higher master level is fine. */
	pulse(&h, 1);
	CHECK_EQ(pic_ack(&h.p), 0x21);
	eoi(&h, 0x20);
	/* Without SFNM the same slave request waits for the master's EOI. */
	host_init_pc(&h, 0x01, 0x01);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x2c);
	pulse(&h, 9);
	CHECK(!pic_intr(&h.p));
	eoi(&h, 0x20);
	CHECK_EQ(pic_ack(&h.p), 0x29);
	/* SFNM on the slave, or on a master in single mode, has no effect. */
	host_init_pc(&h, 0x01, PIC_ICW4_8086 | PIC_ICW4_SFNM);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x2c);
	pulse(&h, 9);
	CHECK(!pic_intr(&h.p));
	host_init(&h);
	program(&h, 0x20, 0x13, 0x20, 0, PIC_ICW4_8086 | PIC_ICW4_SFNM);
	wr(&h, 0xa1, 0x00);
	pulse(&h, 12);
	CHECK_EQ(pic_ack(&h.p), 0x22);
	wr(&h, 0xa0, PIC_OCW3 | PIC_OCW3_ESMM);
	pulse(&h, 9);
	CHECK(!pic_intr(&h.p));
	CHECK(!h.bad_call);
}

static unsigned reentrant_acks;
static uint8_t reentrant_vector;

static void reentrant_intr(void *opaque, unsigned line, bool level)
{
	struct pic_pair *p = opaque;

	(void)line;
	/* The model is consistent when it calls out: acknowledging from
	 * inside the callback is safe. */
	if (level) {
		reentrant_acks++;
		reentrant_vector = pic_ack(p);
	}
}

TEST(pic_intr_line, "REQ-PIC-019")
{
	struct host h;
	struct pic_pair p;
	struct irq_line none = { NULL, NULL, 0 };

	host_init_pc(&h, 0x01, 0x01);
	CHECK_EQ(h.nintr, 0);
	pic_set_irq(&h.p, 3, true);
	CHECK_EQ(h.nintr, 1);
	CHECK(h.level);
	pic_set_irq(&h.p, 4, true);             /* already high: no call */
	pic_set_irq(&h.p, 3, false);
	wr(&h, 0x21, 0x00);
	CHECK_EQ(h.nintr, 1);
	CHECK_EQ(pic_ack(&h.p), 0x23);          /* IRQ4 now lower than 3 */
	CHECK_EQ(h.nintr, 2);
	CHECK(!h.level);
	eoi(&h, 0x20);
	CHECK_EQ(h.nintr, 3);
	CHECK_EQ(pic_ack(&h.p), 0x24);
	CHECK_EQ(h.nintr, 4);
	/* AEOI INTA with the next request pending: INTR does not glitch. */
	host_init_pc(&h, 0x03, 0x03);
	pulse(&h, 3);
	pulse(&h, 4);
	pulse(&h, 9);
	pulse(&h, 10);
	CHECK_EQ(h.nintr, 1);
	CHECK_EQ(pic_ack(&h.p), 0x29);
	CHECK_EQ(pic_ack(&h.p), 0x2a);
	CHECK_EQ(pic_ack(&h.p), 0x23);
	CHECK_EQ(h.nintr, 1);
	CHECK_EQ(pic_ack(&h.p), 0x24);
	CHECK_EQ(h.nintr, 2);
	CHECK(!h.bad_call);
	/* No line connected. */
	pic_init(&p, none);
	pic_io_write(&p, 0x21, 0);
	pic_set_irq(&p, 1, true);
	CHECK(pic_intr(&p));
	CHECK_EQ(pic_ack(&p), 0x09);
	CHECK(!pic_intr(&p));
	/* Re-entry from the callback. */
	{
		struct irq_line l = { reentrant_intr, &p, 0 };

		reentrant_acks = 0;
		pic_init(&p, l);
		pic_io_write(&p, 0x21, 0);
		pic_set_irq(&p, 5, true);
		CHECK_EQ(reentrant_acks, 1);
		CHECK_EQ(reentrant_vector, 0x0d);
		CHECK(!pic_intr(&p));
	}
}

/* Every command and data value on every chip, in each init state, then
 * a full scan of requests and INTAs: no crash, and the model stays within
 * its invariants (checked on the state after each step). */
TEST(pic_hostile_guest, "REQ-PIC-020")
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	struct host h;
	uint32_t x = 12345;

	host_init(&h);
	for (unsigned i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		unsigned r = x >> 8;
		uint16_t port = ports[r % 6];

		switch ((r >> 4) % 4) {
		case 0:
			wr(&h, port, (uint8_t)(r >> 8));
			break;
		case 1:
			(void)rd(&h, port);
			break;
		case 2:
			pic_set_irq(&h.p, (r >> 8) % 20, (r >> 16) & 1);
			break;
		default: {
			uint8_t v = pic_ack(&h.p);
			uint8_t mb = h.p.chip[0].vector_base, sb = h.p.chip[1].vector_base;

			CHECK(v == 0xff || (v & 0xf8) == mb || (v & 0xf8) == sb);
			break;
		}
		}
		for (unsigned c = 0; c < 2; c++) {
			const struct pic8259 *pc = &h.p.chip[c];

			CHECK_EQ(pc->elcr & ~pc->elcr_mask, 0);
			CHECK_EQ(pc->irr & pc->elcr, pc->lines & pc->elcr);
			CHECK(pc->lowest < 8);
			CHECK(pc->init_step == 0 || (pc->init_step >= 2 && pc->init_step <= 4));
			CHECK_EQ(pc->vector_base & 7, 0);
		}
		CHECK(!h.bad_call);
		CHECK_EQ(h.level, pic_intr(&h.p));
	}
}
