/* Local APIC (xAPIC MMIO or x2APIC MSRs) and I/O APIC helpers. */
#include "irq.h"

#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))
#define ICR_WAIT_LOOPS  100000

/* Per CPU in principle; the mode only changes when a guest asks for
 * x2APIC, and then every CPU of that guest is expected to switch. */
static volatile bool x2apic_on;

bool cpu_has_x2apic(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	return c & (1u << 21);
}

bool lapic_x2apic_mode(void)
{
	return x2apic_on;
}

uint32_t lapic_read(uint32_t reg)
{
	if (x2apic_on)
		return (uint32_t)rdmsr(X2APIC_MSR(reg));
	return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic_on)
		wrmsr64(X2APIC_MSR(reg), v);
	else
		mmio_write32(LAPIC_BASE + reg, v);
}

static void spurious_handler(struct irq_frame *f)
{
	(void)f; /* no EOI for the spurious vector */
}

void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN) || (base & ~0xfffULL) != LAPIC_BASE) {
		base = (base & (APIC_BASE_BSP | APIC_BASE_EXTD)) | LAPIC_BASE | APIC_BASE_EN;
		wrmsr64(MSR_APIC_BASE, base);
	}
	irq_register(LAPIC_SPURIOUS_VECTOR, spurious_handler);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	lapic_write(LAPIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, APIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, APIC_DM_NMI);
	lapic_write(LAPIC_LVT_ERR, APIC_LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
}

bool lapic_enable_x2apic(void)
{
	if (!cpu_has_x2apic())
		return false;
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_EN))
		wrmsr64(MSR_APIC_BASE, base |= APIC_BASE_EN);
	wrmsr64(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	x2apic_on = true;
	return true;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);
	return x2apic_on ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	if (x2apic_on) {
		/* One 64-bit write; no delivery status in x2APIC mode. */
		wrmsr64(X2APIC_MSR(LAPIC_ICR_LO), ((uint64_t)dest << 32) | icr_lo);
		return true;
	}
	mmio_write32(LAPIC_BASE + LAPIC_ICR_HI, dest << 24);
	mmio_write32(LAPIC_BASE + LAPIC_ICR_LO, icr_lo);
	for (int i = 0; i < ICR_WAIT_LOOPS; i++) {
		if (!(mmio_read32(LAPIC_BASE + LAPIC_ICR_LO) & APIC_ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

void lapic_lint0_extint(void)
{
	lapic_write(LAPIC_LVT_LINT0, APIC_DM_EXTINT);
}

void lapic_lint0_mask(void)
{
	lapic_write(LAPIC_LVT_LINT0, APIC_LVT_MASKED);
}

static bool vec_bit(uint32_t base, uint8_t vector)
{
	return lapic_read(base + 0x10u * (vector / 32u)) & (1u << (vector % 32u));
}

bool lapic_isr_bit(uint8_t vector)
{
	return vec_bit(LAPIC_ISR0, vector);
}

bool lapic_irr_bit(uint8_t vector)
{
	return vec_bit(LAPIC_IRR0, vector);
}

bool lapic_tmr_bit(uint8_t vector)
{
	return vec_bit(LAPIC_TMR0, vector);
}

uint32_t lapic_dcr_encode(unsigned divide)
{
	/* DCR bits 3,1,0: 0b000 = /2 ... 0b110 = /128, 0b111 = /1 */
	unsigned log2 = 0;
	while ((1u << log2) < divide && log2 < 7)
		log2++;
	uint32_t v = log2 == 0 ? 7 : log2 - 1;
	return (v & 3) | ((v & 4) << 1);
}

void lapic_timer_setup(uint8_t vector, uint32_t mode, unsigned divide, uint32_t initial)
{
	lapic_write(LAPIC_TIMER_DCR, lapic_dcr_encode(divide));
	lapic_write(LAPIC_LVT_TIMER, mode | vector);
	lapic_write(LAPIC_TIMER_ICR, initial);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_TIMER_ICR, 0);
	lapic_write(LAPIC_LVT_TIMER, APIC_LVT_MASKED);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CCR);
}

/* ---- I/O APIC -------------------------------------------------------- */

uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(IOAPIC_BASE + 0x00, reg);
	return mmio_read32(IOAPIC_BASE + 0x10);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE + 0x00, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

unsigned ioapic_pins(void)
{
	return ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
}

uint64_t ioapic_read_redir(unsigned pin)
{
	uint32_t lo = ioapic_read(IOAPIC_REG_REDIR + 2 * pin);
	uint32_t hi = ioapic_read(IOAPIC_REG_REDIR + 2 * pin + 1);
	return ((uint64_t)hi << 32) | lo;
}

void ioapic_write_redir(unsigned pin, uint64_t e)
{
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(e >> 32));
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin, (uint32_t)e);
}

void ioapic_route(unsigned pin, uint8_t vector, uint8_t dest, uint32_t flags)
{
	ioapic_write_redir(pin, ((uint64_t)dest << 56) | flags | vector);
}

void ioapic_mask(unsigned pin, bool masked)
{
	uint32_t lo = ioapic_read(IOAPIC_REG_REDIR + 2 * pin);
	lo = masked ? lo | IOAPIC_MASKED : lo & ~IOAPIC_MASKED;
	ioapic_write(IOAPIC_REG_REDIR + 2 * pin, lo);
}

void ioapic_mask_all(void)
{
	unsigned n = ioapic_pins();
	for (unsigned pin = 0; pin < n; pin++)
		ioapic_write_redir(pin, IOAPIC_MASKED);
}
