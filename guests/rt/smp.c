/* AP start-up (BSP side) and the AP's first C code; see smp.h. */
#include "smp.h"

#include "irq.h"

#define MSR_EFER     0xC0000080u
#define EFER_LMA     (1u << 10)
#define CR4_PCIDE    (1u << 17)  /* cannot be set outside 64-bit mode */

#define INIT_DELAY_US  10000u    /* after INIT, before the first SIPI */
#define SIPI_DELAY_US  200u      /* after each SIPI */

extern const char smp_tramp_start[], smp_tramp_end[];
extern const char smp_gdt[], smp_gdt_end[];
void smp_ap_main_c(unsigned cpu);

static uint8_t ap_stacks[SMP_MAX_CPUS][SMP_AP_STACK_SIZE] __attribute__((aligned(16)));
static uint32_t apic_ids[SMP_MAX_CPUS];
static volatile unsigned online = 1;   /* the BSP */
static bool ready;
static struct smp_start_info last_info;
static struct spinlock console_lock = SPINLOCK_INIT;

static struct smp_tramp_params *params(void)
{
	return phys(SMP_TRAMP_ADDR + SMP_TP_OFF);
}

unsigned smp_cpus_from_cmdline(const char *cmdline, unsigned def)
{
	uint32_t n = def;
	int r = cmdline_u32(cmdline, "cpus", &n);

	if (r < 0 || n < 1 || n > SMP_MAX_CPUS) {
		printf("smp: cpus= must be 1..%u\n", SMP_MAX_CPUS);
		return 0;
	}
	return n;
}

/* [a, a + len) and [b, b + blen) intersect */
static bool overlaps(uint64_t a, uint64_t len, uint64_t b, uint64_t blen)
{
	return len && blen && a < b + blen && b < a + len;
}

static bool tramp_page_clash(const struct mb_info *mbi, const char **what)
{
	const uint64_t p = SMP_TRAMP_ADDR, n = 0x1000;

	*what = "the guest image";
	if (overlaps(p, n, (uintptr_t)__image_start, (uintptr_t)(__image_end - __image_start)))
		return true;
	if (!mbi)
		return false;
	*what = "the Multiboot information";
	if (overlaps(p, n, (uintptr_t)mbi, MB_INFO_SIZE))
		return true;
	*what = "the command line";
	if ((mbi->flags & MBI_CMDLINE) && mbi->cmdline &&
	    overlaps(p, n, mbi->cmdline, strlen(phys(mbi->cmdline)) + 1))
		return true;
	*what = "the boot loader name";
	if ((mbi->flags & MBI_LOADER_NAME) && mbi->boot_loader_name &&
	    overlaps(p, n, mbi->boot_loader_name, strlen(phys(mbi->boot_loader_name)) + 1))
		return true;
	*what = "the memory map";
	if ((mbi->flags & MBI_MMAP) && overlaps(p, n, mbi->mmap_addr, mbi->mmap_length))
		return true;
	if (mbi->flags & MBI_MODS) {
		const struct mb_module *m = phys(mbi->mods_addr);
		*what = "the module list";
		if (overlaps(p, n, mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof(*m)))
			return true;
		*what = "a module";
		for (uint32_t i = 0; i < mbi->mods_count && i < 64; i++)
			if (overlaps(p, n, m[i].mod_start,
				     (uint64_t)m[i].mod_end - m[i].mod_start + 1))
				return true;
	}
	return false;
}

bool smp_init(const struct mb_info *mbi)
{
	struct smp_tramp_params *tp = params();
	const char *what;
	uint64_t cr0, cr3, cr4;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_EN)) {
		printf("smp: the local APIC is disabled (call lapic_enable first)\n");
		return false;
	}
	if (mbi && (mbi->flags & MBI_MMAP) &&
	    mb_ram_end_from(mbi, SMP_TRAMP_ADDR) < SMP_TRAMP_ADDR + 0x1000) {
		printf("smp: trampoline page 0x%x is not RAM in the memory map\n", SMP_TRAMP_ADDR);
		return false;
	}
	if (tramp_page_clash(mbi, &what)) {
		printf("smp: trampoline page 0x%x holds %s\n", SMP_TRAMP_ADDR, what);
		return false;
	}
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	if (cr3 >> 32) {
		printf("smp: page tables above 4 GiB (cr3 0x%llx)\n", (unsigned long long)cr3);
		return false;
	}

	memcpy(phys(SMP_TRAMP_ADDR), smp_tramp_start, (size_t)(smp_tramp_end - smp_tramp_start));
	memset(tp, 0, sizeof(*tp));
	tp->gdt_limit = (uint16_t)(smp_gdt_end - smp_gdt - 1);
	tp->gdt_base = (uint32_t)(uintptr_t)smp_gdt;
	tp->cr0 = (uint32_t)cr0;
	tp->cr3 = (uint32_t)cr3;
	tp->cr4 = (uint32_t)cr4 & ~CR4_PCIDE;
	tp->efer = (uint32_t)rdmsr(MSR_EFER) & ~EFER_LMA;
	tp->idt_limit = idtr.limit;
	tp->idt_base = idtr.base;
	apic_ids[0] = lapic_id();
	ready = true;
	return true;
}

static void clear_esr(void)
{
	if (!lapic_x2apic_mode())
		lapic_write(LAPIC_ESR, 0);
}

/* ESR after an IPI (xAPIC: write to latch the errors, then read). */
static uint32_t read_esr(void)
{
	if (lapic_x2apic_mode())
		return 0;
	lapic_write(LAPIC_ESR, 0);
	return lapic_read(LAPIC_ESR);
}

static bool send(uint32_t apic_id, uint32_t icr, const char *what)
{
	clear_esr();
	bool delivered = lapic_send_ipi(apic_id, icr);
	uint32_t esr = read_esr();

	if (!delivered || esr) {
		printf("smp: %s to APIC %u: %s, ESR 0x%x\n", what, apic_id,
		       delivered ? "delivered" : "still pending", esr);
		return false;
	}
	return true;
}

int smp_start_ap(uint32_t apic_id)
{
	struct smp_tramp_params *tp = params();
	unsigned cpu = online;

	if (!ready) {
		printf("smp: smp_init() has not succeeded\n");
		return -1;
	}
	if (cpu >= SMP_MAX_CPUS) {
		printf("smp: more than %u CPUs\n", SMP_MAX_CPUS);
		return -1;
	}
	tp->cpu = cpu;
	tp->stack = (uint64_t)(uintptr_t)(ap_stacks[cpu] + SMP_AP_STACK_SIZE);
	tp->stage = SMP_STAGE_NONE;
	apic_ids[cpu] = apic_id;
	__asm__ volatile("" ::: "memory");

	memset(&last_info, 0, sizeof(last_info));
	uint64_t t0 = rdtsc();
	/* INIT, level assert, then de-assert (only 82489DX-era APICs need the
	 * latter; later ones ignore it). */
	send(apic_id, APIC_DM_INIT | APIC_LVT_LEVEL | APIC_ICR_ASSERT, "INIT");
	send(apic_id, APIC_DM_INIT | APIC_LVT_LEVEL, "INIT de-assert");
	delay_us(INIT_DELAY_US);
	uint64_t t_sipi = rdtsc();
	for (int i = 0; i < 2; i++) {
		send(apic_id, APIC_DM_STARTUP | SMP_SIPI_VECTOR, "SIPI");
		last_info.sipis++;
		delay_us(SIPI_DELAY_US);
		if (tp->stage != SMP_STAGE_NONE)
			break;
	}

	/* Poll, noting when each stage is first seen (for the figures in
	 * smp_last_start()). */
	uint64_t limit = (uint64_t)SMP_AP_TIMEOUT_US * tsc_khz() / 1000;
	uint32_t seen = SMP_STAGE_NONE;
	for (;;) {
		uint32_t st = tp->stage;
		if (st != seen && st <= SMP_STAGE_C) {
			uint64_t us = (rdtsc() - t_sipi) * 1000 / tsc_khz();
			for (uint32_t k = seen + 1; k <= st; k++)
				last_info.stage_us[k] = (uint32_t)us;
			seen = st;
		}
		if (st == SMP_STAGE_C)
			break;
		if (rdtsc() - t0 > limit) {
			static const char *const names[] = {
				"never ran", "real mode", "protected mode", "long mode", "C"
			};
			uint32_t s = tp->stage;
			printf("smp: APIC %u did not check in within %u ms (reached: %s)\n",
			       apic_id, SMP_AP_TIMEOUT_US / 1000,
			       s <= SMP_STAGE_C ? names[s] : "?");
			/* Park it (wait-for-SIPI): a late AP must not run on with
			 * the cpu number and stack the next one will get. */
			send(apic_id, APIC_DM_INIT | APIC_LVT_LEVEL | APIC_ICR_ASSERT, "INIT");
			send(apic_id, APIC_DM_INIT | APIC_LVT_LEVEL, "INIT de-assert");
			return -1;
		}
		cpu_relax();
	}
	last_info.total_us = (uint32_t)((rdtsc() - t0) * 1000 / tsc_khz());
	online = cpu + 1;
	return (int)cpu;
}

const struct smp_start_info *smp_last_start(void)
{
	return &last_info;
}

void smp_ap_main_c(unsigned cpu)
{
	/* Check in: the BSP's smp_start_ap() is polling for this. */
	params()->stage = SMP_STAGE_C;
	ap_main(cpu);
}

unsigned smp_cpus_online(void)
{
	return online;
}

uint32_t smp_apic_id_of(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS ? apic_ids[cpu] : 0;
}

bool smp_console_lock(void)
{
	return spin_lock_irqsave(&console_lock);
}

void smp_console_unlock(bool was_enabled)
{
	spin_unlock_irqrestore(&console_lock, was_enabled);
}

int smp_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	bool irq = spin_lock_irqsave(&console_lock);
	serial_write(buf, len);
	spin_unlock_irqrestore(&console_lock, irq);
	return n;
}
