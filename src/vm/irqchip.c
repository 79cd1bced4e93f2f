#include "vm/irqchip.h"

#include <string.h>

#include "fw/acpi_hw.h"

/* ISA IRQ n arrives at this I/O APIC pin (the PC's interrupt source
 * override: the PIT's IRQ0 is wired to pin 2). */
static unsigned isa_to_pin(unsigned irq)
{
	return irq == 0 ? 2 : irq;
}

static void kick(struct irqchip *ic, unsigned cpu)
{
	if (ic->ops.kick != NULL)
		ic->ops.kick(ic->ops.opaque, cpu);
}

/* REQ-IRQ-003: deliver one message to the LAPICs it addresses. Lowest
 * priority goes to the matching LAPIC with the lowest arbitration priority
 * (ties: lowest index), everything else to every match. */
static void route(struct irqchip *ic, const struct apic_msg *m, const struct lapic *src,
		  unsigned shorthand)
{
	int best = -1;

	for (unsigned i = 0; i < ic->ncpus; i++) {
		struct lapic *l = &ic->lapic[i];
		bool match;

		switch (shorthand) {
		case 1:
			match = l == src;
			break;
		case 2:
			match = true;
			break;
		case 3:
			match = l != src;
			break;
		default:
			match = lapic_match_dest(l, m->dest, m->logical);
			break;
		}
		if (!match || !lapic_hw_enabled(l))
			continue;
		if (m->delivery == APIC_DM_LOWEST) {
			if (best < 0 || lapic_arb_priority(l) < lapic_arb_priority(&ic->lapic[best]))
				best = (int)i;
			continue;
		}
		lapic_deliver(l, m);
		kick(ic, i);
	}
	if (best >= 0) {
		lapic_deliver(&ic->lapic[best], m);
		kick(ic, (unsigned)best);
	}
}

static void ioapic_deliver(void *opaque, const struct apic_msg *m)
{
	route(opaque, m, NULL, 0);
}

static void lapic_send_ipi(void *opaque, struct lapic *src, const struct apic_msg *m,
			   unsigned shorthand)
{
	route(opaque, m, src, shorthand);
}

static void lapic_eoi(void *opaque, uint8_t vector)
{
	struct irqchip *ic = opaque;

	ioapic_eoi(&ic->ioapic, vector);
}

static void lapic_timer_changed(void *opaque, struct lapic *l)
{
	struct irqchip *ic = opaque;

	(void)l;
	if (ic->ops.timer_changed != NULL)
		ic->ops.timer_changed(ic->ops.opaque);
}

/* PIC INTR: with LAPICs, it is LINT0 of the boot CPU (virtual wire mode,
 * LINT0 programmed ExtINT by the guest); without, the CPU's INTR pin. */
static void pic_intr_changed(void *opaque, unsigned line, bool level)
{
	struct irqchip *ic = opaque;

	(void)line;
	ic->pic_intr = level;
	if (ic->has_lapic)
		lapic_set_lint(&ic->lapic[0], 0, level);
	if (level)
		kick(ic, 0);
}

void irqchip_init(struct irqchip *ic, unsigned ncpus, bool has_lapic, uint64_t tsc_khz,
		  int64_t tsc_base, const struct irqchip_ops *ops)
{
	memset(ic, 0, sizeof(*ic));
	ic->ncpus = ncpus > IRQCHIP_MAX_CPUS ? IRQCHIP_MAX_CPUS : ncpus;
	ic->has_lapic = has_lapic;
	ic->ops = *ops;
	ic->lops = (struct lapic_ops){
		.send_ipi = lapic_send_ipi,
		.eoi_broadcast = lapic_eoi,
		.timer_changed = lapic_timer_changed,
		.opaque = ic,
	};
	pic_init(&ic->pic, (struct irq_line){ pic_intr_changed, ic, 0 });
	/* The ID register has 4 bits; the firmware tables read it back. */
	ioapic_init(&ic->ioapic, (uint8_t)FW_IOAPIC_ID(ic->ncpus), ioapic_deliver, ic);
	for (unsigned i = 0; i < ic->ncpus; i++)
		lapic_init(&ic->lapic[i], i, i == 0, &ic->lops, tsc_khz, tsc_base);
}

void irqchip_set_isa_irq(struct irqchip *ic, unsigned irq, bool level)
{
	if (irq >= 16)
		return;
	if (level)
		ic->isa_level |= 1u << irq;
	else
		ic->isa_level &= ~(1u << irq);
	pic_set_irq(&ic->pic, irq, level);
	if (ic->has_lapic)
		ioapic_set_irq(&ic->ioapic, isa_to_pin(irq), level);
}

void irqchip_set_gsi(struct irqchip *ic, unsigned pin, bool level)
{
	if (ic->has_lapic && pin < IOAPIC_PINS)
		ioapic_set_irq(&ic->ioapic, pin, level);
}

/* REQ-IRQ-004: what the CPU sees. ExtINT (from the PIC through LINT0, or
 * the PIC directly without LAPIC) is answered by the PIC's INTA cycle;
 * everything else by the LAPIC. */
static bool extint_pending(const struct irqchip *ic, unsigned cpu)
{
	if (cpu != 0)
		return false;
	if (!ic->has_lapic)
		return ic->pic_intr;
	return ic->lapic[0].extint_pending && ic->pic_intr && lapic_hw_enabled(&ic->lapic[0]);
}

bool irqchip_has_interrupt(const struct irqchip *ic, unsigned cpu)
{
	if (cpu >= ic->ncpus)
		return false;
	if (extint_pending(ic, cpu))
		return true;
	return ic->has_lapic && lapic_pending_vector(&ic->lapic[cpu]) >= 0;
}

int irqchip_ack(struct irqchip *ic, unsigned cpu)
{
	int v;

	if (cpu >= ic->ncpus)
		return -1;
	if (extint_pending(ic, cpu))
		return pic_ack(&ic->pic);
	if (!ic->has_lapic)
		return -1;
	v = lapic_pending_vector(&ic->lapic[cpu]);
	if (v >= 0)
		lapic_ack(&ic->lapic[cpu], (uint8_t)v);
	return v;
}

bool irqchip_take_nmi(struct irqchip *ic, unsigned cpu)
{
	bool r;

	if (cpu >= ic->ncpus || !ic->has_lapic)
		return false;
	r = ic->lapic[cpu].nmi_pending;
	ic->lapic[cpu].nmi_pending = false;
	return r;
}

bool irqchip_take_init(struct irqchip *ic, unsigned cpu)
{
	bool r;

	if (cpu >= ic->ncpus || !ic->has_lapic)
		return false;
	r = ic->lapic[cpu].init_pending;
	ic->lapic[cpu].init_pending = false;
	/* The model records INIT; the reset it causes happens here, as the
	 * vCPU takes it (SDM 10.4.7.3: ID and APIC base are kept). */
	if (r)
		lapic_reset(&ic->lapic[cpu], true);
	return r;
}

int irqchip_take_sipi(struct irqchip *ic, unsigned cpu)
{
	if (cpu >= ic->ncpus || !ic->has_lapic || !ic->lapic[cpu].sipi_pending)
		return -1;
	ic->lapic[cpu].sipi_pending = false;
	return ic->lapic[cpu].sipi_vector;
}

uint64_t irqchip_next_deadline(const struct irqchip *ic)
{
	uint64_t d = TIME_NEVER;

	for (unsigned i = 0; ic->has_lapic && i < ic->ncpus; i++) {
		uint64_t t = lapic_timer_deadline(&ic->lapic[i]);

		if (t < d)
			d = t;
	}
	return d;
}

void irqchip_advance(struct irqchip *ic, uint64_t now)
{
	for (unsigned i = 0; ic->has_lapic && i < ic->ncpus; i++) {
		if (lapic_timer_deadline(&ic->lapic[i]) <= now) {
			lapic_timer_advance(&ic->lapic[i], now);
			kick(ic, i);
		}
	}
}
