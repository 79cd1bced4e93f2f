#include "vm/vm.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	bool started;
	pthread_mutex_t wait_lock;      /* HLT wait (REQ-EXIT-004) */
	pthread_cond_t wake;
};

struct vm {
	const struct vm_layout *layout;
	struct kvm_sys kvm;
	struct kvm_handle kvm_vm;
	struct guest_mem gm;
	struct iobus pio, mmio;
	struct platform plat;
	struct vm_stop stop;
	unsigned nvcpus;
	struct vcpu_slot *vcpus;
	pthread_t main_thread;
	atomic_bool faulted;            /* a fault report was printed */
};

static void kick_noop(int sig) { (void)sig; }

/* Interrupts every running vCPU: immediate_exit covers a vCPU that is about
 * to enter KVM_RUN, the signal one that is inside it. */
static void kick_all(void *opaque)
{
	struct vm *vm = opaque;

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu_slot *s = &vm->vcpus[i];

		if (s->h.run == NULL)
			continue;
		/* Set even for a thread that is still starting: its next
		 * KVM_RUN then returns at once. */
		__atomic_store_n(&s->h.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_mutex_lock(&s->wait_lock);
		pthread_cond_broadcast(&s->wake);
		pthread_mutex_unlock(&s->wait_lock);
		if (__atomic_load_n(&s->started, __ATOMIC_SEQ_CST))
			pthread_kill(s->thread, KICK_SIGNAL);
	}
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
	vm_stop_request(&vm->stop, KEEL_EXIT_FAULT, "guest fault on vCPU %u: %s", v->id, v->fault);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_slot *s = arg;
	struct vcpu *v = &s->v;
	struct vm *vm = s->vm;
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	while (!vm_stop_requested(&vm->stop)) {
		enum exit_action a;

		if (kvm_vcpu_run(&s->h) != 0) {
			if (errno == EINTR || errno == EAGAIN) {
				__atomic_store_n(&s->h.run->immediate_exit, 0, __ATOMIC_SEQ_CST);
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
		if (a == EXIT_HALT_WAIT) {
			/* Nothing can interrupt the guest until the platform issue
			 * adds interrupt sources; sleep until kicked (no spinning). */
			pthread_mutex_lock(&s->wait_lock);
			while (!vm_stop_requested(&vm->stop))
				pthread_cond_wait(&s->wake, &s->wait_lock);
			pthread_mutex_unlock(&s->wait_lock);
		}
	}
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

static int vm_create(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_layout *l = vm->layout;
	struct kvm_msr_allow allow[KVM_MSR_FILTER_MAX_RANGES];
	struct kvm_cpuid2 *supported;
	int nallow;
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
	nallow = msr_kernel_allow_list(allow, KVM_MSR_FILTER_MAX_RANGES);
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
		struct vcpu_slot *s = &vm->vcpus[i];
		size_t sz = sizeof(*supported) + (supported->nent + 8) * sizeof(supported->entries[0]);
		struct kvm_cpuid2 *c = malloc(sz);
		struct cpuid_platform cp = { .vcpu_id = i, .nvcpus = vm->nvcpus };
		int rc;

		s->h.fd = -1;
		s->vm = vm;
		pthread_mutex_init(&s->wait_lock, NULL);
		pthread_cond_init(&s->wake, NULL);
		if (c == NULL)
			goto oom;
		memcpy(c, supported, sizeof(*supported) + supported->nent * sizeof(supported->entries[0]));
		rc = kvm_vcpu_create(&vm->kvm, &vm->kvm_vm, i, &s->h, err, errlen);
		if (rc == 0) {
			cp.tsc_khz = kvm_vcpu_tsc_khz(&s->h);
			cp.lapic_khz = 1000000;
			rc = cpuid_policy_apply(c, supported->nent + 8, &cp);
			if (rc != 0)
				snprintf(err, errlen, "CPUID list too long");
		}
		if (rc == 0)
			rc = kvm_vcpu_set_cpuid(&s->h, c, err, errlen);
		free(c);
		if (rc != 0)
			goto fail;
		s->v = (struct vcpu){
			.id = i, .run = s->h.run, .run_size = s->h.run_size,
			.pio = &vm->pio, .mmio = &vm->mmio, .stop = &vm->stop,
		};
	}
	free(supported);
	/* REQ-MB-015: the boot CPU starts in the protocol's entry state; the
	 * others wait for INIT/SIPI, which arrives with the platform's LAPIC. */
	return kvm_vcpu_set_entry(&vm->vcpus[0].h, &l->plan.entry, err, errlen);
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(supported);
	return -1;
}

static void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; vm->vcpus != NULL && i < vm->nvcpus; i++) {
		kvm_vcpu_destroy(&vm->vcpus[i].h);
		pthread_mutex_destroy(&vm->vcpus[i].wait_lock);
		pthread_cond_destroy(&vm->vcpus[i].wake);
	}
	free(vm->vcpus);
	kvm_vm_destroy(&vm->kvm_vm);
	kvm_close(&vm->kvm);
	guest_mem_destroy(&vm->gm);
}

int vm_run(const struct vm_layout *layout)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	char err[512];
	sigset_t block, waitset;
	struct sigaction sa = { .sa_handler = kick_noop };
	int status, sig = 0;

	if (vm == NULL) {
		log_err("out of memory");
		return KEEL_EXIT_FAULT;
	}
	vm->layout = layout;
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

	if (platform_init(&vm->plat, layout->vm, &vm->pio, &vm->mmio, &vm->stop, err,
			  sizeof(err)) != 0) {
		log_err("%s", err);
		status = KEEL_EXIT_USAGE;
		goto out_bus;
	}
	if (vm_create(vm, err, sizeof(err)) != 0) {
		log_err("%s", err);
		status = KEEL_EXIT_FAULT;
		goto out;
	}
	vm->stop.kick = kick_all;
	vm->stop.kick_opaque = vm;
	if (pthread_create(&vm->vcpus[0].thread, NULL, vcpu_thread, &vm->vcpus[0]) != 0) {
		log_err("cannot start vCPU thread");
		status = KEEL_EXIT_FAULT;
		goto out;
	}
	__atomic_store_n(&vm->vcpus[0].started, true, __ATOMIC_SEQ_CST);
	if (platform_start(&vm->plat) != 0)
		log_warn("console input unavailable");
	waitset = block;
	sigdelset(&waitset, KICK_SIGNAL);
	while (!vm_stop_requested(&vm->stop)) {
		if (sigwait(&waitset, &sig) != 0)
			continue;
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			vm_stop_request(&vm->stop, 128 + sig, "stopped by signal %d", sig);
	}
	pthread_join(vm->vcpus[0].thread, NULL);
	status = vm->stop.status;
	if (status > 128) {
		struct kvm_regs regs;

		/* Stopped from outside: say where the guest was, for hangs. */
		if (kvm_vcpu_get_regs(&vm->vcpus[0].h, &regs) == 0)
			log_info("vCPU 0 was at RIP 0x%llx after %llu exits",
				 (unsigned long long)regs.rip,
				 (unsigned long long)vm->vcpus[0].v.nexits);
	}
	/* A fault was already reported in detail by the vCPU thread. */
	if (!atomic_load(&vm->faulted))
		log_info("%s; exit status %d", vm->stop.reason, status);
out:
	platform_destroy(&vm->plat);
out_bus:
	vm_destroy(vm);
	iobus_destroy(&vm->pio);
	iobus_destroy(&vm->mmio);
	free(vm);
	return status;
}
