/* Pair of 8259A PICs as on a PC (REQ-PIC-*): master at 0x20/0x21, slave at
 * 0xa0/0xa1 cascaded on master IRQ2, ELCR at 0x4d0/0x4d1. Plain state plus
 * functions; not thread-safe (the owner locks). */
#ifndef KEEL_DEV_PIC8259_H
#define KEEL_DEV_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE  0xa0
#define PIC_ELCR_BASE   0x4d0

struct pic8259 {
	/* One chip's state (fields are the implementer's choice). */
	uint8_t irr, isr, imr, icw_step, vector_base, icw1, icw3, icw4;
	uint8_t ocw3, priority_add, last_irr, special_mask, poll, auto_eoi, rotate_on_aeoi;
	uint8_t read_isr, special_fully_nested, init_state, elcr, elcr_mask, lines;
};

struct pic_pair {
	struct pic8259 chip[2];         /* 0 = master, 1 = slave */
	struct irq_line intr;           /* INTR output to the CPU / LAPIC LINT0 */
	bool intr_level;
};

void pic_init(struct pic_pair *p, struct irq_line intr);
void pic_reset(struct pic_pair *p);
/* ISA IRQ input 0..15 changes level (edge inputs: a 0->1 transition). */
void pic_set_irq(struct pic_pair *p, unsigned irq, bool level);
/* Current INTR output. */
bool pic_intr(const struct pic_pair *p);
/* INTA cycle: returns the vector to deliver (spurious IRQ7/15 when nothing
 * is pending any more) and updates ISR/IRR as the 8259A does. */
uint8_t pic_ack(struct pic_pair *p);
/* Port access for 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1; other ports read
 * 0xff and ignore writes. */
uint8_t pic_io_read(struct pic_pair *p, uint16_t port);
void pic_io_write(struct pic_pair *p, uint16_t port, uint8_t value);

#endif
