/* pic: 8259A pair masking, IRR/ISR, EOI and priorities, with PIT IRQ0
 * (mode 0 one-shots: one edge each) and the RTC periodic interrupt on IRQ8
 * (through the cascade on IRQ2). The I/O APIC is fully masked and LAPIC
 * LINT0 is ExtINT (virtual wire), so the PIC is the only route. */
#include "rt/irq.h"

#define VEC_IRQ0  (PIC_VECTOR_BASE + 0)
#define VEC_IRQ8  (PIC2_VECTOR_BASE + 0)
#define ONESHOT   1193u  /* 1 ms */
#define SETTLE_US 5000u
#define WAIT_US   100000u

enum eoi_mode { EOI_NONSPEC, EOI_SPEC, EOI_WRONG_THEN_SPEC };

static volatile enum eoi_mode eoi_mode;
static volatile uint16_t isr_in0, isr_in8, isr_mid0, isr_after;
static volatile uint8_t regc_in8;
static volatile unsigned order[8], norder;

static void record(unsigned irq)
{
	if (norder < 8)
		order[norder] = irq;
	norder++;
}

static void h_irq0(struct irq_frame *f)
{
	(void)f;
	record(0);
	isr_in0 = pic_read_isr();
	switch (eoi_mode) {
	case EOI_NONSPEC:
		pic_eoi(0);
		break;
	case EOI_SPEC:
		pic_eoi_specific(0);
		break;
	case EOI_WRONG_THEN_SPEC:
		pic_eoi_specific(1); /* not in service: must change nothing */
		isr_mid0 = pic_read_isr();
		pic_eoi_specific(0);
		break;
	}
	isr_after = pic_read_isr();
}

static void h_irq8(struct irq_frame *f)
{
	(void)f;
	record(8);
	isr_in8 = pic_read_isr();
	regc_in8 = rtc_read(RTC_REG_C); /* lowers the RTC's IRQ8 line */
	if (eoi_mode == EOI_SPEC)
		pic_eoi_specific(8);
	else
		pic_eoi(8);
	isr_after = pic_read_isr();
}

static void rtc_periodic(bool on)
{
	uint8_t b = rtc_read(RTC_REG_B) & (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
	rtc_write(RTC_REG_B, on ? b | RTC_B_PIE : b);
	rtc_read(RTC_REG_C);
}

/* IF=1 until `vec` has been seen `n` times in total or timeout. */
static void wait_count(uint8_t vec, uint32_t n, uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz() / 1000;
	irq_enable();
	while (irq_count[vec] < n && rdtsc() < end)
		cpu_relax();
	irq_disable();
}

static void spin_us(uint64_t us, bool interrupts)
{
	if (interrupts)
		irq_enable();
	delay_us(us);
	irq_disable();
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	pmtimer_init();
	tsc_khz();

	idt_init();
	lapic_enable();
	ioapic_mask_all();
	pit_set_mode(0, 0, 0xffff); /* quiet the firmware's periodic tick */
	rtc_periodic(false);
	pic_init(PIC_VECTOR_BASE, PIC2_VECTOR_BASE);
	pic_disable();
	uint16_t elcr = pic_read_elcr();
	pic_write_elcr(elcr & (uint16_t)~((1u << 0) | (1u << 2) | (1u << 8)));
	printf("pic: elcr 0x%04x -> 0x%04x\n", elcr, pic_read_elcr());
	lapic_lint0_extint();
	irq_register(VEC_IRQ0, h_irq0);
	irq_register(VEC_IRQ8, h_irq8);
	rtc_write(RTC_REG_A, (uint8_t)((rtc_read(RTC_REG_A) & 0xf0) | 6)); /* 1024 Hz */

	/* 1. Masked: an edge on IRQ0 and IRQ8 each, nothing delivered, both
	 * latched in IRR. */
	pit_set_mode(0, 0, ONESHOT);
	rtc_periodic(true);
	spin_us(SETTLE_US, true);
	uint16_t irr = pic_read_irr();
	check(irq_count[VEC_IRQ0] == 0 && irq_count[VEC_IRQ8] == 0, "masked irqs not delivered",
	      "irq0 %u, irq8 %u delivered", irq_count[VEC_IRQ0], irq_count[VEC_IRQ8]);
	check((irr & 0x0101) == 0x0101, "masked edges pending in irr", "irr 0x%04x", irr);
	check(pic_read_isr() == 0, "isr empty while masked", "isr 0x%04x", pic_read_isr());

	/* 2. Unmasking IRQ0 delivers the pending edge, once; ISR shows it in
	 * the handler; a non-specific EOI clears it. */
	eoi_mode = EOI_NONSPEC;
	pic_unmask(0);
	wait_count(VEC_IRQ0, 1, WAIT_US);
	spin_us(SETTLE_US, true); /* a second one would show up here */
	pic_mask(0);
	check(irq_count[VEC_IRQ0] == 1, "unmask delivers pending irq0 once", "%u deliveries",
	      irq_count[VEC_IRQ0]);
	check(isr_in0 & 1, "isr bit 0 set in irq0 handler", "isr 0x%04x", isr_in0);
	check(!(isr_after & 1), "non-specific eoi clears isr bit 0", "isr 0x%04x", isr_after);

	/* 3. IRQ8 through the cascade: ISR shows IRQ8 and IRQ2 in service;
	 * specific EOIs (slave 0, master 2) clear both. */
	eoi_mode = EOI_SPEC;
	pic_unmask(8);
	wait_count(VEC_IRQ8, 1, WAIT_US);
	rtc_periodic(false);
	pic_mask(8);
	check(irq_count[VEC_IRQ8] >= 1, "irq8 delivered through cascade", "none in %u us",
	      WAIT_US);
	check((isr_in8 & 0x0104) == 0x0104, "isr bits 8 and 2 set in irq8 handler", "isr 0x%04x",
	      isr_in8);
	check((regc_in8 & (RTC_C_IRQF | RTC_C_PF)) == (RTC_C_IRQF | RTC_C_PF),
	      "rtc reg c shows periodic flag", "reg c 0x%02x", regc_in8);
	check(!(isr_after & 0x0104), "specific eoi clears isr bits 8 and 2", "isr 0x%04x",
	      isr_after);

	/* 4. A specific EOI for an IRQ not in service changes nothing. */
	eoi_mode = EOI_WRONG_THEN_SPEC;
	uint32_t before = irq_count[VEC_IRQ0];
	pit_set_mode(0, 0, ONESHOT);
	pic_unmask(0);
	wait_count(VEC_IRQ0, before + 1, WAIT_US);
	pic_mask(0);
	check(irq_count[VEC_IRQ0] == before + 1, "irq0 one-shot delivered", "%u deliveries",
	      irq_count[VEC_IRQ0] - before);
	check(isr_mid0 & 1, "specific eoi of irq1 keeps isr bit 0", "isr 0x%04x", isr_mid0);
	check(!(isr_after & 1), "specific eoi of irq0 clears isr bit 0", "isr 0x%04x", isr_after);

	/* 5. Priority: IRQ0 and IRQ8 both pending with IF=0; IRQ0 first. */
	eoi_mode = EOI_NONSPEC;
	rtc_periodic(true); /* reg C read: line low, the next period raises it */
	pit_set_mode(0, 0, ONESHOT);
	delay_us(SETTLE_US);
	irr = pic_read_irr();
	check((irr & 0x0101) == 0x0101, "irq0 and irq8 pending with if=0", "irr 0x%04x", irr);
	norder = 0;
	pic_set_mask((uint16_t)~((1u << 0) | (1u << 2) | (1u << 8)));
	uint32_t want8 = irq_count[VEC_IRQ8] + 1;
	wait_count(VEC_IRQ8, want8, WAIT_US);
	rtc_periodic(false);
	pic_disable();
	printf("pic: order");
	for (unsigned i = 0; i < norder && i < 2; i++)
		printf(" irq%u", order[i]);
	printf("\n");
	check(norder >= 2 && order[0] == 0 && order[1] == 8, "irq0 before irq8",
	      "%u deliveries, first irq%u", norder, norder ? order[0] : 99);
	/* A request that goes away before the acknowledge reads as IRQ7 (or
	 * IRQ15) on a real 8259A too; counted, not an error. */
	printf("pic: spurious irq7/irq15: %u\n", pic_spurious);
	check_finish("pic");
}
