/* pit-calib: calibrates the TSC against PIT channel 2 the way Linux's
 * pit_calibrate_tsc() does: gate on through port 0x61, mode 0 with a
 * 10 ms count, then poll OUT2 (port 0x61 bit 5) while reading the TSC.
 * The result must be within 1 % of the TSC rate from CPUID 0x40000010
 * (or, without that leaf, of a calibration against the PM timer).
 *
 * Each run brackets both ends with TSC reads: the count starts between
 * the TSC reads around the last count byte, and OUT2 rose between the
 * last poll that read it low and the first that read it high. Half the
 * sum of the two brackets bounds the error. Under a busy hypervisor one
 * port read can take milliseconds, so (like Linux, which retries when a
 * poll took too long) up to TRIES runs are made and the tightest kept. */
#include "rt/irq.h"

#define CALIB_MS    10u
#define CALIB_LATCH (PIT_HZ / (1000u / CALIB_MS)) /* 11931 */
#define TRIES       10
#define GOOD_PPM    2500u     /* stop early once the bound is within 0.25 % */
#define MAX_BOUND_PPM 5000u   /* the kept run must be bounded to 0.5 % */
#define MAX_POLLS   10000000u

struct result {
	uint64_t tsc;     /* TSC ticks from count load to OUT2 high, midpoints */
	uint64_t bound;   /* +/- error bound, TSC ticks */
	uint32_t polls;
	bool out_low;     /* OUT2 read low right after programming */
	bool done;
};

static void calibrate(struct result *r)
{
	/* Gate high, speaker data off; channel 2, lobyte/hibyte, mode 0. */
	pit_ch2_gate(true);
	outb(0x43, 0xb0);
	outb(0x42, CALIB_LATCH & 0xff);
	uint64_t s0 = rdtsc();
	outb(0x42, CALIB_LATCH >> 8); /* counting starts here */
	uint64_t s1 = rdtsc();
	r->out_low = !pit_ch2_out();
	uint64_t low = s1, now = s1;
	r->done = false;
	for (r->polls = 0; r->polls < MAX_POLLS; r->polls++) {
		uint64_t before = rdtsc();
		bool out = pit_ch2_out();
		now = rdtsc();
		if (out) {
			r->done = true;
			break;
		}
		low = before; /* OUT2 was still low at some point after this */
	}
	/* start in [s0, s1], end in [low, now] */
	r->tsc = (low + now) / 2 - (s0 + s1) / 2;
	r->bound = ((s1 - s0) + (now - low) + 1) / 2;
	pit_ch2_gate(false);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	pmtimer_init();
	uint32_t ref = tsc_khz();
	printf("pit-calib: reference %u kHz (%s)\n", ref, tsc_khz_source());

	struct result best = { 0 }, r;
	bool out_low = true;
	int tries, best_try = 0;
	for (tries = 1; tries <= TRIES; tries++) {
		calibrate(&r);
		out_low = out_low && r.out_low;
		if (!r.done)
			break;
		if (!best.done || r.bound < best.bound) {
			best = r;
			best_try = tries;
		}
		if (best.bound * 1000000 <= best.tsc * GOOD_PPM)
			break;
	}
	check(out_low, "out2 low after programming mode 0", "OUT2 read high");
	if (!check(r.done, "out2 goes high", "still low after %u polls", r.polls))
		check_finish("pit-calib");
	uint64_t khz = best.tsc / CALIB_MS;
	uint64_t bound_ppm = best.bound * 1000000 / best.tsc;
	printf("pit-calib: tsc %llu kHz (pit ch2, %u ms, %u polls, run %d of %d, bound %llu ppm)\n",
	       (unsigned long long)khz, CALIB_MS, best.polls, best_try,
	       tries > TRIES ? TRIES : tries, (unsigned long long)bound_ppm);
	long dev = dev_centi_pct(khz, ref);
	long adev = dev < 0 ? -dev : dev;
	printf("pit-calib: deviation %s%ld.%02ld%%\n", dev < 0 ? "-" : "+", adev / 100, adev % 100);
	check(bound_ppm <= MAX_BOUND_PPM, "measurement bounded to 0.5%", "+/- %llu ppm",
	      (unsigned long long)bound_ppm);
	check(within_ppm(khz, ref, 10000), "pit calibration within 1% of reference",
	      "%llu kHz vs %u kHz", (unsigned long long)khz, ref);
	check_finish("pit-calib");
}
