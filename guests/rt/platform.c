/* PC platform helpers: 8259A PIC pair, 8254 PIT, HPET, CMOS RTC, ACPI PM
 * timer and the TSC. */
#include "irq.h"

/* ---- 8259A PIC pair ---------------------------------------------------- */

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ELCR1     0x4d0
#define ELCR2     0x4d1
#define OCW2_EOI  0x20
#define OCW2_SEOI 0x60
#define OCW3_IRR  0x0a
#define OCW3_ISR  0x0b

volatile uint32_t pic_spurious;
static uint8_t pic_base1 = PIC_VECTOR_BASE, pic_base2 = PIC2_VECTOR_BASE;

static void pic_spurious_handler(struct irq_frame *f)
{
	unsigned irq = f->vector == (uint64_t)pic_base1 + 7 ? 7 : 15;

	if (pic_read_isr() & (1u << irq)) {
		/* A real IRQ7/15 with no handler of its own: acknowledge it. */
		pic_eoi(irq);
		return;
	}
	pic_spurious++;
	if (irq == 15)
		outb(PIC1_CMD, OCW2_EOI); /* the master did see IRQ2 */
}

void pic_init(uint8_t base1, uint8_t base2)
{
	pic_base1 = base1;
	pic_base2 = base2;
	outb(PIC1_CMD, 0x11);   /* ICW1: edge, cascade, ICW4 needed */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, base1); /* ICW2: vector base */
	outb(PIC2_DATA, base2);
	outb(PIC1_DATA, 0x04);  /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);  /* ICW3: slave identity 2 */
	outb(PIC1_DATA, 0x01);  /* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, 0x01);
	pic_set_mask((uint16_t)~(1u << 2));
	irq_register((uint8_t)(base1 + 7), pic_spurious_handler);
	irq_register((uint8_t)(base2 + 7), pic_spurious_handler);
}

void pic_set_mask(uint16_t mask)
{
	outb(PIC1_DATA, (uint8_t)mask);
	outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

uint16_t pic_get_mask(void)
{
	return (uint16_t)(inb(PIC1_DATA) | (inb(PIC2_DATA) << 8));
}

void pic_mask(unsigned irq)
{
	pic_set_mask((uint16_t)(pic_get_mask() | (1u << irq)));
}

void pic_unmask(unsigned irq)
{
	uint16_t m = (uint16_t)(pic_get_mask() & ~(1u << irq));
	if (irq >= 8)
		m &= (uint16_t)~(1u << 2);
	pic_set_mask(m);
}

void pic_disable(void)
{
	pic_set_mask(0xffff);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

void pic_eoi_specific(unsigned irq)
{
	if (irq >= 8) {
		outb(PIC2_CMD, (uint8_t)(OCW2_SEOI | (irq - 8)));
		outb(PIC1_CMD, OCW2_SEOI | 2);
	} else {
		outb(PIC1_CMD, (uint8_t)(OCW2_SEOI | irq));
	}
}

static uint16_t pic_read_ocw3(uint8_t ocw3)
{
	outb(PIC1_CMD, ocw3);
	outb(PIC2_CMD, ocw3);
	return (uint16_t)(inb(PIC1_CMD) | (inb(PIC2_CMD) << 8));
}

uint16_t pic_read_irr(void)
{
	return pic_read_ocw3(OCW3_IRR);
}

uint16_t pic_read_isr(void)
{
	return pic_read_ocw3(OCW3_ISR);
}

uint16_t pic_read_elcr(void)
{
	return (uint16_t)(inb(ELCR1) | (inb(ELCR2) << 8));
}

void pic_write_elcr(uint16_t v)
{
	outb(ELCR1, (uint8_t)v);
	outb(ELCR2, (uint8_t)(v >> 8));
}

/* ---- 8254 PIT ---------------------------------------------------------- */

#define PIT_CH(n) ((uint16_t)(0x40 + (n)))
#define PIT_CMD   0x43
#define PORT_61   0x61

void pit_set_mode(unsigned ch, unsigned mode, uint16_t count)
{
	outb(PIT_CMD, (uint8_t)((ch << 6) | 0x30 | (mode << 1)));
	outb(PIT_CH(ch), (uint8_t)count);
	outb(PIT_CH(ch), (uint8_t)(count >> 8));
}

uint16_t pit_read_count(unsigned ch)
{
	outb(PIT_CMD, (uint8_t)(ch << 6)); /* counter latch */
	uint8_t lo = inb(PIT_CH(ch));
	uint8_t hi = inb(PIT_CH(ch));
	return (uint16_t)(lo | (hi << 8));
}

void pit_stop(unsigned ch)
{
	/* A control word alone does not stop every implementation (KVM's
	 * in-kernel PIT keeps its periodic timer until a count is loaded). */
	pit_set_mode(ch, 0, 1);
}

void pit_ch2_gate(bool on)
{
	uint8_t v = inb(PORT_61) & 0x0c; /* keep the NMI enable bits, speaker off */
	outb(PORT_61, (uint8_t)(v | (on ? 1 : 0)));
}

bool pit_ch2_out(void)
{
	return inb(PORT_61) & 0x20;
}

/* ---- HPET -------------------------------------------------------------- */

uint32_t hpet_period_fs(void)
{
	return (uint32_t)(hpet_read(HPET_CAP) >> 32);
}

unsigned hpet_num_timers(void)
{
	return (unsigned)((hpet_read(HPET_CAP) >> 8) & 0x1f) + 1;
}

void hpet_reset(void)
{
	unsigned n = hpet_num_timers();

	hpet_write(HPET_CONF, 0);
	for (unsigned i = 0; i < n && i < 32; i++)
		hpet_write(HPET_TN_CONF(i), 0);
	hpet_write(HPET_STATUS, (1ULL << n) - 1);
	hpet_write(HPET_COUNTER, 0);
}

/* ---- CMOS RTC ---------------------------------------------------------- */

uint8_t rtc_read(uint8_t reg)
{
	outb(0x70, reg & 0x7f);
	return inb(0x71);
}

void rtc_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg & 0x7f);
	outb(0x71, v);
}

static unsigned bcd(uint8_t v, bool binary)
{
	return binary ? v : (unsigned)((v >> 4) * 10 + (v & 0xf));
}

static void rtc_read_raw(uint8_t r[7])
{
	while (rtc_read(RTC_REG_A) & RTC_A_UIP)
		cpu_relax();
	r[0] = rtc_read(RTC_SEC);
	r[1] = rtc_read(RTC_MIN);
	r[2] = rtc_read(RTC_HOUR);
	r[3] = rtc_read(RTC_DAY);
	r[4] = rtc_read(RTC_MONTH);
	r[5] = rtc_read(RTC_YEAR);
	r[6] = rtc_read(RTC_CENTURY);
}

void rtc_read_time(struct rtc_time *t)
{
	uint8_t a[7], b[7];

	rtc_read_raw(b);
	do {
		memcpy(a, b, sizeof(a));
		rtc_read_raw(b);
	} while (memcmp(a, b, sizeof(a)) != 0);

	uint8_t regb = rtc_read(RTC_REG_B);
	bool bin = regb & RTC_B_DM;
	t->sec = bcd(a[0], bin);
	t->min = bcd(a[1], bin);
	unsigned h = bcd(a[2] & 0x7f, bin);
	if (!(regb & RTC_B_24H)) {
		if (h == 12)
			h = 0;
		if (a[2] & 0x80)
			h += 12;
	}
	t->hour = h;
	t->day = bcd(a[3], bin);
	t->month = bcd(a[4], bin);
	unsigned century = bcd(a[6], bin);
	if (century < 19 || century > 21)
		century = 20;
	t->year = century * 100 + bcd(a[5], bin);
}

/* ---- ACPI PM timer ----------------------------------------------------- */

#define PMTIMER_DEFAULT_PORT 0x608
#define FADT_PM_TMR_BLK 76
#define FADT_FLAGS      112
#define FADT_TMR_VAL_EXT (1u << 8)

static bool pm_ready;
static uint16_t pm_port = PMTIMER_DEFAULT_PORT;
static unsigned pm_bits = 24;

static bool acpi_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

static const uint8_t *rsdp_scan(uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a + 20 <= end; a += 16) {
		const uint8_t *p = phys(a);
		if (*(const uint64_t *)p == 0x2052545020445352ULL /* "RSD PTR " */ &&
		    acpi_sum_ok(p, 20))
			return p;
	}
	return NULL;
}

/* The FADT through RSDP -> RSDT; NULL if there is none. */
static const uint8_t *acpi_find_fadt(void)
{
	uintptr_t bda = 0x40e; /* BDA word: EBDA segment */
	__asm__("" : "+r"(bda)); /* a computed address, not a constant one */
	uint64_t ebda = (uint64_t)*(const volatile uint16_t *)bda << 4;
	const uint8_t *rsdp = NULL;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		rsdp = rsdp_scan(ebda, ebda + 1024);
	if (!rsdp)
		rsdp = rsdp_scan(0xe0000, 0x100000);
	if (!rsdp)
		return NULL;
	uint32_t rsdt_addr;
	memcpy(&rsdt_addr, rsdp + 16, 4);
	if (!rsdt_addr)
		return NULL;
	const uint8_t *rsdt = phys(rsdt_addr);
	uint32_t len;
	memcpy(&len, rsdt + 4, 4);
	if (memcmp(rsdt, "RSDT", 4) != 0 || len < 36 || len > 4096)
		return NULL;
	for (uint32_t off = 36; off + 4 <= len; off += 4) {
		uint32_t t;
		memcpy(&t, rsdt + off, 4);
		const uint8_t *h = phys(t);
		if (t && memcmp(h, "FACP", 4) == 0)
			return h;
	}
	return NULL;
}

void pmtimer_init(void)
{
	const uint8_t *fadt = acpi_find_fadt();

	pm_ready = true;
	if (fadt) {
		uint32_t len, blk, flags;
		memcpy(&len, fadt + 4, 4);
		memcpy(&blk, fadt + FADT_PM_TMR_BLK, 4);
		if (blk && blk < 0x10000)
			pm_port = (uint16_t)blk;
		if (len >= FADT_FLAGS + 4) {
			memcpy(&flags, fadt + FADT_FLAGS, 4);
			pm_bits = flags & FADT_TMR_VAL_EXT ? 32 : 24;
		}
		return;
	}
	pm_bits = hv_is_keel() ? 32 : 24;
}

uint16_t pmtimer_port(void)
{
	if (!pm_ready)
		pmtimer_init();
	return pm_port;
}

unsigned pmtimer_bits(void)
{
	if (!pm_ready)
		pmtimer_init();
	return pm_bits;
}

uint32_t pmtimer_read(void)
{
	if (!pm_ready)
		pmtimer_init();
	uint32_t v = inl(pm_port);
	return pm_bits == 32 ? v : v & 0xffffff;
}

void pmtimer_wait_from(uint32_t start, uint32_t ticks)
{
	while (pmtimer_delta(start, pmtimer_read()) < ticks)
		cpu_relax();
}

/* ---- TSC --------------------------------------------------------------- */

#define TSC_CALIB_PM_TICKS (PMTIMER_HZ / 50) /* 20 ms */

static uint32_t tsc_khz_cached;
static const char *tsc_src = "none";

uint32_t tsc_khz(void)
{
	uint32_t khz;

	if (tsc_khz_cached)
		return tsc_khz_cached;
	if (hv_timing_leaf(&khz, NULL)) {
		tsc_src = "cpuid";
		return tsc_khz_cached = khz;
	}
	/* Start on a PM timer edge so the interval is whole ticks. */
	uint32_t p0 = pmtimer_read(), p;
	while ((p = pmtimer_read()) == p0)
		;
	uint64_t t0 = rdtsc(), t1;
	uint32_t ticks;
	do {
		ticks = pmtimer_delta(p, pmtimer_read());
		t1 = rdtsc();
	} while (ticks < TSC_CALIB_PM_TICKS);
	tsc_src = "pmtimer";
	return tsc_khz_cached = (uint32_t)muldiv(t1 - t0, PMTIMER_HZ, (uint64_t)ticks * 1000);
}

const char *tsc_khz_source(void)
{
	tsc_khz();
	return tsc_src;
}

void delay_us(uint64_t us)
{
	uint64_t start = rdtsc();
	uint64_t ticks = us * tsc_khz() / 1000;
	while (rdtsc() - start < ticks)
		cpu_relax();
}

/* ---- Helpers ----------------------------------------------------------- */

bool hv_is_keel(void)
{
	char sig[13];
	hv_signature(sig);
	return strcmp(sig, "keelkeelkeel") == 0;
}

bool timing_strict(const char *cmdline)
{
	uint32_t v;
	return cmdline_u32(cmdline, "strict", &v) == 1 && v != 0;
}

bool check_timely(bool strict, bool pass, const char *what, const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (pass || strict)
		return check(pass, what, "%s", detail);
	printf("tolerated %s: %s\n", what, detail);
	return false;
}

uint32_t median_u32(uint32_t *v, size_t n)
{
	/* Quickselect (Hoare partition around the middle element). */
	size_t lo = 0, hi = n - 1, k = n / 2;

	while (lo < hi) {
		uint32_t pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				uint32_t t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

static uint64_t periods_between(const volatile uint32_t *stamps, const volatile uint64_t *seq,
				uint32_t i, uint32_t j, uint32_t nominal)
{
	if (seq)
		return seq[j] > seq[i] ? seq[j] - seq[i] : 0;
	return (pmtimer_delta(stamps[i], stamps[j]) + nominal / 2) / nominal;
}

uint64_t pm_period_ns(const volatile uint32_t *stamps, const volatile uint64_t *seq,
		      uint32_t n, uint32_t nominal, uint32_t *scratch, uint32_t *spanning)
{
	uint64_t periods = 0;

	*spanning = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t m = periods_between(stamps, seq, i, i + 1, nominal);
		if (m > 1)
			(*spanning)++;
		periods += m;
	}
	if (!seq) {
		if (!periods)
			return 0;
		return muldiv(pmtimer_delta(stamps[0], stamps[n]), 1000000000ULL,
			      (uint64_t)PMTIMER_HZ * periods);
	}
	uint32_t half = n / 2, used = 0;
	for (uint32_t i = 0; half && i + half <= n; i++) {
		uint64_t m = periods_between(stamps, seq, i, i + half, nominal);
		if (m == 0)
			continue;
		/* PM ticks per period, in 1/1024 ticks */
		scratch[used++] = (uint32_t)((uint64_t)pmtimer_delta(stamps[i], stamps[i + half]) *
					     1024 / m);
	}
	if (!used)
		return 0;
	return muldiv(median_u32(scratch, used), 1000000000ULL, (uint64_t)PMTIMER_HZ * 1024);
}
