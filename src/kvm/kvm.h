/* The one place keel talks to /dev/kvm (REQ-EXIT-*): thin wrappers over the
 * ioctls, each returning 0 or -1 with a message. Nothing else in keel issues
 * KVM ioctls, so device models and loaders stay testable without KVM. */
#ifndef KEEL_KVM_KVM_H
#define KEEL_KVM_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot.h"

struct kvm_sys {
	int fd;
	size_t run_size;
};

struct kvm_handle {
	int fd;
};

struct kvm_vcpu_handle {
	int fd;
	unsigned id;
	struct kvm_run *run;
	size_t run_size;
};

/* An MSR filter range: MSRs [base, base+n) whose bit is set in `allow` are
 * handled by KVM itself; every other MSR exits to keel. */
struct kvm_msr_allow {
	uint32_t base;
	uint32_t nmsrs;          /* <= 64 per range here */
	uint64_t allow_bits;     /* bit i = MSR base+i handled in the kernel */
};

int kvm_open(struct kvm_sys *k, char *err, size_t errlen);
void kvm_close(struct kvm_sys *k);
int kvm_check_extension(const struct kvm_sys *k, long cap);

int kvm_vm_create(const struct kvm_sys *k, struct kvm_handle *vm, char *err, size_t errlen);
void kvm_vm_destroy(struct kvm_handle *vm);
int kvm_vm_set_memslot(struct kvm_handle *vm, unsigned slot, uint64_t gpa, uint64_t size,
		       void *hva, char *err, size_t errlen);
/* Real-mode support area Intel VMX needs (3 pages), outside guest RAM. */
int kvm_vm_set_tss_addr(struct kvm_handle *vm, uint64_t gpa);
/* Sends MSRs not in `allow` to user space, plus unknown and invalid ones. */
int kvm_vm_enable_user_msrs(struct kvm_handle *vm, const struct kvm_msr_allow *allow,
			    unsigned nallow, char *err, size_t errlen);

/* Returns a malloc'd list of what KVM can offer (caller frees). */
struct kvm_cpuid2 *kvm_get_supported_cpuid(const struct kvm_sys *k, char *err, size_t errlen);

int kvm_vcpu_create(const struct kvm_sys *k, struct kvm_handle *vm, unsigned id,
		    struct kvm_vcpu_handle *vcpu, char *err, size_t errlen);
void kvm_vcpu_destroy(struct kvm_vcpu_handle *vcpu);
int kvm_vcpu_set_cpuid(struct kvm_vcpu_handle *vcpu, const struct kvm_cpuid2 *cpuid,
		       char *err, size_t errlen);
/* Puts the vCPU in the state a boot protocol's entry requires (REQ-MB-015). */
int kvm_vcpu_set_entry(struct kvm_vcpu_handle *vcpu, const struct boot_entry *entry,
		       char *err, size_t errlen);
/* KVM_RUN; returns 0, or -1 with errno (EINTR when kicked). */
int kvm_vcpu_run(struct kvm_vcpu_handle *vcpu);
int kvm_vcpu_get_regs(struct kvm_vcpu_handle *vcpu, struct kvm_regs *regs);
int kvm_vcpu_get_sregs(struct kvm_vcpu_handle *vcpu, struct kvm_sregs *sregs);
int kvm_vcpu_get_events(struct kvm_vcpu_handle *vcpu, struct kvm_vcpu_events *ev);
/* Injects an external interrupt (user-space irqchip; the vCPU must be
 * ready_for_interrupt_injection with IF=1). */
int kvm_vcpu_interrupt(struct kvm_vcpu_handle *vcpu, uint8_t vector);
int kvm_vcpu_nmi(struct kvm_vcpu_handle *vcpu);
/* Reads the vCPU's state to tell whether it can take an external interrupt
 * now (IF=1, no interrupt shadow, no interrupt, NMI or exception being
 * injected): 1, 0, or -1.
 * For when kvm_run's ready_for_interrupt_injection/if_flag may be stale
 * (an exit by signal). */
int kvm_vcpu_interruptible(struct kvm_vcpu_handle *vcpu);
/* Puts an AP in the state a Startup IPI gives: real mode at vector:0000. */
int kvm_vcpu_set_sipi_state(struct kvm_vcpu_handle *vcpu, uint8_t vector);
int kvm_vcpu_get_msr(struct kvm_vcpu_handle *vcpu, uint32_t index, uint64_t *value);

/* irqchip = "kernel": KVM's PIC/IOAPIC/LAPIC (and PIT) as an accelerator. */
int kvm_vm_create_irqchip(struct kvm_handle *vm, bool pit, char *err, size_t errlen);
/* Drives a GSI: 0-15 reach the PICs and I/O APIC, 16-23 the I/O APIC. */
int kvm_vm_irq_line(struct kvm_handle *vm, unsigned gsi, bool level);

/* irqchip = "kernel": loads the vCPU's in-kernel LAPIC state back into
 * KVM, for the boot CPU in the virtual-wire state PC firmware leaves (SVR
 * enabled, LINT0 ExtINT, LINT1 NMI). Call it for every vCPU once all exist:
 * KVM builds its IPI destination map when a LAPIC is reset or loaded, and
 * a vCPU's reset at creation comes before it is listed in the VM, so
 * without this INIT/SIPI to an AP finds no destination (REQ-IRQ-012). */
int kvm_vcpu_lapic_load(struct kvm_vcpu_handle *vcpu, bool virtual_wire);

/* The guest TSC frequency in kHz, or 0 if KVM cannot say. */
uint32_t kvm_vcpu_tsc_khz(struct kvm_vcpu_handle *vcpu);

#endif
