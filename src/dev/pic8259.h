/* Pair of 8259A PICs as on a PC (REQ-PIC-*): master at 0x20/0x21, slave at
 * 0xa0/0xa1 cascaded on master IRQ2, ELCR at 0x4d0/0x4d1. Plain state plus
 * functions; not thread-safe (the owner locks). Behaviour and deliberate
 * choices: docs/requirements/pic.md. */
#ifndef KEEL_DEV_PIC8259_H
#define KEEL_DEV_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE  0xa0
#define PIC_ELCR_BASE   0x4d0

#define PIC_NUM_IRQS    16
#define PIC_CASCADE_IRQ 2       /* master IR2: the slave's INT output */

/* ICW1 (command port, bit 4 set) */
#define PIC_ICW1_IC4    0x01    /* ICW4 follows */
#define PIC_ICW1_SNGL   0x02    /* single (no ICW3) vs cascade */
#define PIC_ICW1_ADI    0x04    /* 8080 call interval: stored, no effect */
#define PIC_ICW1_LTIM   0x08    /* level mode: ignored, the ELCR decides (PIIX) */
#define PIC_ICW1_INIT   0x10
/* ICW4 */
#define PIC_ICW4_8086   0x01    /* uPM: stored; 8086 vectors are always used */
#define PIC_ICW4_AEOI   0x02
#define PIC_ICW4_MS     0x04    /* buffered master/slave: stored, no effect */
#define PIC_ICW4_BUF    0x08    /* stored, no effect */
#define PIC_ICW4_SFNM   0x10
#define PIC_ICW4_MASK   0x1f    /* bits 5-7 are defined as 0 */
/* OCW2 (command port, bits 4-3 = 00): command in bits 7-5, level in 2-0 */
#define PIC_OCW2_ROT_AEOI_CLEAR 0x00
#define PIC_OCW2_EOI            0x20
#define PIC_OCW2_NOP            0x40
#define PIC_OCW2_SEOI           0x60
#define PIC_OCW2_ROT_AEOI_SET   0x80
#define PIC_OCW2_ROT_EOI        0xa0
#define PIC_OCW2_SET_PRIO       0xc0
#define PIC_OCW2_ROT_SEOI       0xe0
/* OCW3 (command port, bits 4-3 = 01) */
#define PIC_OCW3                0x08
#define PIC_OCW3_RIS            0x01
#define PIC_OCW3_RR             0x02
#define PIC_OCW3_POLL           0x04
#define PIC_OCW3_SMM            0x20
#define PIC_OCW3_ESMM           0x40

/* ELCR bits that are writable: IRQ0, 1, 2, 8, 13 are edge only (PIIX). */
#define PIC_ELCR_MASK_MASTER 0xf8
#define PIC_ELCR_MASK_SLAVE  0xde

/* Values before the guest's first ICW1 (a BIOS-like cascade set-up with
 * every input masked). */
#define PIC_RESET_BASE_MASTER 0x08
#define PIC_RESET_BASE_SLAVE  0x70
#define PIC_RESET_IMR         0xff

struct pic8259 {
	uint8_t irr;            /* interrupt request register */
	uint8_t isr;            /* in-service register */
	uint8_t imr;            /* interrupt mask register (OCW1) */
	uint8_t lines;          /* current level of the IR0-7 inputs */
	uint8_t elcr;           /* 1 = level-triggered input */
	uint8_t elcr_mask;      /* writable ELCR bits */
	uint8_t vector_base;    /* ICW2 bits 7-3 */
	uint8_t icw1, icw3, icw4;
	uint8_t init_step;      /* 0 = initialised; 2, 3, 4 = next ICW expected */
	uint8_t lowest;         /* IR with the lowest priority (rotation) */
	bool read_isr;          /* OCW3: command port reads ISR, else IRR */
	bool poll;              /* OCW3: the next read is a poll */
	bool special_mask;      /* OCW3: special mask mode */
	bool rotate_aeoi;       /* OCW2: rotate in auto-EOI mode */
	bool master;            /* fixed by wiring (SP/EN), not by ICW4 */
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
/* ELCR: true when ISA IRQ `irq` is level-triggered (false for irq >= 16). */
bool pic_irq_is_level(const struct pic_pair *p, unsigned irq);

#endif
