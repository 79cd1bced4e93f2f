/* The interrupt complex wiring (src/vm/irqchip.c) with the real models. */
#include "vm/irqchip.h"
#include "test.h"

struct kicks {
	unsigned count[4];
	unsigned timer_changes;
};

static void on_kick(void *opaque, unsigned cpu)
{
	struct kicks *k = opaque;

	if (cpu < 4)
		k->count[cpu]++;
}

static void on_timer(void *opaque)
{
	((struct kicks *)opaque)->timer_changes++;
}

static void setup(struct irqchip *ic, struct kicks *k, unsigned ncpus, bool lapic)
{
	struct irqchip_ops ops = { on_kick, on_timer, k };

	memset(k, 0, sizeof(*k));
	irqchip_init(ic, ncpus, lapic, 2000000, 0, &ops);
	for (unsigned i = 0; lapic && i < ncpus; i++)
		lapic_mmio_write(&ic->lapic[i], 0xf0, 0x1ff, 0); /* software-enable */
}

static void ioapic_route(struct irqchip *ic, unsigned pin, uint8_t vector, uint8_t dest,
			 bool level, bool logical)
{
	uint64_t e = vector | (level ? 1ULL << 15 : 0) | (logical ? 1ULL << 11 : 0) |
		     ((uint64_t)dest << 56);

	ioapic_mmio_write(&ic->ioapic, 0, 0x10 + 2 * pin);
	ioapic_mmio_write(&ic->ioapic, 0x10, (uint32_t)e);
	ioapic_mmio_write(&ic->ioapic, 0, 0x10 + 2 * pin + 1);
	ioapic_mmio_write(&ic->ioapic, 0x10, (uint32_t)(e >> 32));
}

static void pic_setup(struct irqchip *ic)
{
	struct pic_pair *p = &ic->pic;

	pic_io_write(p, 0x20, 0x11); pic_io_write(p, 0x21, 0x20);
	pic_io_write(p, 0x21, 0x04); pic_io_write(p, 0x21, 0x01);
	pic_io_write(p, 0xa0, 0x11); pic_io_write(p, 0xa1, 0x28);
	pic_io_write(p, 0xa1, 0x02); pic_io_write(p, 0xa1, 0x01);
	pic_io_write(p, 0x21, 0x00); pic_io_write(p, 0xa1, 0x00);
}

TEST(irqchip_isa_irq0_reaches_ioapic_pin2, "REQ-IRQ-001 REQ-IRQ-003")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 2, true);
	ioapic_route(&ic, 2, 0x30, 1, false, false);    /* pin 2 -> CPU 1 */
	ioapic_route(&ic, 0, 0x31, 0, false, false);    /* pin 0 must stay quiet */
	irqchip_set_isa_irq(&ic, 0, true);
	irqchip_set_isa_irq(&ic, 0, false);
	CHECK(!irqchip_has_interrupt(&ic, 0));
	CHECK(irqchip_has_interrupt(&ic, 1));
	CHECK_EQ(k.count[1], 1);
	CHECK_EQ(irqchip_ack(&ic, 1), 0x30);
	CHECK(!irqchip_has_interrupt(&ic, 1));
	/* ISA IRQ 4 goes to pin 4; out-of-range lines are ignored. */
	ioapic_route(&ic, 4, 0x34, 0, false, false);
	irqchip_set_isa_irq(&ic, 4, true);
	CHECK_EQ(irqchip_ack(&ic, 0), 0x34);
	irqchip_set_isa_irq(&ic, 16, true);
	irqchip_set_gsi(&ic, 24, true);
	CHECK_EQ(irqchip_ack(&ic, 5), -1);
}

TEST(irqchip_level_eoi_reaches_ioapic, "REQ-IRQ-003")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 1, true);
	ioapic_route(&ic, 20, 0x50, 0, true, false);
	irqchip_set_gsi(&ic, 20, true);
	CHECK_EQ(irqchip_ack(&ic, 0), 0x50);
	CHECK(!irqchip_has_interrupt(&ic, 0));
	/* EOI of a level vector re-delivers while the line is still high. */
	lapic_mmio_write(&ic.lapic[0], 0xb0, 0, 0);
	CHECK(irqchip_has_interrupt(&ic, 0));
	CHECK_EQ(irqchip_ack(&ic, 0), 0x50);
	irqchip_set_gsi(&ic, 20, false);
	lapic_mmio_write(&ic.lapic[0], 0xb0, 0, 0);
	CHECK(!irqchip_has_interrupt(&ic, 0));
}

TEST(irqchip_lowest_priority_and_ipis, "REQ-IRQ-003")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 3, true);
	/* Flat logical mode: CPU i has LDR bit i. */
	for (unsigned i = 0; i < 3; i++) {
		lapic_mmio_write(&ic.lapic[i], 0xe0, 0xffffffff, 0);
		lapic_mmio_write(&ic.lapic[i], 0xd0, 1u << (24 + i), 0);
	}
	lapic_mmio_write(&ic.lapic[0], 0x80, 0x40, 0);  /* CPU 0 busy: TPR 0x40 */
	/* Lowest priority to CPUs 0 and 1: CPU 1 (lower priority) wins. */
	{
		struct apic_msg m = { .vector = 0x61, .delivery = APIC_DM_LOWEST, .logical = true,
				      .dest = 0x3 };

		ic.lops.send_ipi(ic.lops.opaque, &ic.lapic[2], &m, 0);
	}
	CHECK(!irqchip_has_interrupt(&ic, 0));
	CHECK_EQ(irqchip_ack(&ic, 1), 0x61);
	lapic_mmio_write(&ic.lapic[1], 0xb0, 0, 0);   /* EOI: 0x6x may come in again */
	/* Fixed IPI from CPU 0 to all-excluding-self through the ICR. */
	lapic_mmio_write(&ic.lapic[0], 0x310, 0, 0);
	lapic_mmio_write(&ic.lapic[0], 0x300, 0xc0000 | 0x62, 0);
	CHECK(!irqchip_has_interrupt(&ic, 0));
	CHECK_EQ(irqchip_ack(&ic, 1), 0x62);
	CHECK_EQ(irqchip_ack(&ic, 2), 0x62);
	for (unsigned i = 1; i < 3; i++)
		lapic_mmio_write(&ic.lapic[i], 0xb0, 0, 0);
	/* Self IPI through the shorthand. */
	lapic_mmio_write(&ic.lapic[0], 0x300, 0x40000 | 0x63, 0);
	CHECK_EQ(irqchip_ack(&ic, 0), 0x63);
	lapic_mmio_write(&ic.lapic[0], 0xb0, 0, 0);
	/* Physical destination; broadcast 0xff reaches everyone. */
	lapic_mmio_write(&ic.lapic[0], 0x310, 2u << 24, 0);
	lapic_mmio_write(&ic.lapic[0], 0x300, 0x64, 0);
	CHECK_EQ(irqchip_ack(&ic, 2), 0x64);
	lapic_mmio_write(&ic.lapic[2], 0xb0, 0, 0);
	lapic_mmio_write(&ic.lapic[0], 0x310, 0xffu << 24, 0);
	lapic_mmio_write(&ic.lapic[0], 0x300, 0x65, 0);
	CHECK_EQ(irqchip_ack(&ic, 1), 0x65);
	CHECK_EQ(irqchip_ack(&ic, 2), 0x65);
	CHECK(k.count[2] >= 3);
}

TEST(irqchip_init_sipi_nmi, "REQ-IRQ-009 REQ-IRQ-003")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 2, true);
	CHECK_EQ(irqchip_take_sipi(&ic, 1), -1);
	lapic_mmio_write(&ic.lapic[0], 0x310, 1u << 24, 0);
	lapic_mmio_write(&ic.lapic[0], 0x300, 0x4500, 0);  /* INIT, assert */
	CHECK(irqchip_take_init(&ic, 1));
	CHECK(!irqchip_take_init(&ic, 1));
	lapic_mmio_write(&ic.lapic[0], 0x300, 0x4608, 0);  /* SIPI vector 8 */
	CHECK_EQ(irqchip_take_sipi(&ic, 1), 8);
	CHECK_EQ(irqchip_take_sipi(&ic, 1), -1);
	lapic_mmio_write(&ic.lapic[0], 0x300, 0x4400, 0);  /* NMI */
	CHECK(irqchip_take_nmi(&ic, 1));
	CHECK(!irqchip_take_nmi(&ic, 1));
	CHECK(!irqchip_take_nmi(&ic, 7));
	CHECK(!irqchip_take_init(&ic, 7));
	CHECK_EQ(irqchip_take_sipi(&ic, 7), -1);
}

TEST(irqchip_pic_virtual_wire, "REQ-IRQ-004 REQ-IRQ-001")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 1, true);
	pic_setup(&ic);
	/* LINT0 masked (reset state): the PIC's INTR goes nowhere. */
	irqchip_set_isa_irq(&ic, 1, true);
	CHECK(!irqchip_has_interrupt(&ic, 0));
	/* Virtual wire: LINT0 ExtINT; the vector comes from the PIC. */
	lapic_mmio_write(&ic.lapic[0], 0x350, 0x700, 0);
	irqchip_set_isa_irq(&ic, 1, false);
	irqchip_set_isa_irq(&ic, 1, true);
	CHECK(irqchip_has_interrupt(&ic, 0));
	CHECK_EQ(irqchip_ack(&ic, 0), 0x21);
	CHECK(k.count[0] >= 1);
}

TEST(irqchip_without_lapic, "REQ-IRQ-004")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 1, false);
	pic_setup(&ic);
	CHECK(!irqchip_has_interrupt(&ic, 0));
	irqchip_set_isa_irq(&ic, 8, true);       /* through the slave */
	CHECK(irqchip_has_interrupt(&ic, 0));
	CHECK_EQ(irqchip_ack(&ic, 0), 0x28);
	irqchip_set_gsi(&ic, 20, true);          /* no I/O APIC: ignored */
	CHECK(!irqchip_take_nmi(&ic, 0));
	CHECK_EQ(irqchip_next_deadline(&ic), TIME_NEVER);
	irqchip_advance(&ic, 1000);
}

TEST(irqchip_lapic_timer_deadlines, "REQ-TMR-002 REQ-IRQ-003")
{
	static struct irqchip ic;
	struct kicks k;

	setup(&ic, &k, 2, true);
	CHECK_EQ(irqchip_next_deadline(&ic), TIME_NEVER);
	lapic_mmio_write(&ic.lapic[1], 0x3e0, 0xb, 1000);       /* divide by 1 */
	lapic_mmio_write(&ic.lapic[1], 0x320, 0x40, 1000);      /* one-shot, vector 0x40 */
	lapic_mmio_write(&ic.lapic[1], 0x380, 5000, 1000);      /* 5000 ns */
	CHECK(k.timer_changes >= 1);
	CHECK_EQ(irqchip_next_deadline(&ic), 6000);
	irqchip_advance(&ic, 5999);
	CHECK(!irqchip_has_interrupt(&ic, 1));
	irqchip_advance(&ic, 6000);
	CHECK(irqchip_has_interrupt(&ic, 1));
	CHECK_EQ(irqchip_ack(&ic, 1), 0x40);
	CHECK_EQ(irqchip_next_deadline(&ic), TIME_NEVER);
}
