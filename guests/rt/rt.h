/* Freestanding 64-bit runtime for the keel test guests. */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry_state.h"
#include "multiboot.h"

/* Linker-script symbols (link.ld): the whole image incl. bss is
 * [__image_start, __image_end). */
extern char __image_start[], __image_end[], __load_end[];
extern char __bss_start[], __bss_end[];

/* Called by entry.S with the loader's EAX and EBX; provided by each guest. */
void kmain(uint32_t magic, uint32_t info_phys);
void rt_init(void);

/* Port I/O and MSRs. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* Guest-physical address to pointer: the first 4 GiB are identity mapped. */
static inline void *phys(uint64_t addr)
{
	return (void *)(uintptr_t)addr;
}

/* COM1 16550: 115200 8N1, polled. Bytes go out exactly as given. */
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Writes the low byte of code to the isa-debug-exit port 0xf4 (the VMM
 * exits with status (code << 1) | 1), then halts for good. */
__attribute__((noreturn)) void guest_exit(uint32_t code);
/* cli; hlt forever. */
__attribute__((noreturn)) void halt_forever(void);

/* Command line "key=value" tokens separated by spaces; a value may be
 * double-quoted to contain spaces. Tokens without '=' (e.g. the kernel path
 * some loaders prepend) are ignored. cmdline may be NULL. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);
/* 0: key absent; 1: *out set (decimal or 0x hex); -1: malformed value. */
int cmdline_u32(const char *cmdline, const char *key, uint32_t *out);

/* "ok <what>" / "FAIL <what>: <detail>" lines with a failure counter. */
bool check(bool pass, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned check_failures(void);
/* Prints "<name>: all ok" or "<name>: N failed" and exits 0 or 1. */
__attribute__((noreturn)) void check_finish(const char *name);

#endif
