#include "vm/vm.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/clock.h"
#include "kvm/kvm.h"
#include "util/log.h"
#include "vm/cpuid.h"
#include "vm/exit.h"
#include "vm/msr.h"
#include "vm/platform.h"

#define KICK_SIGNAL SIGUSR1

struct vm;

struct vcpu_slot {
	struct vcpu v;
	struct vm *vm;
	struct kvm_vcpu_handle h;
	pthread_t thread;
	atomic_bool started;
	atomic_bool wake;               /* an event may be pending: look again */
	pthread_mutex_t wait_lock;      /* HLT and wait-for-SIPI sleep here */
	pthread_cond_t wake_cond;
	timer_t window_timer;           /* REQ-IRQ-013: interrupt-window fallback */
	bool window_timer_ok, window_timer_armed;
	bool window_ready;              /* state read after a kick: can take one now */
	bool injected;                  /* KVM_INTERRUPT before the last KVM_RUN */
	atomic_int where;               /* enum vcpu_where, for the hang report */
};

enum vcpu_where { IN_RUN = 0, IN_HALT, IN_PARK, IN_SIPI };
static const char *const where_name[] = { "running", "halted (IF=1)", "halted (IF=0)",
					  "waiting for SIPI" };

/* REQ-IRQ-013: while an interrupt waits for the guest to open its window,
 * the vCPU is also kicked every WINDOW_KICK_NS, so delivery does not rest on
 * the interrupt-window exit alone (two emulated hypervisors we test on,
 * kvm_pvm and nested SVM under QEMU TCG, sometimes never send it). On
 * hardware the window exit comes first and this costs nothing. */
#define WINDOW_KICK_NS 1000000L

struct vm {
	const struct vm_layout *layout;
	struct kvm_sys kvm;
	struct kvm_handle kvm_vm;
	struct guest_mem gm;
	struct iobus pio, mmio;
	struct platform plat;
	bool kernel_irqchip;
	struct vm_stop stop;
	unsigned nvcpus;
	struct vcpu_slot *vcpus;
	pthread_t main_thread;
	atomic_bool faulted;            /* a fault report was printed */
	atomic_bool triple_fault;       /* the fault was a triple fault (a reset on a PC) */
	/* vCPUs that nothing but another CPU (or an NMI) can wake: halted with
	 * IF=0, or waiting for SIPI. When all are, the VM is done. */
	atomic_uint asleep;
};

static void kick_noop(int sig) { (void)sig; }

/* REQ-IRQ-008: tell vCPU `cpu` to look for events: wake it from HLT or
 * wait-for-SIPI, or make its KVM_RUN return (immediate_exit covers a
 * thread about to enter KVM_RUN, the signal one inside it). */
static void kick_cpu(struct vm *vm, unsigned cpu)
{
	struct vcpu_slot *s;

	if (cpu >= vm->nvcpus)
		return;
	s = &vm->vcpus[cpu];
	atomic_store(&s->wake, true);
	if (s->h.run == NULL)
		return;
	pthread_mutex_lock(&s->wait_lock);
	pthread_cond_broadcast(&s->wake_cond);
	pthread_mutex_unlock(&s->wait_lock);
	if (atomic_load(&s->started) && !pthread_equal(s->thread, pthread_self())) {
		__atomic_store_n(&s->h.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(s->thread, KICK_SIGNAL);
	}
}

static void platform_kick(void *opaque, unsigned cpu)
{
	kick_cpu(opaque, cpu);
}

static void kernel_irq(void *opaque, unsigned gsi, bool level)
{
	struct vm *vm = opaque;

	if (kvm_vm_irq_line(&vm->kvm_vm, gsi, level) != 0)
		log_warn("KVM_IRQ_LINE %u: %s", gsi, strerror(errno));
}

static void kick_all(void *opaque)
{
	struct vm *vm = opaque;

	for (unsigned i = 0; i < vm->nvcpus; i++)
		kick_cpu(vm, i);
	pthread_kill(vm->main_thread, SIGUSR2);
}

static void report_fault(struct vm *vm, struct vcpu_slot *s)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct vcpu *v = &s->v;
	unsigned n = v->trace_next < VCPU_TRACE_LEN ? v->trace_next : VCPU_TRACE_LEN;

	log_err("guest fault on vCPU %u: %s", v->id, v->fault);
	if (kvm_vcpu_get_regs(&s->h, &regs) == 0 && kvm_vcpu_get_sregs(&s->h, &sregs) == 0) {
		log_err("  exit reason %u (%s), RIP 0x%016llx RSP 0x%016llx RFLAGS 0x%llx",
			v->run->exit_reason, exit_reason_name(v->run->exit_reason),
			(unsigned long long)regs.rip, (unsigned long long)regs.rsp,
			(unsigned long long)regs.rflags);
		log_err("  CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx CS 0x%x (%s)",
			(unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
			(unsigned long long)sregs.cr4, (unsigned long long)sregs.efer,
			sregs.cs.selector, sregs.cs.l ? "64-bit" : sregs.cs.db ? "32-bit" : "16-bit");
	} else {
		log_err("  exit reason %u (%s), registers unavailable", v->run->exit_reason,
			exit_reason_name(v->run->exit_reason));
	}
	if (n == 0)
		log_err("  no port or MMIO accesses yet");
	else
		log_err("  last %u port/MMIO accesses, oldest first:", n);
	for (unsigned i = 0; i < n; i++) {
		const struct access_record *r =
			&v->trace[(v->trace_next - n + i) % VCPU_TRACE_LEN];

		log_err("    %s %-5s 0x%08" PRIx64 " len %u value 0x%" PRIx64,
			r->kind == 'p' ? "port" : "mmio", r->is_write ? "write" : "read", r->addr,
			r->len, r->value);
	}
	atomic_store(&vm->faulted, true);
	if (v->run->exit_reason == KVM_EXIT_SHUTDOWN)
		atomic_store(&vm->triple_fault, true);
	vm_stop_request(&vm->stop, KEEL_EXIT_FAULT, "guest fault on vCPU %u: %s", v->id, v->fault);
}

/* Where a vCPU thread is; kept as it was when the VM was told to stop. */
static void set_where(struct vm *vm, struct vcpu_slot *s, enum vcpu_where w)
{
	if (!vm_stop_requested(&vm->stop))
		atomic_store(&s->where, (int)w);
}

/* Stopped from outside (a time-out, Ctrl-C): say where each vCPU was and,
 * with keel's irqchip, what was pending for it, so a hang can be told from
 * a slow guest. REQ-CLI-007. */
static void report_hang(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu_slot *s = &vm->vcpus[i];
		struct kvm_regs regs;
		struct kvm_vcpu_events ev;
		char ic[512];
		int w = atomic_load(&s->where);

		if (kvm_vcpu_get_regs(&s->h, &regs) != 0)
			continue;
		log_info("vCPU %u was at RIP 0x%llx after %llu exits (%s, IF=%d)", i,
			 (unsigned long long)regs.rip, (unsigned long long)s->v.nexits,
			 w >= 0 && w <= IN_SIPI ? where_name[w] : "?",
			 (int)((regs.rflags >> 9) & 1));
		if (vm->kernel_irqchip)
			continue;
		if (kvm_vcpu_get_events(&s->h, &ev) == 0)
			log_info("  kvm: interrupt %s%u, shadow %u, nmi injected %u, exception %s%u, "
				 "window requested %u",
				 ev.interrupt.injected ? "injected " : "none/", ev.interrupt.nr,
				 ev.interrupt.shadow, ev.nmi.injected,
				 ev.exception.injected ? "injected " : "none/", ev.exception.nr,
				 s->h.run->request_interrupt_window);
		platform_describe_cpu(&vm->plat, i, ic, sizeof(ic));
		log_info("  %s", ic);
		/* TSC-deadline timers assume this vCPU's TSC follows keel's clock. */
		if (vm->plat.ic.has_lapic && vm->plat.ic.lapic[i].tsc_khz != 0) {
			const struct lapic *l = &vm->plat.ic.lapic[i];
			uint64_t tsc;

			if (kvm_vcpu_get_msr(&s->h, 0x10, &tsc) == 0) {
				__int128 want = (__int128)clock_now_ns() * l->tsc_khz / 1000000 +
						l->tsc_base;

				log_info("  guest TSC - keel's TSC clock: %lld us",
					 (long long)(((__int128)tsc - want) * 1000 / (__int128)l->tsc_khz));
			}
		}
	}
}

/* Sleeps until kicked (an event may be pending) or the VM stops. */
static void wait_for_kick(struct vm *vm, struct vcpu_slot *s)
{
	pthread_mutex_lock(&s->wait_lock);
	while (!atomic_load(&s->wake) && !vm_stop_requested(&vm->stop))
		pthread_cond_wait(&s->wake_cond, &s->wait_lock);
	pthread_mutex_unlock(&s->wait_lock);
}

/* REQ-IRQ-011: HLT with IF=1. Sleeps until kicked, but looks again every
 * 100 ms: a pending interrupt or an overdue timer at that point means a
 * wake-up was lost somewhere, which is logged (once) and repaired instead
 * of leaving the guest halted for ever. */
#define HALT_RECHECK_NS 100000000ULL

static void wait_halted(struct vm *vm, struct vcpu_slot *s)
{
	static atomic_bool reported;

	set_where(vm, s, IN_HALT);
	while (!vm_stop_requested(&vm->stop)) {
		struct timespec until;
		bool woken;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(HALT_RECHECK_NS % 1000000000ULL);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&s->wait_lock);
		while (!atomic_load(&s->wake) && !vm_stop_requested(&vm->stop) &&
		       pthread_cond_timedwait(&s->wake_cond, &s->wait_lock, &until) == 0)
			;
		woken = atomic_load(&s->wake);
		pthread_mutex_unlock(&s->wait_lock);
		if (woken)
			break;
		if (platform_has_interrupt(&vm->plat, s->v.id) ||
		    platform_timer_overdue(&vm->plat, clock_now_ns(), HALT_RECHECK_NS / 2)) {
			if (!atomic_exchange(&reported, true)) {
				char ic[512];

				platform_describe_cpu(&vm->plat, s->v.id, ic, sizeof(ic));
				log_warn("vCPU %u: lost wake-up detected (interrupt pending or timer "
					 "overdue while halted); recovered. State: %s", s->v.id, ic);
			}
			timer_thread_rearm(&vm->plat.timers);
			break;
		}
	}
	set_where(vm, s, IN_RUN);
}

/* REQ-IRQ-009: an AP waits for INIT then SIPI (irqchip = "vmm"); returns
 * false when the VM stops first. */
static void note_asleep(struct vm *vm, int delta)
{
	if (delta > 0 && atomic_fetch_add(&vm->asleep, 1) + 1 == vm->nvcpus)
		vm_stop_request(&vm->stop, KEEL_EXIT_CLEAN,
				"every vCPU halted with interrupts disabled");
	else if (delta < 0)
		atomic_fetch_sub(&vm->asleep, 1);
}

static bool wait_for_sipi(struct vm *vm, struct vcpu_slot *s)
{
	bool init_seen = false, started = false;

	set_where(vm, s, IN_SIPI);
	note_asleep(vm, +1);
	while (!started && !vm_stop_requested(&vm->stop)) {
		int vector;

		atomic_store(&s->wake, false);
		if (platform_take_init(&vm->plat, s->v.id))
			init_seen = true;
		vector = platform_take_sipi(&vm->plat, s->v.id);
		if (vector >= 0 && init_seen) {
			if (kvm_vcpu_set_sipi_state(&s->h, (uint8_t)vector) != 0) {
				snprintf(s->v.fault, sizeof(s->v.fault), "cannot start AP: %s",
					 strerror(errno));
				report_fault(vm, s);
				break;
			}
			log_debug("vCPU %u started at 0x%x000 by SIPI", s->v.id, (unsigned)vector);
			started = true;
			break;
		}
		wait_for_kick(vm, s);
	}
	note_asleep(vm, -1);
	set_where(vm, s, IN_RUN);
	return started;
}

/* HLT with IF=0 (irqchip = "vmm"): park until an NMI or (for an AP) INIT
 * arrives; the next loop iteration injects or handles it. */
static void park_halted(struct vm *vm, struct vcpu_slot *s)
{
	set_where(vm, s, IN_PARK);
	note_asleep(vm, +1);
	while (!vm_stop_requested(&vm->stop)) {
		bool nmi, init;

		atomic_store(&s->wake, false);
		pthread_mutex_lock(&vm->plat.lock);
		nmi = vm->plat.ic.has_lapic && vm->plat.ic.lapic[s->v.id].nmi_pending;
		init = vm->plat.ic.has_lapic && vm->plat.ic.lapic[s->v.id].init_pending;
		pthread_mutex_unlock(&vm->plat.lock);
		if (nmi || (init && s->v.id != 0))
			break;
		wait_for_kick(vm, s);
	}
	note_asleep(vm, -1);
	set_where(vm, s, IN_RUN);
}

static void window_kick(struct vcpu_slot *s, bool on)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (!s->window_timer_ok || on == s->window_timer_armed)
		return;
	if (on)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = WINDOW_KICK_NS;
	if (timer_settime(s->window_timer, 0, &its, NULL) == 0)
		s->window_timer_armed = on;
}

/* REQ-IRQ-005: before each KVM_RUN (irqchip = "vmm"): inject an NMI or an
 * interrupt when the guest can take it, else ask KVM for an exit as soon as
 * it can. Returns false if the AP was sent back to wait-for-SIPI. */
static bool prepare_entry(struct vm *vm, struct vcpu_slot *s)
{
	struct kvm_run *run = s->h.run;
	unsigned cpu = s->v.id;

	atomic_store(&s->wake, false);
	bool window_ready = s->window_ready;

	s->window_ready = false;
	s->injected = false;
	/* Everything is looked at again below, so an earlier kick's
	 * immediate_exit is spent: left set, it would bounce the KVM_RUN that
	 * carries the vector injected here (kvm_pvm appears to lose it then). */
	__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (cpu != 0 && platform_take_init(&vm->plat, cpu))
		return false;
	if (platform_take_nmi(&vm->plat, cpu) && kvm_vcpu_nmi(&s->h) != 0)
		log_warn("vCPU %u: KVM_NMI: %s", cpu, strerror(errno));
	if (!platform_has_interrupt(&vm->plat, cpu)) {
		run->request_interrupt_window = 0;
		window_kick(s, false);
		return true;
	}
	/* REQ-IRQ-014: not into a KVM_RUN that will queue a #GP first. */
	if (((run->ready_for_interrupt_injection && run->if_flag) || window_ready) &&
	    !s->v.exception_on_entry) {
		int vector = platform_ack_interrupt(&vm->plat, cpu);

		s->injected = vector >= 0;
		if (vector >= 0 && kvm_vcpu_interrupt(&s->h, (uint8_t)vector) != 0)
			log_warn("vCPU %u: KVM_INTERRUPT %d: %s", cpu, vector, strerror(errno));
	}
	/* Not takeable now (IF=0, interrupt shadow): ask for an exit as soon
	 * as it is. */
	run->request_interrupt_window = platform_has_interrupt(&vm->plat, cpu);
	window_kick(s, run->request_interrupt_window);
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_slot *s = arg;
	struct vcpu *v = &s->v;
	struct vm *vm = s->vm;
	bool user_irqchip = !vm->kernel_irqchip;
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	platform_set_current_cpu(v->id);
	if (user_irqchip) {
		struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = KICK_SIGNAL };

		sev._sigev_un._tid = gettid();
		s->window_timer_ok = timer_create(CLOCK_MONOTONIC, &sev, &s->window_timer) == 0;
		if (!s->window_timer_ok)
			log_warn("vCPU %u: no interrupt-window timer: %s", v->id, strerror(errno));
	}
	/* With keel's irqchip an AP runs only after INIT and SIPI; KVM's own
	 * irqchip holds it in KVM_RUN until then. */
	if (user_irqchip && v->id != 0 && !wait_for_sipi(vm, s))
		goto out;
	while (!vm_stop_requested(&vm->stop)) {
		enum exit_action a;

		if (user_irqchip && !prepare_entry(vm, s)) {
			window_kick(s, false);
			if (!wait_for_sipi(vm, s))
				break;
			continue;
		}
		if (kvm_vcpu_run(&s->h) != 0) {
			if (errno == EINTR || errno == EAGAIN) {
				/* immediate_exit was clear: KVM ran this entry as far as
				 * its exit-completion (a refused MSR's #GP is queued or
				 * delivered by now, which kvm_vcpu_interruptible sees).
				 * Set: KVM returned before that (REQ-IRQ-014). */
				if (!__atomic_exchange_n(&s->h.run->immediate_exit, 0, __ATOMIC_SEQ_CST))
					v->exception_on_entry = false;
				/* REQ-IRQ-013: kvm_run's interrupt flags may be stale
				 * after an exit by signal: read the state itself. */
				/* Not after a KVM_INTERRUPT: KVM may still hold that
				 * vector (a second one would be refused and lost). */
				if (user_irqchip && s->h.run->request_interrupt_window &&
				    !s->injected)
					s->window_ready = kvm_vcpu_interruptible(&s->h) == 1;
				continue;
			}
			snprintf(v->fault, sizeof(v->fault), "KVM_RUN failed: %s", strerror(errno));
			report_fault(vm, s);
			break;
		}
		a = exit_dispatch(v);
		if (a == EXIT_FAULT) {
			report_fault(vm, s);
			break;
		}
		/* HLT with IF=1: sleep until an interrupt (or anything) arrives. */
		if (a == EXIT_HALT_WAIT && !platform_has_interrupt(&vm->plat, v->id)) {
			window_kick(s, false);
			wait_halted(vm, s);
		}
		if (a == EXIT_HALT_NOIRQ) {
			window_kick(s, false);
			if (user_irqchip)
				park_halted(vm, s);
			else    /* KVM's irqchip halts in the kernel; not reached */
				vm_stop_request(&vm->stop, KEEL_EXIT_CLEAN,
						"vCPU %u halted with interrupts disabled", v->id);
		}
	}
out:
	if (s->window_timer_ok)
		timer_delete(s->window_timer);
	return NULL;
}

/* KVM on Intel needs a 3-page area for real-mode support; put it where the
 * guest has no RAM, just below the 4 GiB boundary when free. */
static uint64_t find_tss_area(const struct memmap *mm)
{
	for (uint64_t gpa = 0xfffbc000ULL; gpa >= 0x100000ULL; gpa -= 0x100000ULL)
		if (!memmap_is_backed(mm, gpa, 0x4000) &&
		    !memmap_is_backed(mm, gpa, 0x1000) && !memmap_is_backed(mm, gpa + 0x3000, 0x1000))
			return gpa;
	return 0;
}

/* REQ-TMR-003: relate the guest TSC to CLOCK_MONOTONIC, so LAPIC timers in
 * TSC-deadline mode and the TSC the guest reads agree. */
static int64_t tsc_base_for(struct kvm_vcpu_handle *h, uint32_t tsc_khz)
{
	uint64_t tsc = 0, now;

	if (kvm_vcpu_get_msr(h, 0x10, &tsc) != 0)
		return 0;
	now = clock_now_ns();
	return (int64_t)tsc - (int64_t)((unsigned __int128)now * tsc_khz / 1000000u);
}

static int create_vcpus(struct vm *vm, struct kvm_cpuid2 *supported, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->layout->vm;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu_slot *s = &vm->vcpus[i];
		size_t sz = sizeof(*supported) + (supported->nent + 8) * sizeof(supported->entries[0]);
		struct kvm_cpuid2 *c = malloc(sz);
		struct cpuid_platform cp = {
			.vcpu_id = i, .nvcpus = vm->nvcpus, .lapic = cfg->timers.lapic,
			.tsc_deadline = cfg->timers.lapic, .lapic_khz = LAPIC_TIMER_HZ / 1000,
			.kvmclock = cfg->timers.kvmclock,
		};
		int rc;

		if (c == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(c, supported, sizeof(*supported) + supported->nent * sizeof(supported->entries[0]));
		rc = kvm_vcpu_create(&vm->kvm, &vm->kvm_vm, i, &s->h, err, errlen);
		if (rc == 0) {
			cp.tsc_khz = kvm_vcpu_tsc_khz(&s->h);
			rc = cpuid_policy_apply(c, supported->nent + 8, &cp);
			if (rc != 0)
				snprintf(err, errlen, "CPUID list too long");
		}
		if (rc == 0)
			rc = kvm_vcpu_set_cpuid(&s->h, c, err, errlen);
		free(c);
		if (rc != 0)
			return -1;
		s->v = (struct vcpu){
			.id = i, .run = s->h.run, .run_size = s->h.run_size,
			.pio = &vm->pio, .mmio = &vm->mmio, .stop = &vm->stop,
			.msr_hook = platform_msr, .msr_opaque = &vm->plat,
		};
	}
	for (unsigned i = 0; vm->kernel_irqchip && i < vm->nvcpus; i++)
		if (kvm_vcpu_lapic_load(&vm->vcpus[i].h, i == 0) != 0) {
			snprintf(err, errlen, "cannot load vCPU %u's in-kernel LAPIC: %s", i,
				 strerror(errno));
			return -1;
		}
	return 0;
}

static int vm_create(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_layout *l = vm->layout;
	struct kvm_msr_allow allow[KVM_MSR_FILTER_MAX_RANGES];
	struct kvm_cpuid2 *supported;
	struct platform_host host = { platform_kick, kernel_irq, vm };
	uint32_t tsc_khz;
	int nallow, rc;
	uint64_t tss;

	if (kvm_open(&vm->kvm, err, errlen) != 0 || kvm_vm_create(&vm->kvm, &vm->kvm_vm, err, errlen) != 0)
		return -1;
	if (guest_mem_create(&vm->gm, &l->mm, l->vm->name, err, errlen) != 0)
		return -1;
	/* REQ-MEM-001/003: one KVM slot per backed range, nothing else is RAM. */
	for (unsigned i = 0; i < vm->gm.nslots; i++)
		if (kvm_vm_set_memslot(&vm->kvm_vm, i, vm->gm.slots[i].gpa, vm->gm.slots[i].size,
				       vm->gm.slots[i].hva, err, errlen) != 0)
			return -1;
	tss = find_tss_area(&l->mm);
	if (tss == 0 || kvm_vm_set_tss_addr(&vm->kvm_vm, tss) != 0)
		log_debug("no TSS area set (only needed for real mode on Intel)");
	if (vm->kernel_irqchip &&
	    kvm_vm_create_irqchip(&vm->kvm_vm, l->vm->timers.pit, err, errlen) != 0)
		return -1;
	nallow = msr_kernel_allow_list(allow, KVM_MSR_FILTER_MAX_RANGES, vm->kernel_irqchip);
	if (nallow < 0 || kvm_vm_enable_user_msrs(&vm->kvm_vm, allow, (unsigned)nallow, err, errlen) != 0)
		return -1;
	if (boot_plan_apply(&l->plan, &vm->gm, err, errlen) != 0)
		return -1;
	supported = kvm_get_supported_cpuid(&vm->kvm, err, errlen);
	if (supported == NULL)
		return -1;
	vm->nvcpus = l->vm->vcpus;
	vm->vcpus = calloc(vm->nvcpus, sizeof(*vm->vcpus));
	if (vm->vcpus == NULL) {
		free(supported);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		pthread_condattr_t ca;

		vm->vcpus[i].h.fd = -1;
		vm->vcpus[i].vm = vm;
		pthread_mutex_init(&vm->vcpus[i].wait_lock, NULL);
		/* Timed waits (wait_halted) count in CLOCK_MONOTONIC. */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&vm->vcpus[i].wake_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	rc = create_vcpus(vm, supported, err, errlen);
	free(supported);
	if (rc != 0)
		return -1;
	tsc_khz = kvm_vcpu_tsc_khz(&vm->vcpus[0].h);
	if (platform_init(&vm->plat, l->vm, &l->mm, &vm->pio, &vm->mmio, &vm->stop, &host, tsc_khz,
			  tsc_base_for(&vm->vcpus[0].h, tsc_khz), err, errlen) != 0)
		return -1;
	/* REQ-EXIT-009: the boot CPU starts in the protocol's entry state. */
	return kvm_vcpu_set_entry(&vm->vcpus[0].h, &l->plan.entry, err, errlen);
}

static void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; vm->vcpus != NULL && i < vm->nvcpus; i++) {
		kvm_vcpu_destroy(&vm->vcpus[i].h);
		pthread_mutex_destroy(&vm->vcpus[i].wait_lock);
		pthread_cond_destroy(&vm->vcpus[i].wake_cond);
	}
	free(vm->vcpus);
	kvm_vm_destroy(&vm->kvm_vm);
	kvm_close(&vm->kvm);
	guest_mem_destroy(&vm->gm);
}

/* One life of the VM, from fresh guest RAM to its stop. *reset tells whether
 * the stop was a reset of the machine (guest request or triple fault). */
static int vm_run_once(struct vm_layout *layout, bool *reset)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	char err[512];
	sigset_t block, waitset;
	struct sigaction sa = { .sa_handler = kick_noop };
	int status, sig = 0, term_sig = 0;
	bool platform_up = false;

	if (vm == NULL) {
		log_err("out of memory");
		return KEEL_EXIT_FAULT;
	}
	vm->layout = layout;
	vm->kernel_irqchip = layout->vm->irqchip == IRQCHIP_KERNEL;
	vm->kvm.fd = vm->kvm_vm.fd = -1;
	vm->gm.memfd = -1;
	vm->main_thread = pthread_self();
	vm_stop_init(&vm->stop);
	iobus_init(&vm->pio, "port");
	iobus_init(&vm->mmio, "mmio");

	/* Signals: vCPU threads take the kick signal; everything else that
	 * stops keel is taken by this thread with sigwait. */
	sigaction(KICK_SIGNAL, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, KICK_SIGNAL);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, NULL);

	if (vm_create(vm, err, sizeof(err)) != 0) {
		log_err("%s", err);
		status = KEEL_EXIT_FAULT;
		platform_up = vm->plat.cfg != NULL;
		goto out;
	}
	platform_up = true;
	/* The image files are in guest RAM now; only a restart would need them
	 * again, so without one their memory goes back to the host. */
	if (layout->vm->on_reboot != REBOOT_RESTART)
		vm_layout_drop_images(layout);
	vm->stop.kick = kick_all;
	vm->stop.kick_opaque = vm;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]) != 0) {
			vm_stop_request(&vm->stop, KEEL_EXIT_FAULT, "cannot start vCPU thread %u", i);
			break;
		}
		atomic_store(&vm->vcpus[i].started, true);
	}
	if (platform_start(&vm->plat) != 0)
		log_warn("timers or console input unavailable");
	waitset = block;
	sigdelset(&waitset, KICK_SIGNAL);
	while (!vm_stop_requested(&vm->stop)) {
		if (sigwait(&waitset, &sig) != 0)
			continue;
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			term_sig = sig;
			vm_stop_request(&vm->stop, 128 + sig, "stopped by signal %d", sig);
		}
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (atomic_load(&vm->vcpus[i].started))
			pthread_join(vm->vcpus[i].thread, NULL);
	status = vm->stop.status;
	if (status > 128)
		report_hang(vm);
	*reset = status == KEEL_EXIT_REBOOT || atomic_load(&vm->triple_fault);
	/* A signal that came while the guest was resetting still stops keel:
	 * it would otherwise be spent on a VM that restarts (REQ-PWR-016). */
	if (term_sig != 0 && *reset && layout->vm->on_reboot == REBOOT_RESTART) {
		*reset = false;
		status = 128 + term_sig;
		log_info("stopped by signal %d during a reset; exit status %d", term_sig, status);
	}
	/* A fault was already reported in detail by the vCPU thread. */
	if (!atomic_load(&vm->faulted) &&
	    !(*reset && layout->vm->on_reboot == REBOOT_RESTART))
		log_info("%s; exit status %d", vm->stop.reason, status);
out:
	if (platform_up)
		platform_destroy(&vm->plat);
	vm_destroy(vm);
	iobus_destroy(&vm->pio);
	iobus_destroy(&vm->mmio);
	free(vm);
	return status;
}

/* REQ-PWR-016: a reset of the machine (0xcf9, the i8042 pulse, the ACPI
 * reset register, a triple fault) restarts the VM from its boot plan with
 * fresh RAM and devices when on_reboot = "restart"; with "exit" keel exits
 * KEEL_EXIT_REBOOT (a triple fault stays a fault, status 1). */
int vm_run(struct vm_layout *layout)
{
	for (unsigned n = 1;; n++) {
		bool reset = false;
		int status = vm_run_once(layout, &reset);

		if (!reset || layout->vm->on_reboot != REBOOT_RESTART)
			return status;
		log_info("vm %s: reset; restarting (boot %u)", layout->vm->name, n + 1);
	}
}
