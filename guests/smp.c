/* smp: starts the application processors with INIT-SIPI-SIPI (cpus=N on
 * the command line, default 2, APIC IDs 0..N-1). Each AP prints "AP <id> up
 * in long mode", records the state it arrived in and increments a counter;
 * then every CPU adds to a counter under a shared spinlock. The BSP checks
 * that all came up, in 64-bit mode with the BSP's page tables, on stacks of
 * their own, and that no increment was lost.
 *
 * Command line: cpus=N (1..8, default 2), rounds=R (spinlock increments per
 * CPU, default 1000). */
#include "rt/irq.h"
#include "rt/smp.h"

#define MSR_EFER  0xC0000080u
#define EFER_LMA  (1u << 10)

struct ap_state {
	uint32_t apic_id;
	uint64_t efer, cr0, cr3, cr4, rsp;
	uint16_t cs;
	bool if_flag;
};

static struct ap_state ap_state[SMP_MAX_CPUS];
static volatile uint32_t arrived;      /* lock xadd */
static volatile uint32_t go;           /* BSP -> APs: start the spinlock round */
static volatile uint32_t finished;     /* APs done with the spinlock round */
static struct spinlock count_lock = SPINLOCK_INIT;
static volatile uint64_t shared_count;  /* only under count_lock */
static uint32_t rounds = 1000;

static void lock_round(void)
{
	for (uint32_t i = 0; i < rounds; i++) {
		spin_lock(&count_lock);
		/* A read-modify-write spread over a few instructions, so a
		 * broken lock loses increments. */
		uint64_t v = shared_count;
		__asm__ volatile("pause");
		shared_count = v + 1;
		spin_unlock(&count_lock);
	}
}

void ap_main(unsigned cpu)
{
	struct ap_state *s = &ap_state[cpu];
	uint64_t v, fl;

	s->apic_id = mmio_read32(LAPIC_BASE + LAPIC_ID) >> 24;
	s->efer = rdmsr(MSR_EFER);
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	s->cr0 = v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	s->cr3 = v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	s->cr4 = v;
	__asm__ volatile("mov %%rsp, %0" : "=r"(v));
	s->rsp = v;
	__asm__ volatile("mov %%cs, %0" : "=r"(s->cs));
	__asm__ volatile("pushfq; popq %0" : "=r"(fl));
	s->if_flag = fl & (1u << 9);

	smp_printf("AP %u up in long mode (cpu %u)\n", s->apic_id, cpu);
	__atomic_fetch_add(&arrived, 1u, __ATOMIC_SEQ_CST);

	while (!go)
		cpu_relax();
	lock_round();
	__atomic_fetch_add(&finished, 1u, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static uint64_t dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static bool wait_count(volatile uint32_t *v, uint32_t want, uint64_t us)
{
	uint64_t t0 = rdtsc(), limit = us * tsc_khz() / 1000;
	while (*v < want) {
		if (rdtsc() - t0 > limit)
			return false;
		cpu_relax();
	}
	return true;
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);
	const char *cmdline = NULL;
	uint64_t cr3, cr4;

	printf("keel smp\n");
	if (magic != MB_BOOTLOADER_MAGIC) {
		printf("bad magic\n");
		guest_exit(1);
	}
	if (mbi->flags & MBI_CMDLINE)
		cmdline = phys(mbi->cmdline);
	unsigned ncpus = smp_cpus_from_cmdline(cmdline, 2);
	if (!ncpus || cmdline_u32(cmdline, "rounds", &rounds) < 0) {
		printf("usage: cpus=1..%u rounds=N\n", SMP_MAX_CPUS);
		guest_exit(1);
	}

	idt_init();
	pic_disable();
	lapic_enable();
	printf("tsc: %u kHz (%s)\n", tsc_khz(), tsc_khz_source());
	uint32_t bsp_id = lapic_id();
	check(bsp_id == 0, "bsp apic id", "%u, expected 0", bsp_id);
	check(rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP, "bsp flag", "IA32_APIC_BASE 0x%llx",
	      (unsigned long long)rdmsr(MSR_APIC_BASE));
	if (!check(smp_init(mbi), "trampoline", "see above"))
		check_finish("smp");
	printf("cpus: %u (trampoline page 0x%x, SIPI vector 0x%02x)\n", ncpus, SMP_TRAMP_ADDR,
	       SMP_SIPI_VECTOR);

	unsigned started = 0;
	for (uint32_t id = 1; id < ncpus; id++) {
		int cpu = smp_start_ap(id);
		char what[32];
		snprintf(what, sizeof(what), "start apic %u", id);
		/* The AP prints too: the BSP's lines go under the console lock. */
		bool irq = smp_console_lock();
		if (check(cpu > 0, what, "no check-in")) {
			started++;
			const struct smp_start_info *in = smp_last_start();
			printf("apic %u: cpu %d, %u SIPI, after the first SIPI: real mode %u us, "
			       "protected %u us, long %u us, C %u us; INIT to check-in %u us\n",
			       id, cpu, in->sipis, in->stage_us[SMP_STAGE_REAL],
			       in->stage_us[SMP_STAGE_PROT], in->stage_us[SMP_STAGE_LONG],
			       in->stage_us[SMP_STAGE_C], in->total_us);
		}
		smp_console_unlock(irq);
	}
	bool all = wait_count(&arrived, started, 1000000);
	check(all && arrived == ncpus - 1, "all APs arrived", "%u of %u", arrived, ncpus - 1);
	check(smp_cpus_online() == ncpus, "cpus online", "%u of %u", smp_cpus_online(), ncpus);

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	for (unsigned cpu = 1; cpu <= started; cpu++) {
		const struct ap_state *s = &ap_state[cpu];
		char what[48];
		snprintf(what, sizeof(what), "cpu %u state", cpu);
		uint64_t bsp_rsp;
		__asm__ volatile("mov %%rsp, %0" : "=r"(bsp_rsp));
		/* The AP's stack pointer must be in the image's bss and at
		 * least half a stack away from the BSP's and every other AP's. */
		bool own_stack = s->rsp > (uintptr_t)__bss_start &&
				 s->rsp <= (uintptr_t)__bss_end &&
				 dist(s->rsp, bsp_rsp) >= SMP_AP_STACK_SIZE / 2;
		for (unsigned o = 1; o <= started; o++)
			if (o != cpu && dist(s->rsp, ap_state[o].rsp) < SMP_AP_STACK_SIZE / 2)
				own_stack = false;
		bool paging = (s->cr0 & 0x80000001u) == 0x80000001u; /* PG, PE */
		check(s->apic_id == smp_apic_id_of(cpu) && (s->efer & EFER_LMA) && s->cs == 0x08 &&
			      s->cr3 == cr3 && s->cr4 == cr4 && paging && !s->if_flag && own_stack,
		      what,
		      "apic %u (want %u) efer 0x%llx cs 0x%x cr0 0x%llx cr3 0x%llx cr4 0x%llx "
		      "rsp 0x%llx if %d own stack %d",
		      s->apic_id, smp_apic_id_of(cpu), (unsigned long long)s->efer, s->cs,
		      (unsigned long long)s->cr0, (unsigned long long)s->cr3,
		      (unsigned long long)s->cr4, (unsigned long long)s->rsp, s->if_flag,
		      own_stack);
	}

	/* Everyone increments under the lock at the same time. */
	go = 1;
	lock_round();
	bool done = wait_count(&finished, started, 2000000);
	spin_lock(&count_lock);
	uint64_t total = shared_count;
	spin_unlock(&count_lock);
	check(done && total == (uint64_t)(started + 1) * rounds, "spinlock",
	      "count %llu, expected %llu (%u of %u APs finished)", (unsigned long long)total,
	      (unsigned long long)(started + 1) * rounds, finished, started);
	printf("spinlock: %u cpus x %u increments = %llu\n", started + 1, rounds,
	       (unsigned long long)total);
	check_finish("smp");
}
