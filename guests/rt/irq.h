/* Interrupts and the PC platform for the test guests: a 64-bit IDT (idt.c,
 * idt_stubs.S), local APIC and I/O APIC helpers (apic.c), and the PIC,
 * PIT, HPET, RTC, ACPI PM timer and TSC (platform.c).
 *
 * Interrupts are taken in 64-bit mode only and handlers return with iretq
 * (the target hypervisor cannot emulate 32-bit iret, int n or int3 at CPL0,
 * so nothing here uses them). Nothing is set up until a guest calls
 * idt_init(); guests that never call it keep entry.S's zero-limit IDT. */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include "rt.h"

/* ---- IDT and dispatch (idt.c) ------------------------------------------ */

/* Stack layout built by the stubs (lowest address first); the CPU pushed
 * rip..ss, the stub pushed vector, error (0 if the CPU pushes none) and
 * the 15 general-purpose registers. Handlers may modify the saved GPRs. */
struct irq_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct irq_frame *f);

/* Fills all 256 vectors (64-bit interrupt gates, CS 0x08, IST 0) and loads
 * the IDT. Idempotent. Interrupts stay disabled (IF is not touched). */
void idt_init(void);
/* Installs a handler for a vector (NULL removes it). Exceptions 0-31 with
 * no handler print "exception: vector V error 0xE rip 0xR" and call
 * guest_exit(IRQ_EXIT_EXCEPTION). Any other vector with no handler prints
 * "irq: unexpected vector V" and exits the same way. The handler is
 * responsible for the EOI (lapic_eoi / pic_eoi). */
void irq_register(uint8_t vector, irq_handler_t handler);
/* Called by the stubs; not for guests. */
void irq_dispatch(struct irq_frame *f);
/* Number of interrupts dispatched per vector since idt_init(). */
extern volatile uint32_t irq_count[256];

#define IRQ_EXIT_EXCEPTION 0x7e

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
/* sti; hlt; cli: sleeps until an interrupt has been handled (sti's
 * one-instruction shadow makes the pair atomic), returns with IF=0.
 * To take an interrupt that is already pending, prefer this or a bounded
 * IF=1 loop over a one-instruction "sti; nop; cli" window: a hypervisor
 * may need a VM exit to inject, and may not fit it into that window. */
static inline void wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}
static inline bool irq_enabled(void)
{
	uint64_t fl;
	__asm__ volatile("pushfq; popq %0" : "=r"(fl));
	return fl & (1u << 9);
}

/* ---- CPU helpers ------------------------------------------------------- */

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline void wrmsr64(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)phys(addr);
}
static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)phys(addr) = v;
}
static inline uint64_t mmio_read64(uint64_t addr)
{
	return *(volatile uint64_t *)phys(addr);
}
static inline void mmio_write64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)phys(addr) = v;
}

/* Hypervisor leaves: 0x40000000 signature (12 chars + NUL into sig),
 * returns the max hypervisor leaf (0 if CPUID.1:ECX.31 is clear). */
uint32_t hv_signature(char sig[13]);
/* CPUID 0x40000010 (keel, VMware, QEMU +vmware-cpuid-freq): EAX = TSC kHz,
 * EBX = LAPIC timer kHz. false if the leaf is absent or reads 0. */
bool hv_timing_leaf(uint32_t *tsc_khz, uint32_t *lapic_khz);

/* ---- Local APIC (apic.c) ---------------------------------------------- */

#define LAPIC_BASE      0xfee00000ULL
#define MSR_APIC_BASE   0x1bu
#define APIC_BASE_BSP   (1ULL << 8)
#define APIC_BASE_EXTD  (1ULL << 10)   /* x2APIC mode */
#define APIC_BASE_EN    (1ULL << 11)

/* xAPIC register offsets (x2APIC MSR = 0x800 + offset / 16). */
#define LAPIC_ID        0x020
#define LAPIC_VER       0x030
#define LAPIC_TPR       0x080
#define LAPIC_PPR       0x0a0
#define LAPIC_EOI       0x0b0
#define LAPIC_LDR       0x0d0
#define LAPIC_DFR       0x0e0
#define LAPIC_SVR       0x0f0
#define LAPIC_ISR0      0x100          /* ISR bits 0-31; + 0x10 per 32 vectors */
#define LAPIC_TMR0      0x180
#define LAPIC_IRR0      0x200
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERM 0x330
#define LAPIC_LVT_PMC   0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERR   0x370
#define LAPIC_TIMER_ICR 0x380          /* initial count */
#define LAPIC_TIMER_CCR 0x390          /* current count */
#define LAPIC_TIMER_DCR 0x3e0          /* divide configuration */
#define LAPIC_SELF_IPI  0x3f0          /* x2APIC only */

#define SVR_ENABLE      (1u << 8)
#define LAPIC_SPURIOUS_VECTOR 0xff

/* LVT / ICR fields */
#define APIC_DM_FIXED   (0u << 8)
#define APIC_DM_LOWPRI  (1u << 8)
#define APIC_DM_SMI     (2u << 8)
#define APIC_DM_NMI     (4u << 8)
#define APIC_DM_INIT    (5u << 8)
#define APIC_DM_STARTUP (6u << 8)
#define APIC_DM_EXTINT  (7u << 8)
#define APIC_DEST_LOGICAL (1u << 11)
#define APIC_ICR_BUSY   (1u << 12)     /* delivery status (xAPIC) */
#define APIC_LVT_REMOTE_IRR (1u << 14)
#define APIC_ICR_ASSERT (1u << 14)
#define APIC_LVT_LEVEL  (1u << 15)
#define APIC_LVT_MASKED (1u << 16)
#define APIC_TIMER_ONESHOT  (0u << 17)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSCDEADLINE (2u << 17)
#define APIC_SH_NONE    (0u << 18)
#define APIC_SH_SELF    (1u << 18)
#define APIC_SH_ALL     (2u << 18)
#define APIC_SH_OTHERS  (3u << 18)

/* Register access in the current mode: xAPIC MMIO at LAPIC_BASE, or the
 * x2APIC MSRs once lapic_enable_x2apic() has run on this CPU. */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
/* IA32_APIC_BASE.EN set (base 0xfee00000, xAPIC mode), SVR = enable |
 * LAPIC_SPURIOUS_VECTOR (whose handler ignores it), TPR 0, LVT timer,
 * LINT0, LINT1 (NMI, as on PCs), error masked, ESR cleared. Call idt_init()
 * first. Per CPU. */
void lapic_enable(void);
/* Sets IA32_APIC_BASE.EXTD: registers are MSRs from now on (this CPU). */
bool lapic_enable_x2apic(void);
bool lapic_x2apic_mode(void);
/* CPUID.1:ECX.21 */
bool cpu_has_x2apic(void);
/* APIC ID: ID register bits 31:24 (xAPIC) or the full 32 bits (x2APIC). */
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Sends an IPI; icr_lo = vector | delivery mode | level | shorthand...,
 * dest = APIC ID. Waits for the delivery status to clear (xAPIC), with a
 * bound; false if it never did. */
bool lapic_send_ipi(uint32_t dest, uint32_t icr_lo);
/* LINT0 as ExtINT (virtual wire mode: the PIC's INTR reaches this CPU). */
void lapic_lint0_extint(void);
void lapic_lint0_mask(void);
/* vector's bit in ISR / IRR / TMR */
bool lapic_isr_bit(uint8_t vector);
bool lapic_irr_bit(uint8_t vector);
bool lapic_tmr_bit(uint8_t vector);
/* Timer: mode (APIC_TIMER_*) | vector, divide 1..128 (power of two),
 * initial count (0 stops it). */
void lapic_timer_setup(uint8_t vector, uint32_t mode, unsigned divide, uint32_t initial);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);
/* DCR encoding for a divide value (1, 2, 4, ... 128). */
uint32_t lapic_dcr_encode(unsigned divide);

/* ---- I/O APIC (apic.c) ------------------------------------------------ */

#define IOAPIC_BASE     0xfec00000ULL
#define IOAPIC_REG_ID   0x00
#define IOAPIC_REG_VER  0x01
#define IOAPIC_REG_REDIR 0x10          /* + 2 * pin (low dword), + 1 (high) */

/* Redirection entry bits (low dword) */
#define IOAPIC_DM_FIXED   (0u << 8)
#define IOAPIC_DM_LOWPRI  (1u << 8)
#define IOAPIC_DM_EXTINT  (7u << 8)
#define IOAPIC_LOGICAL    (1u << 11)
#define IOAPIC_PENDING    (1u << 12)   /* delivery status, read-only */
#define IOAPIC_ACTIVE_LOW (1u << 13)
#define IOAPIC_REMOTE_IRR (1u << 14)   /* read-only */
#define IOAPIC_LEVEL      (1u << 15)
#define IOAPIC_MASKED     (1u << 16)

uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
/* Number of pins (max redirection entry + 1). */
unsigned ioapic_pins(void);
uint64_t ioapic_read_redir(unsigned pin);
/* Writes the high dword first, then the low dword. */
void ioapic_write_redir(unsigned pin, uint64_t entry);
/* pin -> vector, physical (or logical with IOAPIC_LOGICAL in flags)
 * destination dest, flags = IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW |
 * IOAPIC_MASKED | IOAPIC_LOGICAL | delivery mode. */
void ioapic_route(unsigned pin, uint8_t vector, uint8_t dest, uint32_t flags);
void ioapic_mask(unsigned pin, bool masked);
/* Masks every pin. */
void ioapic_mask_all(void);
/* I/O APIC pin of an ISA IRQ on a PC (IRQ0 -> 2, else n). */
static inline unsigned isa_irq_to_pin(unsigned irq)
{
	return irq == 0 ? 2 : irq;
}

/* ---- 8259A PIC pair (platform.c) -------------------------------------- */

#define PIC_VECTOR_BASE   0x20         /* master IRQ0-7 -> 0x20-0x27 */
#define PIC2_VECTOR_BASE  0x28         /* slave IRQ8-15 -> 0x28-0x2f */

/* ICW1-4: edge, cascade on IRQ2, 8086 mode, vectors base1/base2; leaves
 * every IRQ masked except the cascade (IRQ2). Registers handlers for the
 * spurious IRQ7/IRQ15 vectors that ignore them (counted in
 * pic_spurious). */
void pic_init(uint8_t base1, uint8_t base2);
/* 16-bit mask, bit n = IRQ n (slave in bits 8-15). */
void pic_set_mask(uint16_t mask);
uint16_t pic_get_mask(void);
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);    /* unmasking IRQ8-15 also unmasks IRQ2 */
/* Masks every IRQ of both PICs (for guests that use the I/O APIC). */
void pic_disable(void);
/* Non-specific EOI (to the slave and then the master for IRQ8-15). */
void pic_eoi(unsigned irq);
/* Specific EOI for irq (slave: its IRQ, then master IRQ2). */
void pic_eoi_specific(unsigned irq);
/* OCW3 reads, 16 bits (slave in bits 8-15). */
uint16_t pic_read_irr(void);
uint16_t pic_read_isr(void);
/* ELCR (0x4d0/0x4d1): bit n = IRQ n level triggered. */
uint16_t pic_read_elcr(void);
void pic_write_elcr(uint16_t v);
extern volatile uint32_t pic_spurious;

/* ---- 8254 PIT (platform.c) -------------------------------------------- */

#define PIT_HZ 1193182u

/* Control word for channel ch (0-2), lobyte/hibyte access, mode 0-5,
 * binary; then the count (0 = 65536). */
void pit_set_mode(unsigned ch, unsigned mode, uint16_t count);
/* Latches and reads channel ch's count. */
uint16_t pit_read_count(unsigned ch);
/* Channel 0 mode 0 with count 1 then left alone: stops periodic ticks
 * (the one interrupt it may still raise is the caller's to expect). */
void pit_stop(unsigned ch);
/* Port 0x61: bit 0 = channel 2 gate, bit 1 = speaker data (kept 0),
 * bit 5 = OUT2 (read). */
void pit_ch2_gate(bool on);
bool pit_ch2_out(void);

/* ---- HPET (platform.c) ------------------------------------------------ */

#define HPET_BASE        0xfed00000ULL
#define HPET_CAP         0x000
#define HPET_CONF        0x010
#define HPET_STATUS      0x020
#define HPET_COUNTER     0x0f0
#define HPET_TN_CONF(n)  (0x100 + 0x20 * (n))
#define HPET_TN_CMP(n)   (0x108 + 0x20 * (n))
#define HPET_TN_FSB(n)   (0x110 + 0x20 * (n))

#define HPET_CONF_ENABLE  (1u << 0)
#define HPET_CONF_LEGACY  (1u << 1)
#define HPET_TN_LEVEL     (1u << 1)
#define HPET_TN_ENABLE    (1u << 2)
#define HPET_TN_PERIODIC  (1u << 3)
#define HPET_TN_PER_CAP   (1u << 4)
#define HPET_TN_64_CAP    (1u << 5)
#define HPET_TN_SETVAL    (1u << 6)
#define HPET_TN_32MODE    (1u << 8)
#define HPET_TN_ROUTE_SHIFT 9
#define HPET_TN_ROUTE_MASK  (0x1fu << 9)
#define HPET_TN_FSB_EN    (1u << 14)
#define HPET_TN_FSB_CAP   (1u << 15)

static inline uint64_t hpet_read(uint32_t off)
{
	return mmio_read64(HPET_BASE + off);
}
static inline void hpet_write(uint32_t off, uint64_t v)
{
	mmio_write64(HPET_BASE + off, v);
}
/* GEN_CAP fields */
uint32_t hpet_period_fs(void);
unsigned hpet_num_timers(void);
static inline uint64_t hpet_counter(void)
{
	return hpet_read(HPET_COUNTER);
}
/* Tn_INT_ROUTE_CAP: bit n = I/O APIC pin n allowed. */
static inline uint32_t hpet_route_cap(unsigned n)
{
	return (uint32_t)(hpet_read(HPET_TN_CONF(n)) >> 32);
}
/* Halts the counter, disables every comparator, clears the status bits and
 * legacy routing, zeroes the counter. */
void hpet_reset(void);

/* ---- CMOS RTC (platform.c) -------------------------------------------- */

#define RTC_SEC   0x00
#define RTC_MIN   0x02
#define RTC_HOUR  0x04
#define RTC_DAY   0x07
#define RTC_MONTH 0x08
#define RTC_YEAR  0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

#define RTC_A_UIP  0x80
#define RTC_B_SET  0x80
#define RTC_B_PIE  0x40
#define RTC_B_AIE  0x20
#define RTC_B_UIE  0x10
#define RTC_B_DM   0x04                /* 1: binary, 0: BCD */
#define RTC_B_24H  0x02
#define RTC_C_IRQF 0x80
#define RTC_C_PF   0x40
#define RTC_C_AF   0x20
#define RTC_C_UF   0x10

uint8_t rtc_read(uint8_t reg);         /* NMI stays enabled (index bit 7 = 0) */
void rtc_write(uint8_t reg, uint8_t v);

struct rtc_time {
	unsigned year, month, day, hour, min, sec;
};
/* Waits for UIP to clear, reads until two reads agree, converts BCD and
 * 12-hour format; year 2000-2099 unless the century byte (0x32) reads as a
 * valid 19/20/21. */
void rtc_read_time(struct rtc_time *t);

/* ---- ACPI PM timer (platform.c) --------------------------------------- */

#define PMTIMER_HZ 3579545u

/* Finds the PM timer (port and width) through the ACPI FADT when the
 * firmware provides one; otherwise port 0x608, 32 bits on keel, 24 bits
 * elsewhere. Called by the first pmtimer_read(). */
void pmtimer_init(void);
uint16_t pmtimer_port(void);
unsigned pmtimer_bits(void);           /* 24 or 32 */
uint32_t pmtimer_read(void);
/* Ticks from a to b for a counter of `bits` bits (wraps handled). */
static inline uint32_t pmtimer_delta_bits(uint32_t a, uint32_t b, unsigned bits)
{
	uint32_t mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
	return (b - a) & mask;
}
static inline uint32_t pmtimer_delta(uint32_t a, uint32_t b)
{
	return pmtimer_delta_bits(a, b, pmtimer_bits());
}
/* Busy-waits until `ticks` PM timer ticks have passed since start
 * (ticks < 2^23 so a 24-bit counter cannot wrap past it unseen). */
void pmtimer_wait_from(uint32_t start, uint32_t ticks);
/* Microseconds for PM timer ticks (64-bit math). */
static inline uint64_t pmtimer_ticks_to_us(uint64_t ticks)
{
	return ticks * 1000000u / PMTIMER_HZ;
}

/* ---- TSC (platform.c) ------------------------------------------------- */

/* TSC kHz from CPUID 0x40000010, else calibrated once against the PM timer
 * over 20 ms. tsc_khz_source() says which: "cpuid" or "pmtimer". */
uint32_t tsc_khz(void);
const char *tsc_khz_source(void);
/* Busy-waits us microseconds on the TSC. */
void delay_us(uint64_t us);

/* ---- Small helpers ---------------------------------------------------- */

/* true when CPUID 0x40000000 says "keelkeelkeel". */
bool hv_is_keel(void);
/* Timeliness checks: no periodic interrupt lost over the measured span,
 * no late duplicate delivery. A busy host (CI machines with two CPUs and
 * other jobs) makes a VMM's timer thread or the vCPU late, and both keel
 * and QEMU then lose ticks at 1 kHz, so these are reported as tolerated
 * unless the command line says `strict=1`. The rate checks (period over
 * the measured span, pm_period_ns) stay strict. cmdline may be NULL. */
bool timing_strict(const char *cmdline);
/* check() when strict; otherwise a failure prints "tolerated <what>:
 * <detail>" and is not counted. Returns pass. */
bool check_timely(bool strict, bool pass, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Median of n values (n >= 1); reorders v. O(n) on average. */
uint32_t median_u32(uint32_t *v, size_t n);
/* Period in ns of a periodic interrupt from n + 1 PM timer stamps, robust
 * to jitter and to late, lost and catch-up interrupts.
 * With seq (the source's own period number at each stamp, e.g. an HPET
 * comparator / period): the median, over pairs of stamps n / 2 apart, of
 * the time between them over the periods between them.
 * Without: the time spanned over the number of nominal periods in it,
 * counted interval by interval, each rounded to whole periods (2 or more
 * across a lost interrupt, 0 for a catch-up one). Rounding single
 * intervals keeps a rate error below 50 % visible (rounding a long span
 * would hide it), but a lasting jump in interrupt latency of half a
 * period or more miscounts: callers treat a run with many spanning
 * intervals as disturbed. A source 50 % or more off cannot be told from
 * one losing interrupts: the interrupt count over the span says that.
 * *spanning counts single intervals of 2 or more periods. Returns 0 if
 * nothing could be counted. scratch holds n / 2 + 1 values (seq only). */
uint64_t pm_period_ns(const volatile uint32_t *stamps, const volatile uint64_t *seq,
		      uint32_t n, uint32_t nominal, uint32_t *scratch, uint32_t *spanning);

/* n * num / den in 64 bits with rounding to nearest (no overflow checks:
 * keep n * num < 2^64). */
static inline uint64_t muldiv(uint64_t n, uint64_t num, uint64_t den)
{
	return (n * num + den / 2) / den;
}
/* |got - want| <= want * ppm / 1e6 */
static inline bool within_ppm(uint64_t got, uint64_t want, uint64_t ppm)
{
	uint64_t d = got > want ? got - want : want - got;
	return d * 1000000u <= want * ppm;
}
/* Signed deviation of got from want in units of 0.01 % (for printing). */
static inline long dev_centi_pct(uint64_t got, uint64_t want)
{
	if (!want)
		return 0;
	return (long)(((int64_t)got - (int64_t)want) * 10000 / (int64_t)want);
}

#endif
