/* msr: reads EFER (handled by KVM), IA32_FEATURE_CONTROL and
 * IA32_PLATFORM_ID (handled by keel's MSR table), then an MSR that does not exist. The #GP that follows
 * has no IDT to go to (entry.S loads a zero-limit IDT), so it ends in a
 * triple fault the VMM must report. */
#include "rt/rt.h"

#define MSR_EFER  0xC0000080u
#define MSR_BOGUS 0x4b564dffu
#define MSR_FEATURE_CONTROL 0x3au
#define MSR_PLATFORM_ID 0x17u

void kmain(uint32_t magic, uint32_t info_phys)
{
	(void)magic;
	(void)info_phys;
	printf("efer: 0x%llx\n", (unsigned long long)rdmsr(MSR_EFER));
	printf("feature_control: 0x%llx\n", (unsigned long long)rdmsr(MSR_FEATURE_CONTROL));
	printf("platform_id: 0x%llx\n", (unsigned long long)rdmsr(MSR_PLATFORM_ID));
	printf("reading bogus msr\n");
	uint64_t v = rdmsr(MSR_BOGUS);
	printf("bogus msr read did not fault: 0x%llx\n", (unsigned long long)v);
	guest_exit(1);
}
