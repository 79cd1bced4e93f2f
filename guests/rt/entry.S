/* 32-bit Multiboot entry: record the machine state the loader handed over,
 * then switch to 64-bit long mode as early as possible and call
 *   void kmain(uint32_t magic, uint32_t info_phys).
 * The 32-bit part avoids iret, int n, x87 and friends: the target
 * hypervisor cannot emulate them at CPL0. Nothing here relies on the
 * loader beyond what Multiboot 0.6.96 section 3.2 promises; in particular
 * ESP is undefined and DF is not specified, so neither is used before we
 * set them. */
#include "entry_state.h"

#define CR0_PG      (1 << 31)
#define CR4_PAE     (1 << 5)
#define MSR_EFER    0xC0000080
#define EFER_LME    (1 << 8)
#define PTE_P       (1 << 0)
#define PTE_RW      (1 << 1)
#define PTE_PWT     (1 << 3)
#define PTE_PCD     (1 << 4)
#define PTE_PS      (1 << 7)
#define SEL_CODE64  0x08
#define SEL_DATA    0x10
#define BOOT_STACK_SIZE 16384

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	/* Plain movs leave EFLAGS untouched, so the values recorded below
	 * are exactly the loader's. */
	movl	%eax, entry_state + ES_EAX
	movl	%ebx, entry_state + ES_EBX
	movw	%cs, entry_state + ES_CS
	movw	%ds, entry_state + ES_DS
	movw	%es, entry_state + ES_ES
	movw	%fs, entry_state + ES_FS
	movw	%gs, entry_state + ES_GS
	movw	%ss, entry_state + ES_SS
	/* pushfl needs a stack; a few bytes in .data keep the bss untouched
	 * until it has been checked for zero below. */
	movl	$entry_tmp_stack_top, %esp
	pushfl
	popl	entry_state + ES_EFLAGS
	movl	%cr0, %eax
	movl	%eax, entry_state + ES_CR0
	movl	%cr4, %eax
	movl	%eax, entry_state + ES_CR4

	/* Flatness: a segment with base 0 reads flat_probe itself. */
	xorl	%edx, %edx
	movl	%ds:flat_probe, %eax
	movl	%eax, entry_state + ES_FLAT_VAL + 0
	cmpl	$FLAT_PROBE_MAGIC, %eax
	jne	1f
	orl	$FLAT_DS, %edx
1:	movl	%es:flat_probe, %eax
	movl	%eax, entry_state + ES_FLAT_VAL + 4
	cmpl	$FLAT_PROBE_MAGIC, %eax
	jne	1f
	orl	$FLAT_ES, %edx
1:	movl	%fs:flat_probe, %eax
	movl	%eax, entry_state + ES_FLAT_VAL + 8
	cmpl	$FLAT_PROBE_MAGIC, %eax
	jne	1f
	orl	$FLAT_FS, %edx
1:	movl	%gs:flat_probe, %eax
	movl	%eax, entry_state + ES_FLAT_VAL + 12
	cmpl	$FLAT_PROBE_MAGIC, %eax
	jne	1f
	orl	$FLAT_GS, %edx
1:	movl	%ss:flat_probe, %eax
	movl	%eax, entry_state + ES_FLAT_VAL + 16
	cmpl	$FLAT_PROBE_MAGIC, %eax
	jne	1f
	orl	$FLAT_SS, %edx
1:	movl	%edx, entry_state + ES_FLAT_OK

	/* A20: with the gate closed, X and X ^ 1 MiB are the same location.
	 * Only our own a20_probe (X) is written; if it aliases, the alias is
	 * exactly what we restore, so loader memory is left as it was. */
	movl	$a20_probe, %esi
	movl	%esi, %edi
	xorl	$0x100000, %edi
	movl	(%edi), %eax            /* B0 = [X ^ 1 MiB] */
	movl	(%esi), %ecx            /* our own original value */
	movl	%eax, entry_state + ES_A20_B0
	notl	%eax
	movl	%eax, (%esi)            /* [X] = ~B0 */
	movl	(%edi), %edx            /* B1 = [X ^ 1 MiB] again */
	movl	%ecx, (%esi)            /* restore */
	movl	%edx, entry_state + ES_A20_B1
	xorl	%ebx, %ebx
	cmpl	%eax, %edx              /* B1 == ~B0: the write aliased */
	je	1f
	incl	%ebx
1:	movl	%ebx, entry_state + ES_A20_OK

	/* The loader must have zeroed the bss (ELF memsz > filesz, a.out
	 * bss_end_addr); record it before we write anything there. */
	xorl	%eax, %eax
	movl	$__bss_start, %esi
2:	cmpl	$__bss_end, %esi
	jae	3f
	orl	(%esi), %eax
	addl	$4, %esi
	jmp	2b
3:	movl	%eax, entry_state + ES_BSS_OR

	movl	$boot_stack_top, %esp

	/* Page tables: identity map 0..4 GiB with 2 MiB pages. Every entry
	 * is written, so the tables do not depend on the bss being zero. */
	xorl	%eax, %eax
	movl	$pml4, %edi
4:	movl	%eax, (%edi)
	addl	$4, %edi
	cmpl	$page_tables_end, %edi
	jb	4b

	movl	$pdpt + (PTE_P | PTE_RW), pml4
	movl	$pd + (PTE_P | PTE_RW), pdpt + 0
	movl	$pd + 0x1000 + (PTE_P | PTE_RW), pdpt + 8
	movl	$pd + 0x2000 + (PTE_P | PTE_RW), pdpt + 16
	movl	$pd + 0x3000 + (PTE_P | PTE_RW), pdpt + 24

	/* 2048 PDEs; ecx = index, entry = index << 21. The top GiB holds
	 * MMIO (e.g. 0xfebf0000 for badport), so map it uncached. */
	xorl	%ecx, %ecx
	movl	$pd, %edi
5:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_RW | PTE_PS), %eax
	cmpl	$1536, %ecx
	jb	6f
	orl	$(PTE_PCD | PTE_PWT), %eax
6:	movl	%eax, (%edi, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	5b

	/* Long mode: PAE, CR3, EFER.LME, then paging activates IA-32e. */
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0

	lgdt	gdt_ptr
	ljmp	$SEL_CODE64, $long_mode

	.code64
long_mode:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$boot_stack_top, %rsp
	/* The loader's IDTR is meaningless to us; a zero limit makes any
	 * exception a clean triple fault instead of a jump through garbage. */
	lidt	null_idtr(%rip)
	cld
	xorl	%ebp, %ebp
	call	rt_init
	movl	entry_state + ES_EAX(%rip), %edi
	movl	entry_state + ES_EBX(%rip), %esi
	call	kmain
	/* kmain is not expected to return; stop like cli-hlt does. */
7:	cli
	hlt
	jmp	7b

	.section .rodata
	.balign 8
gdt:
	.quad	0                       /* null */
	.quad	0x00af9a000000ffff      /* 0x08: 64-bit code, DPL0, L=1 */
	.quad	0x00cf92000000ffff      /* 0x10: data, RW, 4 GiB */
gdt_end:
	.balign 4
	.word	0
gdt_ptr:                                /* lgdt in 32-bit mode: 16-bit limit, 32-bit base */
	.word	gdt_end - gdt - 1
	.long	gdt
	.balign 8
	.word	0, 0, 0
null_idtr:                              /* 64-bit lidt: limit 0, 64-bit base */
	.word	0
	.quad	0

	.data
	.balign 8
	.globl entry_state
entry_state:
	.space	ES_SIZE, 0              /* zero = "not recorded": checks fail */
	.balign 4
flat_probe:
	.long	FLAT_PROBE_MAGIC
a20_probe:
	.long	0x41323021
	.balign 16
entry_tmp_stack:
	.space	16
entry_tmp_stack_top:

	.bss
	.balign 4096
pml4:
	.space	4096
pdpt:
	.space	4096
pd:
	.space	4 * 4096
page_tables_end:
	.balign 16
boot_stack:
	.space	BOOT_STACK_SIZE
boot_stack_top:
