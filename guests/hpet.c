/* hpet: capabilities (printed; 10,000,000 fs checked only under keel), the
 * main counter's rate against the PM timer (1 %), comparator 0 one-shot
 * and periodic (100 interrupts at 1 kHz timed with the PM timer, 1 %)
 * through legacy replacement routing (timer 0 -> IRQ0 -> I/O APIC pin 2),
 * and the last comparator routed straight to an I/O APIC pin taken from
 * its Tn_INT_ROUTE_CAP. Every read of the capabilities is used as found;
 * nothing but the keel period check assumes keel's values. Command line:
 * strict=0|1 (see timing_strict()).
 *
 * Under QEMU with KVM's in-kernel irqchip, the pc (i440fx) machine's HPET
 * offers only pin 2 in its route caps, and GSI 2 is not routed to the I/O
 * APIC there, so the routed check fails; q35 offers pins 16-23. */
#include "rt/irq.h"

#define VEC_LEGACY  0x40
#define VEC_ROUTED  0x41
#define KEEL_PERIOD_FS 10000000u
#define RATE_WINDOW_PM (PMTIMER_HZ / 10)  /* 100 ms */
#define RATE_TRIES  5
#define PERIODIC_HZ 1000u
#define PERIODIC_N  100u
#define SKIP        2u
#define MAX_STAMPS  (SKIP + PERIODIC_N + 1)
#define WAIT_US     100000u

static uint64_t period_fs;          /* main counter period */
static volatile uint32_t legacy_n, routed_n;
static volatile uint64_t legacy_cnt0; /* main counter in the first legacy interrupt */
static volatile uint64_t routed_cnt;
static volatile uint32_t pm_stamp[MAX_STAMPS];
static volatile uint64_t seq_stamp[MAX_STAMPS]; /* comparator 0 / period */
static volatile uint64_t periodic_per;          /* HPET ticks; 0: one-shot test */

static uint64_t hpet_ticks(uint64_t us)
{
	return muldiv(us, 1000000000ULL, period_fs);
}

static void h_legacy(struct irq_frame *f)
{
	(void)f;
	uint32_t n = legacy_n;
	if (n == 0)
		legacy_cnt0 = hpet_counter();
	if (n < MAX_STAMPS) {
		pm_stamp[n] = pmtimer_read();
		/* periodic: the comparator has moved on to the next period */
		seq_stamp[n] = periodic_per ? hpet_read(HPET_TN_CMP(0)) / periodic_per : 0;
	}
	legacy_n = n + 1;
	lapic_eoi();
}

static void h_routed(struct irq_frame *f)
{
	(void)f;
	if (!routed_n)
		routed_cnt = hpet_counter();
	routed_n++;
	lapic_eoi();
}

/* IF=1 until *count >= n or timeout. */
static void wait_for(volatile uint32_t *count, uint32_t n, uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz() / 1000;
	irq_enable();
	while (*count < n && rdtsc() < end)
		cpu_relax();
	irq_disable();
}

static void spin_us(uint64_t us)
{
	irq_enable();
	delay_us(us);
	irq_disable();
}

/* Main counter vs PM timer over RATE_WINDOW_PM. Each end reads the HPET
 * between two PM reads; windows whose brackets exceed 0.2 % are redone. */
static void check_counter_rate(void)
{
	uint64_t best_ppm = UINT64_MAX, got = 0, want = 0;

	hpet_write(HPET_CONF, HPET_CONF_ENABLE);
	for (int i = 0; i < RATE_TRIES; i++) {
		uint32_t a0 = pmtimer_read();
		uint64_t h0 = hpet_counter();
		uint32_t a1 = pmtimer_read();
		pmtimer_wait_from(a1, RATE_WINDOW_PM);
		uint32_t b0 = pmtimer_read();
		uint64_t h1 = hpet_counter();
		uint32_t b1 = pmtimer_read();
		uint64_t bracket = pmtimer_delta(a0, a1) + pmtimer_delta(b0, b1);
		/* PM ticks between the midpoints, in half ticks */
		uint64_t pm2 = 2ULL * pmtimer_delta(a0, b0) + pmtimer_delta(b0, b1) -
			       pmtimer_delta(a0, a1);
		uint64_t ns = muldiv(pm2, 1000000000ULL, 2ULL * PMTIMER_HZ);
		uint64_t ppm = bracket * 1000000 / pmtimer_delta(a0, b0);
		if (ppm < best_ppm) {
			best_ppm = ppm;
			got = h1 - h0;
			want = muldiv(ns, 1000000, period_fs);
		}
		if (ppm <= 2000)
			break;
	}
	uint64_t hz = muldiv(got, 1000000000000000ULL / period_fs, want);
	printf("hpet: counter %llu ticks, expected %llu (%llu Hz)\n", (unsigned long long)got,
	       (unsigned long long)want, (unsigned long long)hz);
	check(within_ppm(got, want, 10000), "main counter rate vs pmtimer within 1%",
	      "%llu ticks, expected %llu", (unsigned long long)got, (unsigned long long)want);
	hpet_write(HPET_CONF, 0);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	const struct mb_info *mbi = phys(info_phys);
	bool strict = timing_strict((mbi->flags & MBI_CMDLINE) ? phys(mbi->cmdline) : NULL);
	pmtimer_init();
	tsc_khz();

	uint64_t cap = hpet_read(HPET_CAP);
	period_fs = cap >> 32;
	unsigned ntim = (unsigned)((cap >> 8) & 0x1f) + 1;
	printf("hpet: rev 0x%02x, %u timers, %s counter, legacy %s, vendor 0x%04x, period %llu fs\n",
	       (unsigned)(cap & 0xff), ntim, cap & (1u << 13) ? "64-bit" : "32-bit",
	       cap & (1u << 15) ? "capable" : "not capable", (unsigned)((cap >> 16) & 0xffff),
	       (unsigned long long)period_fs);
	if (!check(period_fs > 0 && period_fs <= 100000000u, "period valid (0 < p <= 100 ns)",
		   "%llu fs", (unsigned long long)period_fs))
		check_finish("hpet");
	if (hv_is_keel())
		check(period_fs == KEEL_PERIOD_FS, "period 10000000 fs (keel)", "%llu fs",
		      (unsigned long long)period_fs);
	check(ntim >= 3, "at least 3 comparators", "%u", ntim);
	check(cap & (1u << 15), "legacy replacement capable", "LEG_RT_CAP clear");
	for (unsigned t = 0; t < ntim && t < 32; t++) {
		uint64_t c = hpet_read(HPET_TN_CONF(t));
		printf("hpet: timer %u: %s, %s, fsb %s, route cap 0x%08x\n", t,
		       c & HPET_TN_PER_CAP ? "periodic" : "one-shot only",
		       c & HPET_TN_64_CAP ? "64-bit" : "32-bit", c & HPET_TN_FSB_CAP ? "yes" : "no",
		       (uint32_t)(c >> 32));
	}

	idt_init();
	lapic_enable();
	pic_init(PIC_VECTOR_BASE, PIC2_VECTOR_BASE);
	pic_disable();
	ioapic_mask_all();
	pit_stop(0); /* pin 2 is the PIT's too: its last edge comes now */
	delay_us(1000);
	irq_register(VEC_LEGACY, h_legacy);
	irq_register(VEC_ROUTED, h_routed);
	hpet_reset();

	check_counter_rate();

	/* Comparator 0, one-shot, legacy replacement: IRQ0 -> pin 2. */
	ioapic_route(isa_irq_to_pin(0), VEC_LEGACY, (uint8_t)lapic_id(), 0);
	hpet_reset();
	uint64_t cmp = hpet_ticks(1000); /* 1 ms after the counter starts at 0 */
	hpet_write(HPET_TN_CONF(0), HPET_TN_ENABLE);
	hpet_write(HPET_TN_CMP(0), cmp);
	hpet_write(HPET_CONF, HPET_CONF_ENABLE | HPET_CONF_LEGACY);
	wait_for(&legacy_n, 1, WAIT_US);
	spin_us(5000); /* a one-shot fires once */
	check(legacy_n == 1, "one-shot via legacy route (irq0, pin 2) fires once",
	      "%u interrupts", legacy_n);
	check(legacy_n == 0 || legacy_cnt0 >= cmp, "one-shot not before its comparator",
	      "counter %llu < comparator %llu", (unsigned long long)legacy_cnt0,
	      (unsigned long long)cmp);

	/* Comparator 0, periodic at 1 kHz, same route, the PM timer read in
	 * each interrupt. Interrupts SKIP .. SKIP + 100: the period is the
	 * median over pairs of interrupts 50 periods apart of the time between
	 * them over the periods between them, counted by the comparator, which
	 * moves on by one period per expiry (pm_period_ns: late, lost or
	 * catch-up interrupts do not move it); the
	 * count over the same 100 ms says none was lost (a timeliness check:
	 * strict only with strict=1, see timing_strict()). */
	uint64_t per = hpet_ticks(1000000 / PERIODIC_HZ);
	hpet_write(HPET_CONF, HPET_CONF_LEGACY);          /* halt */
	hpet_write(HPET_TN_CONF(0), 0);
	hpet_write(HPET_COUNTER, 0);
	legacy_n = 0;
	periodic_per = per;
	hpet_write(HPET_TN_CONF(0), HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL);
	hpet_write(HPET_TN_CMP(0), per);                  /* first expiry */
	hpet_write(HPET_TN_CMP(0), per);                  /* period (Linux does the same) */
	hpet_write(HPET_CONF, HPET_CONF_ENABLE | HPET_CONF_LEGACY);
	wait_for(&legacy_n, MAX_STAMPS, 3000000);
	hpet_write(HPET_TN_CONF(0), 0);
	uint32_t got = legacy_n;
	spin_us(2000); /* one may have been on its way */
	if (check(got >= MAX_STAMPS, "periodic interrupts arrive", "%u interrupts", got)) {
		static uint32_t scratch[PERIODIC_N / 2 + 1];
		uint32_t spanning;
		uint64_t period_ns = pm_period_ns(pm_stamp + SKIP, seq_stamp + SKIP, PERIODIC_N,
						  PMTIMER_HZ / PERIODIC_HZ, scratch, &spanning);
		uint32_t d = pmtimer_delta(pm_stamp[SKIP], pm_stamp[SKIP + PERIODIC_N]);
		uint64_t centi = muldiv(PERIODIC_N * 100ULL, PMTIMER_HZ, d);
		printf("hpet: periodic period %llu ns (%u intervals spanning lost ones); "
		       "%u interrupts in %llu us: %llu.%02llu Hz\n",
		       (unsigned long long)period_ns, spanning, PERIODIC_N,
		       (unsigned long long)pmtimer_ticks_to_us(d), (unsigned long long)(centi / 100),
		       (unsigned long long)(centi % 100));
		check(within_ppm(period_ns, 1000000000ULL / PERIODIC_HZ, 10000),
		      "periodic period 1 ms within 1%", "%llu ns", (unsigned long long)period_ns);
		check_timely(strict, within_ppm(centi, PERIODIC_HZ * 100, 10000),
			     "100 periodic interrupts at 1 kHz within 1%", "%llu.%02llu Hz",
			     (unsigned long long)(centi / 100), (unsigned long long)(centi % 100));
	}
	ioapic_mask(isa_irq_to_pin(0), true);
	uint32_t stopped_n = legacy_n;

	/* The last comparator, routed (no legacy) to a pin it allows. */
	unsigned t = ntim - 1;
	uint32_t rcap = hpet_route_cap(t);
	unsigned pins = ioapic_pins(), pin = 32;
	for (unsigned p = 0; p < 32 && p < pins; p++) /* highest allowed pin wins */
		if (rcap & (1u << p))
			pin = p;
	if (!check(pin < 32, "route cap names an i/o apic pin", "timer %u cap 0x%08x", t, rcap))
		check_finish("hpet");
	hpet_reset();
	ioapic_route(pin, VEC_ROUTED, (uint8_t)lapic_id(), 0);
	uint32_t tconf = HPET_TN_ENABLE | (pin << HPET_TN_ROUTE_SHIFT);
	hpet_write(HPET_TN_CONF(t), tconf);
	uint32_t readback = (uint32_t)hpet_read(HPET_TN_CONF(t)) & HPET_TN_ROUTE_MASK;
	cmp = hpet_ticks(1000);
	hpet_write(HPET_TN_CMP(t), cmp);
	hpet_write(HPET_CONF, HPET_CONF_ENABLE);
	wait_for(&routed_n, 1, WAIT_US);
	spin_us(5000);
	hpet_reset();
	ioapic_mask(pin, true);
	printf("hpet: timer %u routed to pin %u (cap 0x%08x)\n", t, pin, rcap);
	check(readback == (pin << HPET_TN_ROUTE_SHIFT), "route field reads back",
	      "0x%x", readback >> HPET_TN_ROUTE_SHIFT);
	check(routed_n == 1, "routed comparator fires once on its pin", "%u interrupts", routed_n);
	check(routed_n == 0 || routed_cnt >= cmp, "routed one-shot not before its comparator",
	      "counter %llu < comparator %llu", (unsigned long long)routed_cnt,
	      (unsigned long long)cmp);
	check(legacy_n == stopped_n, "nothing on the legacy vector after it was stopped",
	      "%u more", legacy_n - stopped_n);
	check_finish("hpet");
}
