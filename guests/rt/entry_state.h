/* Entry state captured by entry.S before anything else runs, read later by
 * the C guests. Shared between assembly (offsets) and C (struct), so the
 * layout is spelled out once here and checked with _Static_assert. */
#ifndef GUEST_ENTRY_STATE_H
#define GUEST_ENTRY_STATE_H

/* Value stored in .data and read back through each segment register: a
 * segment with a non-zero base reads some other dword instead. */
#define FLAT_PROBE_MAGIC 0x4c45454b /* "KEEL" */

/* flat_ok bits */
#define FLAT_DS (1 << 0)
#define FLAT_ES (1 << 1)
#define FLAT_FS (1 << 2)
#define FLAT_GS (1 << 3)
#define FLAT_SS (1 << 4)
#define FLAT_ALL 0x1f

#define ES_EAX       0
#define ES_EBX       4
#define ES_CR0       8
#define ES_CR4       12
#define ES_EFLAGS    16
#define ES_FLAT_OK   20
#define ES_A20_OK    24
#define ES_BSS_OR    28
#define ES_CS        32
#define ES_DS        34
#define ES_ES        36
#define ES_FS        38
#define ES_GS        40
#define ES_SS        42
#define ES_FLAT_VAL  44 /* 5 dwords: ds es fs gs ss */
#define ES_A20_B0    64 /* alias dword before the write */
#define ES_A20_B1    68 /* alias dword after writing ~B0 to our own probe */
#define ES_SIZE      72

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct entry_state {
	uint32_t eax, ebx, cr0, cr4, eflags;
	uint32_t flat_ok;  /* FLAT_* bits of segments that read FLAT_PROBE_MAGIC */
	uint32_t a20_ok;   /* 1: writing X did not change X ^ 1 MiB */
	uint32_t bss_or;   /* OR of every bss dword at entry: 0 if zeroed */
	uint16_t cs, ds, es, fs, gs, ss;
	uint32_t flat_val[5];
	uint32_t a20_b0, a20_b1;
};

_Static_assert(offsetof(struct entry_state, eax) == ES_EAX, "layout");
_Static_assert(offsetof(struct entry_state, ebx) == ES_EBX, "layout");
_Static_assert(offsetof(struct entry_state, cr0) == ES_CR0, "layout");
_Static_assert(offsetof(struct entry_state, cr4) == ES_CR4, "layout");
_Static_assert(offsetof(struct entry_state, eflags) == ES_EFLAGS, "layout");
_Static_assert(offsetof(struct entry_state, flat_ok) == ES_FLAT_OK, "layout");
_Static_assert(offsetof(struct entry_state, a20_ok) == ES_A20_OK, "layout");
_Static_assert(offsetof(struct entry_state, bss_or) == ES_BSS_OR, "layout");
_Static_assert(offsetof(struct entry_state, cs) == ES_CS, "layout");
_Static_assert(offsetof(struct entry_state, ds) == ES_DS, "layout");
_Static_assert(offsetof(struct entry_state, es) == ES_ES, "layout");
_Static_assert(offsetof(struct entry_state, fs) == ES_FS, "layout");
_Static_assert(offsetof(struct entry_state, gs) == ES_GS, "layout");
_Static_assert(offsetof(struct entry_state, ss) == ES_SS, "layout");
_Static_assert(offsetof(struct entry_state, flat_val) == ES_FLAT_VAL, "layout");
_Static_assert(offsetof(struct entry_state, a20_b0) == ES_A20_B0, "layout");
_Static_assert(offsetof(struct entry_state, a20_b1) == ES_A20_B1, "layout");
_Static_assert(sizeof(struct entry_state) == ES_SIZE, "layout");

extern struct entry_state entry_state;
#endif

#endif
