# Test guests: a freestanding 64-bit runtime (guests/rt/) and small guests,
# each built in three Multiboot 1 containers:
#   build/guests/NAME.elf        ELF64, linked at 1 MiB
#   build/guests/NAME-elf32.elf  ELF32 copy of NAME.elf (objcopy), same code
#   build/guests/NAME-aout.bin   flat binary with the a.out kludge header,
#                                linked at 2 MiB so the loader must honour
#                                load_addr rather than assume 1 MiB
# Included by the top Makefile; everything here is prefixed GUEST_ so it
# does not interact with the VMM's CC flags.

GUEST_NAMES   := hello entrycheck mbinfo exitcode cli-hlt badport fault msr echo sti-hlt pit-tick pmtimer pit-calib pic ioapic hpet rtc
GUEST_NAMES   += lapic-timer ipi smp ticker
GUEST_NAMES   += exitbench power msr-irq
GUEST_OUT     := $(BUILD)/guests
GUEST_OBJ     := $(GUEST_OUT)/obj
GUEST_CC      ?= gcc
GUEST_LD      ?= ld
GUEST_OBJCOPY ?= objcopy
GUEST_ELF_LOAD  := 0x100000
GUEST_AOUT_LOAD := 0x200000

# 64-bit code only: the hypervisor this targets cannot emulate x87/SSE
# state handling, so no FP/SIMD registers anywhere (-mgeneral-regs-only).
GUEST_CFLAGS := -std=gnu11 -m64 -O2 -ffreestanding -nostdlib -fno-pic -fno-pie \
	-fno-stack-protector -mgeneral-regs-only -mno-red-zone -mcmodel=small \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-fno-tree-loop-distribute-patterns -fno-common \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wpointer-arith -Iguests -MMD -MP
GUEST_ASFLAGS := -m64 -Iguests/rt -Wa,--noexecstack -MMD -MP
GUEST_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	-z noexecstack --build-id=none -T guests/rt/link.ld

GUEST_RT_C    := serial.c printf.c string.c exit.c cmdline.c check.c mbutil.c
GUEST_RT_C    += idt.c apic.c platform.c
GUEST_RT_OBJS := $(GUEST_OBJ)/rt/entry.o $(GUEST_RT_C:%.c=$(GUEST_OBJ)/rt/%.o)
GUEST_RT_OBJS += $(GUEST_OBJ)/rt/idt_stubs.o

GUEST_ELF64 := $(GUEST_NAMES:%=$(GUEST_OUT)/%.elf)
GUEST_ELF32 := $(GUEST_NAMES:%=$(GUEST_OUT)/%-elf32.elf)
GUEST_AOUT  := $(GUEST_NAMES:%=$(GUEST_OUT)/%-aout.bin)
GUEST_AOUT_ELF := $(GUEST_NAMES:%=$(GUEST_OBJ)/%-aout.elf)

.PHONY: guests
guests: $(GUEST_ELF64) $(GUEST_ELF32) $(GUEST_AOUT)

$(GUEST_OBJ)/rt/%.o: guests/rt/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OBJ)/rt/entry.o: guests/rt/entry.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<

$(GUEST_OBJ)/rt/idt_stubs.o: guests/rt/idt_stubs.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<

# The Multiboot header differs per container, so it is assembled twice.
$(GUEST_OBJ)/rt/mbheader-elf.o: guests/rt/mbheader.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<

$(GUEST_OBJ)/rt/mbheader-aout.o: guests/rt/mbheader.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -DMB_AOUT_KLUDGE -c -o $@ $<

$(GUEST_NAMES:%=$(GUEST_OBJ)/%.o): $(GUEST_OBJ)/%.o: guests/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_ELF64): $(GUEST_OUT)/%.elf: $(GUEST_OBJ)/rt/mbheader-elf.o $(GUEST_RT_OBJS) \
		$(GUEST_OBJ)/%.o guests/rt/link.ld
	@mkdir -p $(@D)
	$(GUEST_LD) $(GUEST_LDFLAGS) --defsym=GUEST_LOAD_ADDR=$(GUEST_ELF_LOAD) -o $@ \
		$(filter %.o,$^)

# Same bytes, ELF32 container (all addresses are below 4 GiB). Debug info
# is dropped: it carries 64-bit DWARF that means nothing in an ELF32 file.
$(GUEST_ELF32): $(GUEST_OUT)/%-elf32.elf: $(GUEST_OUT)/%.elf
	$(GUEST_OBJCOPY) -I elf64-x86-64 -O elf32-i386 --strip-debug $< $@

$(GUEST_AOUT_ELF): $(GUEST_OBJ)/%-aout.elf: $(GUEST_OBJ)/rt/mbheader-aout.o $(GUEST_RT_OBJS) \
		$(GUEST_OBJ)/%.o guests/rt/link.ld
	@mkdir -p $(@D)
	$(GUEST_LD) $(GUEST_LDFLAGS) --defsym=GUEST_LOAD_ADDR=$(GUEST_AOUT_LOAD) -o $@ \
		$(filter %.o,$^)

# The file starts at load_addr (the header is its first bytes) and ends at
# load_end_addr; the bss is not in the file.
$(GUEST_AOUT): $(GUEST_OUT)/%-aout.bin: $(GUEST_OBJ)/%-aout.elf
	$(GUEST_OBJCOPY) -O binary $< $@

# AP start-up (rt/smp.c, rt/smp_tramp.S) is linked only into the guests
# that start APs; they provide ap_main().
GUEST_SMP_USERS := ipi smp
GUEST_SMP_OBJS  := $(GUEST_OBJ)/rt/smp.o $(GUEST_OBJ)/rt/smp_tramp.o
$(GUEST_SMP_USERS:%=$(GUEST_OUT)/%.elf) $(GUEST_SMP_USERS:%=$(GUEST_OBJ)/%-aout.elf): \
		$(GUEST_SMP_OBJS)

$(GUEST_OBJ)/rt/smp_tramp.o: guests/rt/smp_tramp.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<

-include $(wildcard $(GUEST_OBJ)/*.d $(GUEST_OBJ)/rt/*.d)
