/* msr-irq: a #GP from an MSR the VMM refuses must not cost an interrupt.
 * With the VMM's irqchip, a refused rdmsr exits to the VMM, which answers
 * "error" so KVM queues #GP when it resumes the vCPU. An interrupt the VMM
 * hands KVM for that same resume would be dropped by KVM (one event per
 * entry) after the VMM already moved it to ISR: its vector, and every
 * vector of its priority class, would never be delivered again.
 *
 * The guest runs a 500 Hz periodic LAPIC timer and, with IF=1, reads a
 * missing MSR in a loop (each read: one exit to the VMM, one #GP, handled
 * here by skipping the instruction) for at least 100 ms and 200 reads
 * (at most 5 s). Then it checks that the timer still interrupts and that
 * nothing stayed in service (ISR clear).
 * Needs irqchip = "vmm" to exercise the VMM's path; passes with KVM's too. */
#include "rt/irq.h"

#define TIMER_VECTOR 0x41
#define MSR_MISSING  0x4b564dffu
#define LOOP_US      100000u
#define LOOP_MAX_US  5000000u
#define MIN_GP       200u
#define HZ           500u

static volatile uint32_t ticks, gps;

static void h_timer(struct irq_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

/* rdmsr is 0f 32: resume after it, as if it had read 0. */
static void h_gp(struct irq_frame *f)
{
	gps++;
	f->rip += 2;
	f->rax = 0;
	f->rdx = 0;
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	uint32_t tk, lk, initial;

	(void)magic;
	(void)info_phys;
	idt_init();
	lapic_enable();
	irq_register(TIMER_VECTOR, h_timer);
	irq_register(13, h_gp);
	tk = tsc_khz();
	if (!hv_timing_leaf(&tk, &lk) || lk == 0) {
		/* Count the timer's input clock against the TSC instead. */
		lapic_timer_setup(TIMER_VECTOR, APIC_TIMER_ONESHOT | APIC_LVT_MASKED, 1, 0xffffffffu);
		uint64_t t0 = rdtsc();
		delay_us(20000);
		lk = (uint32_t)((0xffffffffu - lapic_timer_current()) * (uint64_t)tsc_khz() /
				(rdtsc() - t0));
		lapic_timer_stop();
	}
	initial = lk * 1000u / HZ;
	printf("msr-irq: lapic timer %u kHz, initial count %u\n", lk, initial);

	lapic_timer_setup(TIMER_VECTOR, APIC_TIMER_PERIODIC, 1, initial);
	uint64_t t0 = rdtsc(), k = tsc_khz();
	uint64_t end = t0 + (uint64_t)LOOP_US * k / 1000, limit = t0 + (uint64_t)LOOP_MAX_US * k / 1000;
	irq_enable();
	for (uint64_t t = t0; (t < end || gps < MIN_GP) && t < limit; t = rdtsc())
		(void)rdmsr(MSR_MISSING);
	irq_disable();
	uint32_t t1 = ticks, g1 = gps;
	/* Informational: how many ticks get in between depends on how soon
	 * the hypervisor opens an interrupt window after each #GP handler
	 * (on hardware, at its iretq; kvm_pvm's windows are late). */
	printf("msr-irq: %u #GP, %u timer interrupts during the loop\n", g1, t1);

	/* After the loop: the timer must go on interrupting. */
	irq_enable();
	delay_us(50000); /* 25 periods */
	irq_disable();
	uint32_t after = ticks - t1;
	lapic_timer_stop();
	check(g1 >= MIN_GP, "missing MSR faulted in a loop", "%u #GP in %u us", g1, LOOP_MAX_US);
	check(after >= 5, "timer still interrupts after the loop (no vector stuck in service)",
	      "%u in 50 ms at %u Hz; isr bit %d irr bit %d", after, HZ,
	      lapic_isr_bit(TIMER_VECTOR), lapic_irr_bit(TIMER_VECTOR));
	check(!lapic_isr_bit(TIMER_VECTOR), "timer vector not left in service", "isr set");
	check_finish("msr-irq");
}
