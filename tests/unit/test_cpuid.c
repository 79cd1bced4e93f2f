#include <stdlib.h>

#include "vm/cpuid.h"
#include "test.h"

static struct kvm_cpuid2 *make_list(unsigned cap)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));
	unsigned n = 0;

	c->entries[n++] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd };
	c->entries[n++] = (struct kvm_cpuid_entry2){
		.function = 1, .ebx = 0xff0f0800, .ecx = (1u << 21) | (1u << 24) | 1, .edx = 1u << 9 };
	c->entries[n++] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 0,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .edx = 77 };
	c->entries[n++] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 1,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .edx = 77 };
	c->entries[n++] = (struct kvm_cpuid_entry2){ .function = 0x40000000, .eax = 0x40000001,
		.ebx = 0x4b4d564b };
	c->entries[n++] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 0xffff };
	c->nent = n;
	return c;
}

TEST(cpuid_hypervisor_leaf_names_keel, "REQ-CPUID-001 REQ-CPUID-003 REQ-CPUID-004")
{
	struct kvm_cpuid2 *c = make_list(16);
	struct cpuid_platform p = { .vcpu_id = 0, .nvcpus = 1, .tsc_khz = 2500000,
				    .lapic_khz = 1000000 };
	struct kvm_cpuid_entry2 *e;
	char sig[13] = { 0 };

	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	e = cpuid_find(c, CPUID_HV_LEAF, 0);
	CHECK(e != NULL);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	CHECK(strcmp(sig, "keelkeelkeel") == 0);
	CHECK_EQ(e->eax, CPUID_HV_TIMING);
	CHECK(cpuid_find(c, 0x40000001, 0) == NULL); /* KVM's PV features gone */
	e = cpuid_find(c, CPUID_HV_TIMING, 0);
	CHECK(e != NULL);
	CHECK_EQ(e->eax, 2500000);
	CHECK_EQ(e->ebx, 1000000);
	CHECK_EQ(c->nent, 6);
	free(c);
}

TEST(cpuid_leaf1_platform, "REQ-CPUID-002")
{
	struct kvm_cpuid2 *c = make_list(16);
	struct cpuid_platform p = { .vcpu_id = 3, .nvcpus = 4 };
	struct kvm_cpuid_entry2 *e;

	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	e = cpuid_find(c, 1, 0);
	CHECK(e->ecx & (1u << 31));             /* hypervisor present */
	CHECK_EQ(e->ebx >> 24, 3);              /* initial APIC ID */
	CHECK_EQ((e->ebx >> 16) & 0xff, 4);     /* logical processors */
	CHECK_EQ(e->ebx & 0xffff, 0x0800);      /* other fields kept */
	CHECK(!(e->edx & (1u << 9)));           /* no LAPIC emulated: no APIC bit */
	CHECK(!(e->ecx & (1u << 21)));
	CHECK(!(e->ecx & (1u << 24)));
	CHECK(e->ecx & 1);                      /* unrelated features kept */
	CHECK_EQ(cpuid_find(c, 0xb, 1)->edx, 3);
	CHECK_EQ(cpuid_find(c, 0xb, 0)->edx, 3);
	free(c);
}

TEST(cpuid_lapic_and_capacity, "REQ-CPUID-002 REQ-CPUID-003")
{
	struct kvm_cpuid2 *c = make_list(16);
	struct cpuid_platform p = { .vcpu_id = 0, .nvcpus = 1, .lapic = true };
	struct kvm_cpuid_entry2 *e;

	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	e = cpuid_find(c, 1, 0);
	CHECK(e->edx & (1u << 9));
	CHECK(e->ecx & (1u << 21));
	CHECK(!(e->ecx & (1u << 24)));          /* no TSC-deadline unless offered */
	free(c);
	c = make_list(16);
	p.tsc_deadline = true;
	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	CHECK(cpuid_find(c, 1, 0)->ecx & (1u << 24));
	/* No room for keel's leaf: refused, not overflowed. */
	c->nent = 4;
	CHECK_EQ(cpuid_policy_apply(c, 5, &p), -1);
	CHECK(cpuid_find(c, 7, 0) == NULL);
	free(c);
}

TEST(cpuid_kvmclock_leaves, "REQ-CPUID-006 REQ-CPUID-003")
{
	struct kvm_cpuid2 *c = make_list(16);
	struct cpuid_platform p = { .vcpu_id = 0, .nvcpus = 1, .kvmclock = true };
	struct kvm_cpuid_entry2 *e;
	char sig[13] = { 0 };

	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	e = cpuid_find(c, CPUID_KVM_LEAF, 0);
	CHECK(e != NULL);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	CHECK(memcmp(sig, "KVMKVMKVM\0\0\0", 12) == 0);
	CHECK_EQ(e->eax, CPUID_KVM_LEAF + 1);
	/* Only the clock bits of what KVM offered (0xffff: bit 3, not 24). */
	CHECK_EQ(cpuid_find(c, CPUID_KVM_LEAF + 1, 0)->eax, KVM_FEATURE_BIT_CLOCKSOURCE2);
	CHECK(cpuid_find(c, CPUID_HV_LEAF, 0) != NULL);     /* keel's leaf stays first */
	free(c);
	/* Off, or KVM without CLOCKSOURCE2: no KVM leaves at all. */
	c = make_list(16);
	p.kvmclock = false;
	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	CHECK(cpuid_find(c, CPUID_KVM_LEAF, 0) == NULL);
	free(c);
	c = make_list(16);
	cpuid_find(c, 0x40000001, 0)->eax = 1u << 24;
	p.kvmclock = true;
	CHECK_EQ(cpuid_policy_apply(c, 16, &p), 0);
	CHECK(cpuid_find(c, CPUID_KVM_LEAF, 0) == NULL);
	free(c);
}
