/* 256 interrupt entry stubs, 16 bytes apart from isr_stubs (idt.c computes
 * isr_stubs + 16 * vector). Each pushes a zero error code when the CPU
 * does not push one, then the vector, and jumps to the common path, which
 * saves the 15 GPRs, calls irq_dispatch(struct irq_frame *) and returns
 * with iretq. 64-bit only: no 32-bit iret anywhere (see irq.h). */

	.section .text, "ax"
	.code64

/* Exceptions with an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP,
 * #VC, #SX. */
.macro isr_stub n
	.org	isr_stubs + 16 * (\n)
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	irq_common
.endm

	.balign	16
	.globl	isr_stubs
isr_stubs:
	.altmacro
	.set	vec, 0
	.rept	256
	isr_stub %vec
	.set	vec, vec + 1
	.endr
	.noaltmacro
	.org	isr_stubs + 16 * 256

irq_common:
	/* RSP was 16-byte aligned before the CPU's 5-qword push (64-bit mode
	 * aligns it); 2 + 15 more qwords leave it 16-byte aligned for the
	 * call. */
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	cld
	call	irq_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp               /* vector, error code */
	iretq

	.section .note.GNU-stack, "", @progbits
