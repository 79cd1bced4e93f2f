/* Application processor start-up for the test guests (smp.c,
 * smp_tramp.S), and the little SMP support the guests need: an xchg
 * spinlock and serialised console output.
 *
 * Start-up: the BSP copies a real-mode trampoline to SMP_TRAMP_ADDR (a
 * 4 KiB page below 1 MiB that must be RAM: 0x8000 is RAM both in keel's PC
 * layout, 0..0x9fc00, and in a static map from 0) and wakes an AP with
 * INIT-SIPI-SIPI (SIPI vector SMP_TRAMP_ADDR >> 12). The AP goes real mode
 * -> GDT -> 32-bit protected mode -> PAE, the BSP's CR3, EFER.LME, paging
 * -> 64-bit mode, loads the BSP's IDT, switches to a stack of its own and
 * calls ap_main(cpu). keel has no ACPI/MP tables yet, so the CPU count comes
 * from the command line (`cpus=N`) and APIC IDs are taken to be 0..N-1.
 *
 * Uses irq.h (LAPIC access, delay_us); the BSP must have called
 * lapic_enable() first. No cmpxchg16b: locks are plain xchg. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#define SMP_MAX_CPUS       8
#define SMP_TRAMP_ADDR     0x8000u            /* 4 KiB aligned, below 1 MiB */
#define SMP_SIPI_VECTOR    (SMP_TRAMP_ADDR >> 12)
#define SMP_AP_STACK_SIZE  8192u
/* How long the BSP waits for a started AP to reach C (its check-in). */
#define SMP_AP_TIMEOUT_US  2000000u

/* Progress an AP records in the trampoline page on its way up; after a
 * timeout smp_start_ap() prints the last stage reached. */
#define SMP_STAGE_NONE     0                  /* never ran (INIT/SIPI lost) */
#define SMP_STAGE_REAL     1                  /* executing the real-mode entry */
#define SMP_STAGE_PROT     2                  /* 32-bit protected mode */
#define SMP_STAGE_LONG     3                  /* 64-bit mode, on its own stack */
#define SMP_STAGE_C        4                  /* checked in from C */

/* Parameter block the BSP writes into the trampoline page at
 * SMP_TRAMP_ADDR + SMP_TP_OFF; the trampoline code (smp_tramp.S, copied to
 * SMP_TRAMP_ADDR) must end below it. */
#define SMP_TP_OFF         0xf00
#define SMP_TP_GDTR        0   /* lgdtl operand: 16-bit limit, 32-bit base */
#define SMP_TP_CR0         8
#define SMP_TP_CR3         12
#define SMP_TP_CR4         16
#define SMP_TP_EFER        20
#define SMP_TP_STAGE       24  /* SMP_STAGE_* the AP reached */
#define SMP_TP_CPU         28  /* argument for ap_main */
#define SMP_TP_STACK       32  /* initial RSP (64-bit) */
#define SMP_TP_IDTR        40  /* lidt operand in 64-bit mode: limit, base */
#define SMP_TP_SIZE        56
#define SMP_TP_ADDR(field) (SMP_TRAMP_ADDR + SMP_TP_OFF + (field))

#ifndef __ASSEMBLER__
#include <stddef.h>

#include "rt.h"

struct smp_tramp_params {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t cr0, cr3, cr4, efer;
	volatile uint32_t stage;
	uint32_t cpu;
	uint64_t stack;
	uint16_t idt_limit;
	uint64_t idt_base;
	uint16_t pad1[3];
} __attribute__((packed));
_Static_assert(offsetof(struct smp_tramp_params, gdt_limit) == SMP_TP_GDTR, "layout");
_Static_assert(offsetof(struct smp_tramp_params, cr0) == SMP_TP_CR0, "layout");
_Static_assert(offsetof(struct smp_tramp_params, cr3) == SMP_TP_CR3, "layout");
_Static_assert(offsetof(struct smp_tramp_params, cr4) == SMP_TP_CR4, "layout");
_Static_assert(offsetof(struct smp_tramp_params, efer) == SMP_TP_EFER, "layout");
_Static_assert(offsetof(struct smp_tramp_params, stage) == SMP_TP_STAGE, "layout");
_Static_assert(offsetof(struct smp_tramp_params, cpu) == SMP_TP_CPU, "layout");
_Static_assert(offsetof(struct smp_tramp_params, stack) == SMP_TP_STACK, "layout");
_Static_assert(offsetof(struct smp_tramp_params, idt_limit) == SMP_TP_IDTR, "layout");
_Static_assert(sizeof(struct smp_tramp_params) == SMP_TP_SIZE, "layout");

/* Provided by a guest that starts APs: runs on the AP with interrupts
 * disabled, the BSP's IDT loaded and the LAPIC as INIT left it (call
 * lapic_enable() to use it). cpu is the number smp_start_ap() returned.
 * If it returns, the AP executes cli; hlt for good. */
void ap_main(unsigned cpu);

/* "cpus=N" from the command line: 1..SMP_MAX_CPUS, def if absent; a
 * malformed or out-of-range value prints a message and yields 0. */
unsigned smp_cpus_from_cmdline(const char *cmdline, unsigned def);

/* Checks that the trampoline page is RAM per the Multiboot memory map (if
 * the loader gave one) and holds none of the boot information the guest may
 * still read, then copies the trampoline there and records the BSP's CR0,
 * CR3, CR4, EFER and IDTR for the APs. mbi may be NULL. false (with a
 * message) if the page cannot be used. */
bool smp_init(const struct mb_info *mbi);

/* INIT (assert), INIT (de-assert), 10 ms, SIPI, 200 us, a second SIPI if the
 * AP has not started running the trampoline, then waits up to
 * SMP_AP_TIMEOUT_US for it to check in. Returns the AP's cpu number
 * (1, 2, ... in start order; the BSP is 0) or -1 (with a message naming the
 * stage the AP reached; the AP is then sent INIT again, which parks it).
 * One AP at a time. */
int smp_start_ap(uint32_t apic_id);

/* CPUs up: the BSP plus every AP that checked in. */
unsigned smp_cpus_online(void);
/* APIC ID of a cpu number (smp_cpus_online() > cpu). */
uint32_t smp_apic_id_of(unsigned cpu);
/* Figures of the last smp_start_ap(): SIPIs sent, and microseconds from
 * the first SIPI until the BSP saw each stage (stage_us[SMP_STAGE_REAL..
 * SMP_STAGE_C]; polled, so an upper bound), and from INIT to check-in. */
struct smp_start_info {
	unsigned sipis;
	uint32_t stage_us[SMP_STAGE_C + 1];
	uint32_t total_us;
};
const struct smp_start_info *smp_last_start(void);

/* Spinlock: xchg to take it, a plain store to release it. */
struct spinlock {
	volatile uint32_t locked;
};
#define SPINLOCK_INIT { 0 }

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE))
		while (l->locked)
			__asm__ volatile("pause" ::: "memory");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

/* Disables interrupts, then takes the lock; returns the old RFLAGS.IF. */
static inline bool spin_lock_irqsave(struct spinlock *l)
{
	uint64_t fl;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
	spin_lock(l);
	return fl & (1u << 9);
}

static inline void spin_unlock_irqrestore(struct spinlock *l, bool was_enabled)
{
	spin_unlock(l);
	if (was_enabled)
		__asm__ volatile("sti" ::: "memory");
}

/* The console lock smp_printf() takes: hold it around plain printf() (e.g.
 * check()) on a CPU while others may print. Returns the old RFLAGS.IF for
 * smp_console_unlock(). */
bool smp_console_lock(void);
void smp_console_unlock(bool was_enabled);

/* printf under the console lock (interrupts disabled meanwhile), so the
 * lines of different CPUs do not interleave. Every CPU that prints while
 * others run should use this one. */
int smp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* __ASSEMBLER__ */

#endif
