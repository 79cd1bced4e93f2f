#include "vm/cpuid.h"

#include <stdint.h>
#include <string.h>

#define CPUID1_ECX_X2APIC        (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE  (1u << 24)
#define CPUID1_ECX_HYPERVISOR    (1u << 31)
#define CPUID1_EDX_APIC          (1u << 9)
#define CPUID1_ECX_VMX           (1u << 5)
#define CPUID81_ECX_SVM          (1u << 2)

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, unsigned function, unsigned index)
{
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static void remove_range(struct kvm_cpuid2 *c, unsigned lo, unsigned hi)
{
	unsigned out = 0;

	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function < lo || c->entries[i].function > hi)
			c->entries[out++] = c->entries[i];
	c->nent = out;
}

int cpuid_policy_apply(struct kvm_cpuid2 *c, unsigned cap, const struct cpuid_platform *p)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t sig[3];

	/* REQ-CPUID-002: leaf 1 names the hypervisor and reports the platform:
	 * APIC ID, logical CPU count, and an APIC only when one is emulated. */
	e = cpuid_find(c, 1, 0);
	if (e != NULL) {
		e->ecx |= CPUID1_ECX_HYPERVISOR;
		e->ebx = (e->ebx & 0x0000ffffu) | ((p->vcpu_id & 0xffu) << 24) |
			 ((p->nvcpus & 0xffu) << 16);
		if (!p->lapic) {
			e->edx &= ~CPUID1_EDX_APIC;
			e->ecx &= ~(CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE);
		} else if (!p->tsc_deadline) {
			e->ecx &= ~CPUID1_ECX_TSC_DEADLINE;
		}
	}
	/* REQ-CPUID-005: no nested virtualization (IA32_FEATURE_CONTROL reads
	 * locked with VMX off), so neither VMX nor SVM is advertised. */
	if (e != NULL)
		e->ecx &= ~CPUID1_ECX_VMX;
	e = cpuid_find(c, 0x80000001u, 0);
	if (e != NULL)
		e->ecx &= ~CPUID81_ECX_SVM;
	/* Extended topology leaves carry the x2APIC ID in EDX. */
	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xb || c->entries[i].function == 0x1f)
			c->entries[i].edx = p->vcpu_id;

	/* REQ-CPUID-003: KVM's paravirtual leaves are replaced by keel's own
	 * hypervisor leaf; REQ-CPUID-006: of KVM's paravirtual features only
	 * its clock (kvm-clock, MSRs 0x4b564d00/01, handled in KVM) is offered
	 * again, at 0x40000100, and only the bits KVM itself supports. */
	e = cpuid_find(c, 0x40000001u, 0);
	uint32_t kvm_features = e != NULL ? e->eax & (KVM_FEATURE_BIT_CLOCKSOURCE2 |
						     KVM_FEATURE_BIT_STABLE) : 0;
	remove_range(c, 0x40000000u, 0x4fffffffu);
	if (c->nent + 4 > cap)
		return -1;
	if (p->kvmclock && (kvm_features & KVM_FEATURE_BIT_CLOCKSOURCE2)) {
		memcpy(sig, CPUID_KVM_SIGNATURE, sizeof(sig));
		c->entries[c->nent++] = (struct kvm_cpuid_entry2){
			.function = CPUID_KVM_LEAF, .eax = CPUID_KVM_LEAF + 1,
			.ebx = sig[0], .ecx = sig[1], .edx = sig[2],
		};
		c->entries[c->nent++] = (struct kvm_cpuid_entry2){
			.function = CPUID_KVM_LEAF + 1, .eax = kvm_features,
		};
	}
	memcpy(sig, CPUID_HV_SIGNATURE, sizeof(sig));
	c->entries[c->nent++] = (struct kvm_cpuid_entry2){
		.function = CPUID_HV_LEAF,
		.eax = CPUID_HV_TIMING, /* highest hypervisor leaf */
		.ebx = sig[0], .ecx = sig[1], .edx = sig[2],
	};
	/* REQ-CPUID-004: the timing leaf (as VMware and QEMU define it) lets
	 * guests use the TSC and LAPIC timer without calibrating them. */
	c->entries[c->nent++] = (struct kvm_cpuid_entry2){
		.function = CPUID_HV_TIMING,
		.eax = p->tsc_khz,
		.ebx = p->lapic_khz,
	};
	return 0;
}
