/* rtc: prints the CMOS RTC's date and time as "rtc: YYYY-MM-DD HH:MM:SS"
 * (UTC as the RTC keeps it; BCD and 12-hour formats converted), checks
 * that a read in the other format (binary/BCD, 12/24 h swapped) agrees,
 * that reading register C clears its flags, the periodic interrupt at
 * 1024 Hz (rate 6) over 0.25 s against the PM timer (2 %), and two
 * update-ended interrupts about a second apart. IRQ8 goes through I/O
 * APIC pin 8 (edge). Command line: strict=0|1 (see timing_strict()). */
#include "rt/irq.h"

#define VEC_RTC     0x48
#define PIN_RTC     8
#define RATE_1024   6
#define RATE_64     10
#define WINDOW      256u   /* periodic interrupts: 0.25 s at 1024 Hz */
#define SKIP        8u     /* periodic interrupts before the window */
#define PF_STAMPS   (SKIP + WINDOW + 1)
#define TIMEOUT_S   3u

static volatile uint32_t pf_n, uf_n, irq_n;
/* PM timer in the first PF_STAMPS periodic interrupts (one VM exit each;
 * none after that, for the rest of the update-ended part). */
static volatile uint32_t pf_pm[PF_STAMPS];
static volatile uint64_t uf_tsc[2];
static volatile uint8_t uf_sec[2];

static void h_rtc(struct irq_frame *f)
{
	(void)f;
	uint8_t c = rtc_read(RTC_REG_C); /* acknowledges: the RTC lowers IRQ8 */
	irq_n++;
	if (c & RTC_C_PF) {
		uint32_t n = pf_n;
		if (n < PF_STAMPS)
			pf_pm[n] = pmtimer_read();
		pf_n = n + 1;
	}
	if (c & RTC_C_UF) {
		if (uf_n < 2) {
			uf_tsc[uf_n] = rdtsc();
			uf_sec[uf_n] = rtc_read(RTC_SEC);
		}
		uf_n++;
	}
	lapic_eoi();
}

static unsigned day_seconds(const struct rtc_time *t)
{
	return (t->hour * 60 + t->min) * 60 + t->sec;
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	pmtimer_init();
	uint32_t khz = tsc_khz();
	const struct mb_info *mbi = phys(info_phys);
	bool strict = timing_strict((mbi->flags & MBI_CMDLINE) ? phys(mbi->cmdline) : NULL);

	uint8_t a0 = rtc_read(RTC_REG_A);
	uint8_t b0 = rtc_read(RTC_REG_B) & (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
	rtc_write(RTC_REG_B, b0);
	struct rtc_time t, t12;
	rtc_read_time(&t);
	printf("rtc: %04u-%02u-%02u %02u:%02u:%02u\n", t.year, t.month, t.day, t.hour, t.min, t.sec);
	printf("rtc: reg a 0x%02x, reg b 0x%02x (%s, %s)\n", a0, b0,
	       b0 & RTC_B_DM ? "binary" : "bcd", b0 & RTC_B_24H ? "24h" : "12h");
	check(t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour < 24 &&
		      t.min < 60 && t.sec < 60 && t.year >= 2000,
	      "date and time fields valid", "%u-%u-%u %u:%u:%u", t.year, t.month, t.day, t.hour,
	      t.min, t.sec);

	/* The other format: binary and 12-hour (if the RTC started in BCD
	 * 24h); it reformats its registers from the same clock. */
	uint8_t b_alt = (uint8_t)(b0 ^ (RTC_B_DM | RTC_B_24H));
	rtc_write(RTC_REG_B, b_alt);
	rtc_read_time(&t12);
	uint8_t raw_hour = rtc_read(RTC_HOUR);
	rtc_write(RTC_REG_B, b0);
	unsigned d = (day_seconds(&t12) + 86400 - day_seconds(&t)) % 86400;
	printf("rtc: as %s %s: %02u:%02u:%02u (hour register 0x%02x)\n",
	       b_alt & RTC_B_DM ? "binary" : "bcd", b_alt & RTC_B_24H ? "24h" : "12h", t12.hour,
	       t12.min, t12.sec, raw_hour);
	check(d <= 1 && t12.day == t.day && t12.month == t.month && t12.year == t.year,
	      "other format reads the same time", "%u s apart", d);

	idt_init();
	lapic_enable();
	pic_init(PIC_VECTOR_BASE, PIC2_VECTOR_BASE);
	pic_disable();
	ioapic_mask_all();
	irq_register(VEC_RTC, h_rtc);

	/* Register C: flags set while the pin is masked, cleared by a read. */
	rtc_write(RTC_REG_A, (uint8_t)((a0 & 0xf0) | RATE_64));
	rtc_write(RTC_REG_B, b0 | RTC_B_PIE);
	rtc_read(RTC_REG_C);
	delay_us(40000); /* 2.5 periods at 64 Hz */
	uint8_t c1 = rtc_read(RTC_REG_C);
	uint8_t c2 = rtc_read(RTC_REG_C);
	printf("rtc: reg c 0x%02x then 0x%02x\n", c1, c2);
	check((c1 & (RTC_C_IRQF | RTC_C_PF)) == (RTC_C_IRQF | RTC_C_PF), "reg c shows irqf and pf",
	      "0x%02x", c1);
	check(!(c2 & (RTC_C_IRQF | RTC_C_PF)), "reading reg c clears its flags", "0x%02x", c2);

	/* Periodic 1024 Hz and update-ended together, through pin 8. */
	rtc_write(RTC_REG_B, b0);
	rtc_write(RTC_REG_A, (uint8_t)((a0 & 0xf0) | RATE_1024));
	ioapic_route(PIN_RTC, VEC_RTC, (uint8_t)lapic_id(), 0);
	rtc_write(RTC_REG_B, b0 | RTC_B_PIE | RTC_B_UIE);
	rtc_read(RTC_REG_C);
	uint64_t deadline = rdtsc() + (uint64_t)khz * 1000 * TIMEOUT_S;
	while (rdtsc() < deadline && !(pf_n >= PF_STAMPS && uf_n >= 2))
		wait_for_interrupt();
	rtc_write(RTC_REG_B, b0);
	ioapic_mask(PIN_RTC, true);
	rtc_read(RTC_REG_C);
	rtc_write(RTC_REG_A, a0);

	/* Interrupts SKIP .. SKIP + 256, stamped with the PM timer. The rate
	 * is the time spanned over the whole periods in it, counted interval by
	 * interval (pm_period_ns: late, lost or catch-up interrupts do not
	 * move it);
	 * the count over the same 0.25 s says none was lost (a timeliness
	 * check: strict only with strict=1, see timing_strict()). */
	if (check(pf_n >= PF_STAMPS, "periodic interrupts arrive", "%u in %u s", pf_n, TIMEOUT_S)) {
		uint32_t spanning;
		uint64_t period_ns = pm_period_ns(pf_pm + SKIP, NULL, WINDOW, PMTIMER_HZ / 1024,
						  NULL, &spanning);
		uint32_t dpm = pmtimer_delta(pf_pm[SKIP], pf_pm[SKIP + WINDOW]);
		uint64_t rate = muldiv((uint64_t)WINDOW * 100, PMTIMER_HZ, dpm);
		printf("rtc: periodic period %llu ns (%u intervals spanning lost ones); "
		       "%u interrupts in %llu us: %llu.%02llu Hz\n",
		       (unsigned long long)period_ns, spanning, WINDOW,
		       (unsigned long long)pmtimer_ticks_to_us(dpm), (unsigned long long)(rate / 100),
		       (unsigned long long)(rate % 100));
		/* More than 10 % of the intervals across lost interrupts: too
		 * disturbed a run to pin the period to 2 % unless strict. */
		check_timely(strict || spanning * 10 <= WINDOW, within_ppm(period_ns, 976563, 20000),
			     "periodic period 976.6 us within 2%", "%llu ns",
			     (unsigned long long)period_ns);
		check_timely(strict, within_ppm(rate, 102400, 20000),
			     "periodic 1024 Hz within 2% over 0.25 s", "%llu.%02llu Hz",
			     (unsigned long long)(rate / 100), (unsigned long long)(rate % 100));
	}
	if (check(uf_n >= 2, "update-ended interrupts arrive", "%u in %u s", uf_n, TIMEOUT_S)) {
		uint64_t ms = (uf_tsc[1] - uf_tsc[0]) / khz;
		printf("rtc: update-ended interrupts %llu ms apart, seconds 0x%02x -> 0x%02x\n",
		       (unsigned long long)ms, uf_sec[0], uf_sec[1]);
		check(ms >= 900 && ms <= 1100, "update-ended about once a second", "%llu ms",
		      (unsigned long long)ms);
		check(uf_sec[0] != uf_sec[1], "seconds advance between updates", "0x%02x both",
		      uf_sec[0]);
	}
	check_finish("rtc");
}
