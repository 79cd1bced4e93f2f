/* Pair of 8259A programmable interrupt controllers (REQ-PIC-*), written from
 * the Intel 8259A datasheet and the PIIX ELCR description. Requirements and
 * deliberate simplifications: docs/requirements/pic.md.
 *
 * Model in one paragraph: each chip keeps IRR, ISR, IMR and the level of its
 * eight inputs. Edge inputs latch into IRR on a rising edge and stay latched
 * until acknowledged (a device may pulse its line between two exits); level
 * inputs (ELCR) make IRR follow the line. The priority resolver picks the
 * highest-priority unmasked request that outranks everything in service.
 * The slave's INT output is the master's IR2 input (edge), and the master's
 * INT output is INTR, reported through the irq_line only when it changes,
 * as the last action of a call so the callback sees a consistent model. */
#include "dev/pic8259.h"

#include <string.h>

#define MASTER 0
#define SLAVE  1
/* Vector read when the master addresses a slave that does not answer: nobody
 * drives the data bus, which reads as all ones. */
#define PIC_OPEN_BUS 0xff
#define NO_IRQ (-1)

static uint8_t bit(unsigned ir)
{
	return (uint8_t)(1u << (ir & 7));
}

/* Priority rank of `ir`: 0 is the highest, 7 the lowest. */
static unsigned rank_to_ir(const struct pic8259 *c, unsigned rank)
{
	return (c->lowest + 1 + rank) & 7;
}

static bool cascade_mode(const struct pic8259 *c)
{
	return (c->icw1 & PIC_ICW1_SNGL) == 0;
}

/* Master IR with a slave behind it (cascade mode, ICW3 bit set). */
static bool slave_ir(const struct pic8259 *c, unsigned ir)
{
	return c->master && cascade_mode(c) && (c->icw3 & bit(ir)) != 0;
}

/* ISR bits that hold off lower priorities: in special mask mode a masked
 * level in service no longer does. */
static uint8_t blocking_isr(const struct pic8259 *c)
{
	return c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
}

/* Priority resolver: the IR that INT is raised for, or NO_IRQ. */
static int resolve(const struct pic8259 *c)
{
	uint8_t pending = c->irr & (uint8_t)~c->imr;
	uint8_t blocking = blocking_isr(c);

	for (unsigned rank = 0; rank < 8; rank++) {
		unsigned ir = rank_to_ir(c, rank);

		if (blocking & bit(ir)) {
			/* Special fully nested: a slave may interrupt again
			 * while its master IR is in service. */
			if ((c->icw4 & PIC_ICW4_SFNM) && slave_ir(c, ir) &&
			    (pending & bit(ir)))
				return (int)ir;
			return NO_IRQ;
		}
		if (pending & bit(ir))
			return (int)ir;
	}
	return NO_IRQ;
}

/* Drive one IR input. Edge: latch on 0->1. Level: IRR follows the line. */
static void set_input(struct pic8259 *c, unsigned ir, bool level)
{
	uint8_t m = bit(ir);

	if (level) {
		if (!(c->lines & m))
			c->irr |= m;
		c->lines |= m;
	} else {
		c->lines &= (uint8_t)~m;
		if (c->elcr & m)
			c->irr &= (uint8_t)~m;
	}
}

/* The slave's INT output is the master's IR2 input. */
static void propagate_cascade(struct pic_pair *p)
{
	set_input(&p->chip[MASTER], PIC_CASCADE_IRQ, resolve(&p->chip[SLAVE]) != NO_IRQ);
}

/* Re-evaluate both INT outputs; call the INTR line only on a change, last. */
static void update(struct pic_pair *p)
{
	bool level;

	propagate_cascade(p);
	level = resolve(&p->chip[MASTER]) != NO_IRQ;
	if (level != p->intr_level) {
		p->intr_level = level;
		irq_line_set(&p->intr, level);
	}
}

/* First INTA pulse on one chip: the request goes in service. Edge requests
 * leave IRR; a level request stays there while its line is high. */
static void ack_begin(struct pic8259 *c, unsigned ir)
{
	c->isr |= bit(ir);
	c->irr &= (uint8_t)~(bit(ir) & ~c->elcr);
}

/* End of the INTA sequence: auto-EOI drops the ISR bit again, and rotates
 * when so commanded. */
static void ack_end(struct pic8259 *c, unsigned ir)
{
	if (!(c->icw4 & PIC_ICW4_AEOI))
		return;
	c->isr &= (uint8_t)~bit(ir);
	if (c->rotate_aeoi)
		c->lowest = (uint8_t)ir;
}

/* Full acknowledge of `ir` on a chip that takes part in one INTA or poll.
 * Between the two steps the slave's INT falls (its ISR is set), so with
 * auto-EOI and more requests the master's edge-triggered IR2 sees a new
 * rising edge, as during the real INTA pulses. */
static void ack_chip(struct pic_pair *p, struct pic8259 *c, unsigned ir)
{
	ack_begin(c, ir);
	propagate_cascade(p);
	ack_end(c, ir);
}

/* Highest-priority ISR bit for a non-specific EOI, or NO_IRQ. */
static int highest_isr(const struct pic8259 *c)
{
	uint8_t isr = blocking_isr(c);

	for (unsigned rank = 0; rank < 8; rank++) {
		unsigned ir = rank_to_ir(c, rank);

		if (isr & bit(ir))
			return (int)ir;
	}
	return NO_IRQ;
}

static void chip_reset(struct pic8259 *c, bool master)
{
	c->irr = 0;             /* edge sense reset; all inputs edge below */
	c->isr = 0;
	c->imr = PIC_RESET_IMR;
	c->elcr = 0;
	c->elcr_mask = master ? PIC_ELCR_MASK_MASTER : PIC_ELCR_MASK_SLAVE;
	c->vector_base = master ? PIC_RESET_BASE_MASTER : PIC_RESET_BASE_SLAVE;
	c->icw1 = PIC_ICW1_INIT | PIC_ICW1_IC4;
	c->icw3 = master ? bit(PIC_CASCADE_IRQ) : PIC_CASCADE_IRQ;
	c->icw4 = PIC_ICW4_8086;
	c->init_step = 0;
	c->lowest = 7;
	c->read_isr = false;
	c->poll = false;
	c->special_mask = false;
	c->rotate_aeoi = false;
	c->master = master;
}

void pic_init(struct pic_pair *p, struct irq_line intr)
{
	memset(p, 0, sizeof(*p));
	p->intr = intr;
	pic_reset(p);
}

void pic_reset(struct pic_pair *p)
{
	/* The input levels belong to the devices driving them: kept. */
	chip_reset(&p->chip[MASTER], true);
	chip_reset(&p->chip[SLAVE], false);
	update(p);
}

void pic_set_irq(struct pic_pair *p, unsigned irq, bool level)
{
	/* IR2 of the master is the cascade input, not an ISA line. */
	if (irq >= PIC_NUM_IRQS || irq == PIC_CASCADE_IRQ)
		return;
	set_input(&p->chip[irq >> 3], irq & 7, level);
	update(p);
}

bool pic_intr(const struct pic_pair *p)
{
	return p->intr_level;
}

bool pic_irq_is_level(const struct pic_pair *p, unsigned irq)
{
	if (irq >= PIC_NUM_IRQS)
		return false;
	return (p->chip[irq >> 3].elcr & bit(irq & 7)) != 0;
}

uint8_t pic_ack(struct pic_pair *p)
{
	struct pic8259 *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	int ir = resolve(m), sir;
	uint8_t vector;

	if (ir == NO_IRQ) {
		vector = m->vector_base | 7;    /* spurious IR7: no ISR bit */
	} else if (!slave_ir(m, (unsigned)ir)) {
		ack_chip(p, m, (unsigned)ir);
		vector = m->vector_base | (uint8_t)ir;
	} else {
		ack_chip(p, m, (unsigned)ir);
		/* The cascade address is `ir`; only a slave in cascade mode
		 * with that ID answers. */
		if (!cascade_mode(s) || (s->icw3 & 7) != (unsigned)ir) {
			vector = PIC_OPEN_BUS;
		} else {
			sir = resolve(s);
			if (sir == NO_IRQ) {
				vector = s->vector_base | 7;
			} else {
				ack_chip(p, s, (unsigned)sir);
				vector = s->vector_base | (uint8_t)sir;
			}
		}
	}
	update(p);
	return vector;
}

/* Poll: the read acts as an INTA on this chip alone. */
static uint8_t poll_read(struct pic_pair *p, struct pic8259 *c)
{
	int ir = resolve(c);

	c->poll = false;
	if (ir == NO_IRQ)
		return 0;
	ack_chip(p, c, (unsigned)ir);
	update(p);
	return (uint8_t)(0x80 | ir);
}

static void write_icw1(struct pic8259 *c, uint8_t value)
{
	c->icw1 = value;
	c->init_step = 2;
	/* Edge sense reset: an edge input needs a new 0->1 transition. */
	c->irr &= c->elcr;
	c->isr = 0;
	c->imr = 0;
	c->lowest = 7;
	c->icw3 = 7;            /* slave address 7 until ICW3 */
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_aeoi = false;
	if (!(value & PIC_ICW1_IC4))
		c->icw4 = 0;
}

static void write_ocw2(struct pic8259 *c, uint8_t value)
{
	unsigned level = value & 7;
	int ir;

	switch (value & 0xe0) {
	case PIC_OCW2_ROT_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	case PIC_OCW2_ROT_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case PIC_OCW2_EOI:
	case PIC_OCW2_ROT_EOI:
		ir = highest_isr(c);
		if (ir == NO_IRQ)
			break;
		c->isr &= (uint8_t)~bit((unsigned)ir);
		if (value & 0x80)
			c->lowest = (uint8_t)ir;
		break;
	case PIC_OCW2_SEOI:
		c->isr &= (uint8_t)~bit(level);
		break;
	case PIC_OCW2_ROT_SEOI:
		c->isr &= (uint8_t)~bit(level);
		c->lowest = (uint8_t)level;
		break;
	case PIC_OCW2_SET_PRIO:
		c->lowest = (uint8_t)level;
		break;
	default:                /* PIC_OCW2_NOP */
		break;
	}
}

static void write_ocw3(struct pic8259 *c, uint8_t value)
{
	if (value & PIC_OCW3_ESMM)
		c->special_mask = (value & PIC_OCW3_SMM) != 0;
	if (value & PIC_OCW3_RR)
		c->read_isr = (value & PIC_OCW3_RIS) != 0;
	if (value & PIC_OCW3_POLL)
		c->poll = true;
}

static void write_data(struct pic8259 *c, uint8_t value)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = value & 0xf8;
		if (cascade_mode(c))
			c->init_step = 3;
		else
			c->init_step = (c->icw1 & PIC_ICW1_IC4) ? 4 : 0;
		break;
	case 3:
		c->icw3 = value;
		c->init_step = (c->icw1 & PIC_ICW1_IC4) ? 4 : 0;
		break;
	case 4:
		c->icw4 = value & PIC_ICW4_MASK;
		c->init_step = 0;
		break;
	default:
		c->imr = value;
		break;
	}
}

static void write_elcr(struct pic8259 *c, uint8_t value)
{
	c->elcr = value & c->elcr_mask;
	/* A level input's IRR is its line; an edge input keeps what it had
	 * latched. */
	c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
}

/* The chip a command/data port belongs to, or NULL (ELCR and others). */
static struct pic8259 *chip_of_port(struct pic_pair *p, uint16_t port)
{
	switch (port) {
	case PIC_MASTER_BASE:
	case PIC_MASTER_BASE + 1:
		return &p->chip[MASTER];
	case PIC_SLAVE_BASE:
	case PIC_SLAVE_BASE + 1:
		return &p->chip[SLAVE];
	default:
		return NULL;
	}
}

static bool is_elcr_port(uint16_t port)
{
	return port == PIC_ELCR_BASE || port == PIC_ELCR_BASE + 1;
}

uint8_t pic_io_read(struct pic_pair *p, uint16_t port)
{
	struct pic8259 *c = chip_of_port(p, port);

	if (is_elcr_port(port))
		return p->chip[port - PIC_ELCR_BASE].elcr;
	if (c == NULL)
		return 0xff;
	if (c->poll)
		return poll_read(p, c);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void pic_io_write(struct pic_pair *p, uint16_t port, uint8_t value)
{
	struct pic8259 *c = chip_of_port(p, port);

	if (is_elcr_port(port)) {
		write_elcr(&p->chip[port - PIC_ELCR_BASE], value);
		update(p);
		return;
	}
	if (c == NULL)
		return;
	if (port & 1)
		write_data(c, value);
	else if (value & PIC_ICW1_INIT)
		write_icw1(c, value);
	else if (value & PIC_OCW3)
		write_ocw3(c, value);
	else
		write_ocw2(c, value);
	update(p);
}
