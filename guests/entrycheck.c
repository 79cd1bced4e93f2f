/* entrycheck: verifies the machine state at the Multiboot entry point
 * (spec 0.6.96 section 3.2), as recorded by entry.S. */
#include "rt/rt.h"

#define CR0_PE     (1u << 0)
#define CR0_PG     (1u << 31)
#define EFLAGS_IF  (1u << 9)
#define EFLAGS_VM  (1u << 17)

static void check_flat(const struct entry_state *s, uint32_t bit, int idx,
		       const char *what, uint16_t sel)
{
	check(s->flat_ok & bit, what, "selector 0x%04x read 0x%08x, expected 0x%08x",
	      sel, s->flat_val[idx], FLAT_PROBE_MAGIC);
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct entry_state *s = &entry_state;

	(void)magic;
	(void)info_phys;
	printf("entry: eax=0x%08x ebx=0x%08x cr0=0x%08x cr4=0x%08x eflags=0x%08x\n",
	       s->eax, s->ebx, s->cr0, s->cr4, s->eflags);
	printf("entry: cs=0x%04x ds=0x%04x es=0x%04x fs=0x%04x gs=0x%04x ss=0x%04x\n",
	       s->cs, s->ds, s->es, s->fs, s->gs, s->ss);

	check(s->eax == MB_BOOTLOADER_MAGIC, "eax magic", "eax=0x%08x", s->eax);
	if (check(s->ebx != 0, "ebx info pointer", "ebx=0")) {
		uint32_t f = ((const struct mb_info *)phys(s->ebx))->flags;
		/* Undefined bits set, or both symbol-table kinds (bits 4 and 5
		 * are mutually exclusive), mean EBX points at garbage. */
		check(!(f & ~MBI_KNOWN_FLAGS) &&
		      (f & (MBI_AOUT_SYMS | MBI_ELF_SHDR)) != (MBI_AOUT_SYMS | MBI_ELF_SHDR),
		      "info flags sane", "flags=0x%08x", f);
	} else {
		check(false, "info flags sane", "no info structure");
	}
	check(s->cr0 & CR0_PE, "cr0.pe set", "cr0=0x%08x", s->cr0);
	check(!(s->cr0 & CR0_PG), "cr0.pg clear", "cr0=0x%08x", s->cr0);
	check(!(s->eflags & EFLAGS_IF), "eflags.if clear", "eflags=0x%08x", s->eflags);
	check(!(s->eflags & EFLAGS_VM), "eflags.vm clear", "eflags=0x%08x", s->eflags);
	check_flat(s, FLAT_DS, 0, "ds flat", s->ds);
	check_flat(s, FLAT_ES, 1, "es flat", s->es);
	check_flat(s, FLAT_FS, 2, "fs flat", s->fs);
	check_flat(s, FLAT_GS, 3, "gs flat", s->gs);
	check_flat(s, FLAT_SS, 4, "ss flat", s->ss);
	check(s->a20_ok, "a20 enabled", "writing ~0x%08x at X changed X^1MiB to 0x%08x",
	      s->a20_b0, s->a20_b1);
	check(s->bss_or == 0, "bss zeroed", "OR of bss dwords = 0x%08x", s->bss_or);
	check_finish("entrycheck");
}
