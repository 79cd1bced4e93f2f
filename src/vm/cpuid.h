/* Per-VM CPUID policy (REQ-CPUID-*): starts from what KVM supports
 * (KVM_GET_SUPPORTED_CPUID) and adjusts it to the platform keel emulates.
 * Pure: edits a list of entries, no KVM calls. Documented in
 * docs/architecture.md ("CPUID policy"). */
#ifndef KEEL_VM_CPUID_H
#define KEEL_VM_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define CPUID_HV_LEAF       0x40000000u
#define CPUID_HV_SIGNATURE  "keelkeelkeel"
#define CPUID_HV_TIMING     0x40000010u  /* EAX = TSC kHz, EBX = LAPIC timer kHz */

struct cpuid_platform {
	unsigned vcpu_id;       /* becomes the initial APIC ID */
	unsigned nvcpus;
	bool lapic;             /* a local APIC exists (platform issue) */
	bool tsc_deadline;      /* LAPIC TSC-deadline timer mode is offered */
	uint32_t tsc_khz;       /* guest TSC frequency (KVM_GET_TSC_KHZ) */
	uint32_t lapic_khz;     /* LAPIC timer input clock */
	bool kvmclock;          /* offer KVM's pvclock (REQ-CPUID-006) */
};

/* KVM's paravirtual leaves, offered at this base (Linux searches every
 * 0x100 from 0x40000000) so keel's own leaf stays at 0x40000000. */
#define CPUID_KVM_LEAF       0x40000100u
#define CPUID_KVM_SIGNATURE  "KVMKVMKVM\0\0\0"
#define KVM_FEATURE_BIT_CLOCKSOURCE2  (1u << 3)
#define KVM_FEATURE_BIT_STABLE        (1u << 24)

/* Rewrites `c` (capacity `cap` entries) in place. Returns 0, or -1 if the
 * list would exceed its capacity. */
int cpuid_policy_apply(struct kvm_cpuid2 *c, unsigned cap, const struct cpuid_platform *p);
/* Entry for (function, index) or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, unsigned function, unsigned index);

#endif
