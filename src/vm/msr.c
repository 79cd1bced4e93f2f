#include "vm/msr.h"

#include <stddef.h>

/* MSRs whose state KVM owns (saved/restored with the vCPU). Letting the
 * kernel handle them avoids an exit per access on the guest's hot paths
 * (context switches touch FS/GS base, EFER, PAT...). */
static const struct { uint32_t base, n; } kernel_msrs[] = {
	{ 0x10, 1 },            /* IA32_TIME_STAMP_COUNTER */
	{ 0x1b, 1 },            /* IA32_APIC_BASE */
	{ 0x3b, 1 },            /* IA32_TSC_ADJUST */
	{ 0x48, 2 },            /* IA32_SPEC_CTRL, IA32_PRED_CMD */
	{ 0x8b, 1 },            /* IA32_BIOS_SIGN_ID (microcode revision) */
	{ 0xfe, 1 },            /* IA32_MTRRCAP */
	{ 0x10a, 1 },           /* IA32_ARCH_CAPABILITIES (CPUID may list it) */
	{ 0x174, 3 },           /* SYSENTER_CS/ESP/EIP */
	{ 0x179, 3 },           /* MCG_CAP/STATUS/CTL */
	{ 0x1a0, 1 },           /* IA32_MISC_ENABLE */
	{ 0x200, 16 },          /* variable MTRRs */
	{ 0x250, 1 }, { 0x258, 2 }, { 0x268, 8 }, /* fixed MTRRs */
	{ 0x277, 1 },           /* IA32_PAT */
	{ 0x2ff, 1 },           /* IA32_MTRR_DEF_TYPE */
	/* Machine-check banks MCi_CTL/STATUS/ADDR/MISC: KVM emulates the banks
	 * MCG_CAP reports; Linux polls them at boot. */
	{ 0x400, 128 },
	{ 0x6e0, 1 },           /* IA32_TSC_DEADLINE */
	{ 0x4b564d00, 2 },      /* kvm-clock: WALL_CLOCK_NEW, SYSTEM_TIME_NEW (REQ-CPUID-006) */
	{ 0xc0000080, 5 },      /* EFER, STAR, LSTAR, CSTAR, SFMASK */
	{ 0xc0000100, 4 },      /* FS/GS/KERNEL_GS base, TSC_AUX */
	{ 0xc0010010, 1 },      /* AMD SYSCFG (Linux's MTRR code reads it unchecked) */
	{ 0xc0010015, 1 },      /* AMD HWCR */
	{ 0xc0011029, 1 },      /* AMD DE_CFG */
};

#define NKERNEL (sizeof(kernel_msrs) / sizeof(kernel_msrs[0]))

/* With keel's LAPIC (irqchip = "vmm") its MSRs must reach keel, not KVM. */
static bool lapic_msr(uint32_t idx)
{
	return idx == 0x1b || idx == 0x6e0;
}

int msr_kernel_allow_list(struct kvm_msr_allow *out, unsigned cap, bool kernel_lapic)
{
	unsigned n = 0;

	/* Group the sorted list into 64-MSR windows, one filter range each. */
	for (size_t i = 0; i < NKERNEL; i++) {
		for (uint32_t idx = kernel_msrs[i].base;
		     idx < kernel_msrs[i].base + kernel_msrs[i].n; idx++) {
			if (!kernel_lapic && lapic_msr(idx))
				continue;
			if (n == 0 || idx - out[n - 1].base >= 64) {
				if (n >= cap)
					return -1;
				out[n] = (struct kvm_msr_allow){ .base = idx, .nmsrs = 64,
								 .allow_bits = 0 };
				n++;
			}
			out[n - 1].allow_bits |= 1ULL << (idx - out[n - 1].base);
		}
	}
	return (int)n;
}

bool msr_in_kernel(uint32_t index, bool kernel_lapic)
{
	if (!kernel_lapic && lapic_msr(index))
		return false;
	for (size_t i = 0; i < NKERNEL; i++)
		if (index >= kernel_msrs[i].base && index - kernel_msrs[i].base < kernel_msrs[i].n)
			return true;
	return false;
}

int msr_read(uint32_t index, uint64_t *val)
{
	switch (index) {
	case MSR_IA32_PLATFORM_ID:
		/* REQ-MSR-003: no platform-specific microcode selection. */
		*val = 0;
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		/* Locked with VMX off: keel does not offer nested virtualization. */
		*val = 1;
		return 0;
	default:
		return -1;
	}
}

int msr_write(uint32_t index, uint64_t val)
{
	(void)index;
	(void)val;
	/* keel's own MSRs are read-only (FEATURE_CONTROL is locked): a write is
	 * a #GP, as on hardware. */
	return -1;
}

const char *msr_name(uint32_t index)
{
	switch (index) {
	case MSR_IA32_PLATFORM_ID:
		return "IA32_PLATFORM_ID";
	case MSR_IA32_FEATURE_CONTROL:
		return "IA32_FEATURE_CONTROL";
	case MSR_EFER:
		return "EFER";
	default:
		return NULL;
	}
}
