/* pmtimer: the ACPI PM timer counts at 3.579545 MHz (1 %) against the TSC
 * whose rate CPUID 0x40000010 announces, over 0.5 s; without that leaf the
 * HPET (rate from its capabilities) is the reference. Also checks the
 * guest's wrap-around arithmetic for 24- and 32-bit counters and that
 * successive reads never go backwards. */
#include "rt/irq.h"

#define WINDOW_US 500000u
#define READS     1000u

static uint32_t raw_read(void)
{
	return inl(pmtimer_port());
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	unsigned bits = pmtimer_bits();
	uint32_t mask = bits == 32 ? 0xffffffffu : 0xffffffu;
	printf("pmtimer: port 0x%x, %u bits\n", pmtimer_port(), bits);

	/* Wrap arithmetic, on values the counter cannot be made to show. */
	check(pmtimer_delta_bits(0xfffffff0u, 0x00000010u, 32) == 0x20 &&
		      pmtimer_delta_bits(0x7fffffffu, 0x80000001u, 32) == 2 &&
		      pmtimer_delta_bits(5, 5, 32) == 0,
	      "32-bit wrap delta", "0xfffffff0 -> 0x10 gave 0x%x",
	      pmtimer_delta_bits(0xfffffff0u, 0x10u, 32));
	check(pmtimer_delta_bits(0x00fffff0u, 0x00000010u, 24) == 0x20 &&
		      pmtimer_delta_bits(0xfffff0u, 0xfffff8u, 24) == 8,
	      "24-bit wrap delta", "0xfffff0 -> 0x10 gave 0x%x",
	      pmtimer_delta_bits(0xfffff0u, 0x10u, 24));

	/* Successive reads: within the width, never backwards (a backwards
	 * step shows as a delta close to 2^bits). */
	uint32_t prev = raw_read(), bad_bits = 0, backwards = 0, moved = 0;
	for (unsigned i = 0; i < READS; i++) {
		uint32_t v = raw_read();
		if (v & ~mask)
			bad_bits++;
		uint32_t d = pmtimer_delta_bits(prev, v, bits);
		if (d > mask / 2)
			backwards++;
		if (d)
			moved++;
		prev = v;
	}
	check(bad_bits == 0, "reads fit the width", "%u of %u reads had bits above %u", bad_bits,
	      READS, bits);
	check(backwards == 0, "reads monotonic", "%u of %u steps went backwards", backwards, READS);
	check(moved > 0, "counter moves", "%u reads, all the same", READS);

	uint32_t khz;
	if (hv_timing_leaf(&khz, NULL)) {
		printf("pmtimer: reference tsc %u kHz (cpuid 0x40000010)\n", khz);
		uint32_t p0 = pmtimer_read();
		uint64_t t0 = rdtsc();
		uint64_t want = (uint64_t)khz * (WINDOW_US / 1000);
		while (rdtsc() - t0 < want)
			cpu_relax();
		uint32_t p1 = pmtimer_read();
		uint64_t t1 = rdtsc();
		uint64_t got = pmtimer_delta(p0, p1);
		uint64_t expect = muldiv(t1 - t0, PMTIMER_HZ, (uint64_t)khz * 1000);
		uint64_t hz = muldiv(got, (uint64_t)khz * 1000, t1 - t0);
		printf("pmtimer: %llu ticks, expected %llu: %llu Hz\n", (unsigned long long)got,
		       (unsigned long long)expect, (unsigned long long)hz);
		check(within_ppm(got, expect, 10000), "rate vs tsc within 1%", "%llu Hz",
		      (unsigned long long)hz);
	} else if (hpet_period_fs() != 0 && hpet_period_fs() <= 100000000u) {
		uint64_t period = hpet_period_fs();
		printf("pmtimer: no cpuid 0x40000010; reference hpet, period %llu fs\n",
		       (unsigned long long)period);
		uint64_t conf = hpet_read(HPET_CONF);
		hpet_write(HPET_CONF, conf | HPET_CONF_ENABLE);
		uint64_t want = muldiv(WINDOW_US, 1000000000ULL, period); /* HPET ticks */
		uint32_t p0 = pmtimer_read();
		uint64_t h0 = hpet_counter(), h1;
		while ((h1 = hpet_counter()) - h0 < want)
			cpu_relax();
		uint32_t p1 = pmtimer_read();
		h1 = hpet_counter();
		hpet_write(HPET_CONF, conf);
		uint64_t got = pmtimer_delta(p0, p1);
		uint64_t ns = muldiv(h1 - h0, period, 1000000);
		uint64_t expect = muldiv(ns, PMTIMER_HZ, 1000000000);
		uint64_t hz = muldiv(got, 1000000000, ns);
		printf("pmtimer: %llu ticks, expected %llu: %llu Hz\n", (unsigned long long)got,
		       (unsigned long long)expect, (unsigned long long)hz);
		check(within_ppm(got, expect, 10000), "rate vs hpet within 1%", "%llu Hz",
		      (unsigned long long)hz);
	} else {
		check(false, "reference clock", "neither cpuid 0x40000010 nor an HPET");
	}
	check_finish("pmtimer");
}
