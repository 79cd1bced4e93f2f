/* AP start-up trampoline. smp_init() copies [smp_tramp_start,
 * smp_tramp_end) to SMP_TRAMP_ADDR and fills the parameter block at
 * SMP_TRAMP_ADDR + SMP_TP_OFF; a SIPI with vector SMP_TRAMP_ADDR >> 12 starts
 * the AP at CS = SMP_TRAMP_ADDR >> 4, IP = 0 in real mode. From there:
 *   real mode: lgdtl (our GDT in the image), CR0.PE, far jump
 *   32-bit protected mode: flat segments, the BSP's CR4 (PAE) and CR3,
 *     EFER (LME), then CR0 (PG): IA-32e compatibility mode, far jump
 *   64-bit mode (smp_ap_entry64, in the image): the AP's own stack, the
 *     BSP's IDT, smp_ap_main_c(cpu).
 * The code is position dependent on SMP_TRAMP_ADDR (absolute addresses in
 * the 32-bit part). Each stage writes SMP_STAGE_* to the parameter block so
 * the BSP can tell how far an AP got. Nothing here uses iret, int n or the
 * stack before 64-bit mode. */
#include "smp.h"

#define SEL_CODE64  0x08
#define SEL_DATA    0x10
#define SEL_CODE32  0x18
#define CR0_PE      (1 << 0)
#define MSR_EFER    0xC0000080

/* Linear address of a trampoline label once copied. */
#define TRAMP(sym)  (SMP_TRAMP_ADDR + ((sym) - smp_tramp_start))

	.section .text, "ax"
	.balign	16
	.globl	smp_tramp_start, smp_tramp_end

	.code16
smp_tramp_start:
	cli
	cld
	movw	%cs, %ax                /* SMP_TRAMP_ADDR >> 4 */
	movw	%ax, %ds
	movl	$SMP_STAGE_REAL, SMP_TP_OFF + SMP_TP_STAGE
	/* 0x66 prefix: a 32-bit GDT base (without it only 24 bits load). */
	lgdtl	SMP_TP_OFF + SMP_TP_GDTR
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $TRAMP(tramp_pm32)

	.code32
tramp_pm32:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$SMP_STAGE_PROT, SMP_TP_ADDR(SMP_TP_STAGE)
	movl	SMP_TP_ADDR(SMP_TP_CR4), %eax   /* PAE (and the BSP's other bits) */
	movl	%eax, %cr4
	movl	SMP_TP_ADDR(SMP_TP_CR3), %eax   /* the BSP's page tables */
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	SMP_TP_ADDR(SMP_TP_EFER), %eax  /* LME (LMA masked out by smp_init) */
	xorl	%edx, %edx
	wrmsr
	movl	SMP_TP_ADDR(SMP_TP_CR0), %eax   /* PG | PE ...: long mode active */
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $smp_ap_entry64
smp_tramp_end:

	.if	(smp_tramp_end - smp_tramp_start) > SMP_TP_OFF
	.error	"trampoline overlaps its parameter block"
	.endif

	/* From here on the code runs where it was linked. */
	.code64
smp_ap_entry64:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movq	SMP_TP_ADDR(SMP_TP_STACK), %rsp
	lidt	SMP_TP_ADDR(SMP_TP_IDTR)
	movl	$SMP_STAGE_LONG, SMP_TP_ADDR(SMP_TP_STAGE)
	movl	SMP_TP_ADDR(SMP_TP_CPU), %edi
	xorl	%ebp, %ebp
	call	smp_ap_main_c
1:	cli
	hlt
	jmp	1b

	.section .rodata
	.balign	16
	.globl	smp_gdt, smp_gdt_end
	/* Same selectors as entry.S (0x08 code64, 0x10 data), so the IDT's
	 * gates (CS 0x08) work on the APs too, plus 32-bit code for the
	 * trampoline. Accessed bits preset: the CPU need not write here. */
smp_gdt:
	.quad	0                       /* null */
	.quad	0x00af9b000000ffff      /* 0x08: 64-bit code, DPL0, L=1 */
	.quad	0x00cf93000000ffff      /* 0x10: data, RW, 4 GiB */
	.quad	0x00cf9b000000ffff      /* 0x18: 32-bit code, 4 GiB */
smp_gdt_end:

	.section .note.GNU-stack, "", @progbits
