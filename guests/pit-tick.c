/* pit-tick: PIT channel 0 in mode 2 at 1000 Hz on IRQ0, counted over one
 * second of PM timer time (and of TSC time): 1000 Hz +/- 1 %.
 *
 * Default route: I/O APIC pin 2 (ISA IRQ0 on PCs), edge, active high,
 * fixed delivery to this CPU's APIC ID, with every PIC input masked.
 * `via=pic`: the PIC delivers IRQ0 (vector 0x20) through LAPIC LINT0 in
 * ExtINT mode (virtual wire), with every I/O APIC pin masked.
 *
 * A VMM may deliver ticks late and then catch up (KVM's in-kernel PIT
 * reinjects lost ticks back to back). The window therefore starts and ends
 * at a tick that arrived on schedule: the previous SETTLE intervals were
 * each at least half a period, so no backlog was being drained there, and
 * the count between the two ends is exact. */
#include "rt/irq.h"

#define TICK_HZ       1000u
#define PIT_COUNT     ((PIT_HZ + TICK_HZ / 2) / TICK_HZ) /* 1193: 1000.15 Hz */
#define VEC_IOAPIC    0x30
#define WARMUP_TICKS  20u
#define MEASURE_TICKS 1000u
#define SETTLE        4u
#define TIMEOUT_S     3u

static volatile uint32_t ticks;
static volatile uint64_t stamp[SETTLE + 1]; /* TSC at tick n: stamp[n % (SETTLE + 1)] */
static volatile uint32_t early;             /* intervals under half a period */
static uint64_t half_period;                /* TSC ticks */
static bool via_pic;

static void tick(void)
{
	uint64_t now = rdtsc();
	uint32_t n = ticks;

	if (n && now - stamp[(n - 1) % (SETTLE + 1)] < half_period)
		early++;
	stamp[n % (SETTLE + 1)] = now;
	ticks = n + 1;
}

static void tick_ioapic(struct irq_frame *f)
{
	(void)f;
	tick();
	lapic_eoi();
}

static void tick_pic(struct irq_frame *f)
{
	(void)f;
	tick();
	pic_eoi(0);
}

/* The last SETTLE intervals up to tick n - 1 were all >= half a period. */
static bool on_schedule(uint32_t n)
{
	for (uint32_t i = n - SETTLE; i < n - 1; i++)
		if (stamp[(i + 1) % (SETTLE + 1)] - stamp[i % (SETTLE + 1)] < half_period)
			return false;
	return true;
}

struct mark {
	uint32_t n;   /* ticks seen */
	uint32_t pm;  /* PM timer right after the last of them */
	uint64_t tsc; /* TSC in the handler of the last of them */
};

/* Sleeps until at least `min` ticks were seen and the last ones came on
 * schedule (IF=0 on return, so nothing moves while we look). */
static bool wait_mark(uint32_t min, uint64_t deadline, struct mark *m)
{
	for (;;) {
		uint32_t n = ticks;
		if (n >= min && on_schedule(n)) {
			m->pm = pmtimer_read();
			m->n = n;
			m->tsc = stamp[(n - 1) % (SETTLE + 1)];
			return true;
		}
		if (rdtsc() > deadline) /* the TSC: reading it costs no VM exit */
			return false;
		wait_for_interrupt();
	}
}

static void print_centi(const char *label, uint64_t centi)
{
	printf("pit-tick: %s %llu.%02llu Hz\n", label, (unsigned long long)(centi / 100),
	       (unsigned long long)(centi % 100));
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);
	const char *cmdline = (mbi->flags & MBI_CMDLINE) ? phys(mbi->cmdline) : NULL;
	char via[16];

	(void)magic;
	if (cmdline_get(cmdline, "via", via, sizeof(via))) {
		if (strcmp(via, "pic") == 0) {
			via_pic = true;
		} else if (strcmp(via, "ioapic") != 0) {
			printf("pit-tick: bad via=%s (ioapic or pic)\n", via);
			guest_exit(1);
		}
	}
	printf("pit-tick: via %s\n", via_pic ? "pic" : "ioapic");
	pmtimer_init(); /* now: its ACPI table scan must not delay a timestamp */
	uint32_t khz = tsc_khz();
	printf("pit-tick: tsc %u kHz (%s)\n", khz, tsc_khz_source());
	half_period = (uint64_t)khz * 1000 / TICK_HZ / 2;

	idt_init();
	lapic_enable();
	pic_init(PIC_VECTOR_BASE, PIC2_VECTOR_BASE);
	pic_disable();
	ioapic_mask_all();
	if (via_pic) {
		irq_register(PIC_VECTOR_BASE + 0, tick_pic);
		lapic_lint0_extint();
		pic_unmask(0);
	} else {
		irq_register(VEC_IOAPIC, tick_ioapic);
		ioapic_route(isa_irq_to_pin(0), VEC_IOAPIC, (uint8_t)lapic_id(), 0);
	}
	pit_set_mode(0, 2, PIT_COUNT);

	uint64_t deadline = rdtsc() + (uint64_t)khz * 1000 * TIMEOUT_S;
	struct mark a, b;
	bool got = wait_mark(WARMUP_TICKS, deadline, &a) &&
		   wait_mark(a.n + MEASURE_TICKS, deadline, &b);

	/* Stop the source before the checks print. */
	if (via_pic)
		pic_mask(0);
	else
		ioapic_mask(isa_irq_to_pin(0), true);
	pit_stop(0);

	if (!check(got, "ticks arrive", "%u ticks in %u s", ticks, TIMEOUT_S))
		check_finish("pit-tick");
	uint32_t n = b.n - a.n;
	uint32_t dpm = pmtimer_delta(a.pm, b.pm);
	uint64_t rate_pm = muldiv((uint64_t)n * 100, PMTIMER_HZ, dpm);
	uint64_t rate_tsc = muldiv((uint64_t)n * 100, (uint64_t)khz * 1000, b.tsc - a.tsc);
	printf("pit-tick: %u ticks in %llu us (pmtimer), %u early\n", n,
	       (unsigned long long)pmtimer_ticks_to_us(dpm), early);
	print_centi("rate (pmtimer)", rate_pm);
	print_centi("rate (tsc)", rate_tsc);
	check(within_ppm(rate_pm, TICK_HZ * 100, 10000), "rate vs pmtimer within 1%",
	      "%llu.%02llu Hz", (unsigned long long)(rate_pm / 100),
	      (unsigned long long)(rate_pm % 100));
	check(within_ppm(rate_tsc, TICK_HZ * 100, 10000), "rate vs tsc within 1%", "%llu.%02llu Hz",
	      (unsigned long long)(rate_tsc / 100), (unsigned long long)(rate_tsc % 100));
	check_finish("pit-tick");
}
