/* The fixed hardware that keel's ACPI tables describe and its power-
 * management devices implement (REQ-ACPI-*, REQ-PWR-*). One header, so the
 * FADT/DSDT and the device models cannot disagree. Port numbers follow
 * QEMU's PC machines (PM base 0x600), which guests already know. */
#ifndef KEEL_FW_ACPI_HW_H
#define KEEL_FW_ACPI_HW_H

#define ACPI_PM_BASE        0x600u
#define ACPI_PM1A_EVT_PORT  0x600u  /* PM1_STS (2 bytes) + PM1_EN (2 bytes) */
#define ACPI_PM1A_EVT_LEN   4u
#define ACPI_PM1A_CNT_PORT  0x604u  /* PM1_CNT, 2 bytes */
#define ACPI_PM1A_CNT_LEN   2u
#define ACPI_PM_TMR_PORT    0x608u  /* = PMTIMER_PORT, 4 bytes */
#define ACPI_PM_TMR_LEN     4u
#define ACPI_GPE0_PORT      0x620u  /* GPE0_STS (2 bytes) + GPE0_EN (2 bytes) */
#define ACPI_GPE0_LEN       4u

#define ACPI_SCI_IRQ        9u      /* ISA IRQ, level, active high (MADT override) */

/* PM1_CNT fields (ACPI 6.x, 4.8.3.2.1). */
#define ACPI_PM1_CNT_SCI_EN     (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7u)
#define ACPI_PM1_CNT_SLP_EN     (1u << 13)
/* The SLP_TYP value the DSDT's \_S5 package names; the only sleep state
 * keel implements is S5 (soft off). */
#define ACPI_SLP_TYP_S5         5u

/* Reset: the FADT reset register is the PC reset control port 0xcf9, value
 * 0x06 (SYS_RST | RST_CPU); the keyboard controller's pulse (0xfe to port
 * 0x64) resets too. */
#define ACPI_RESET_PORT     0xcf9u
#define ACPI_RESET_VALUE    0x06u
#define I8042_DATA_PORT     0x60u
#define I8042_CMD_PORT      0x64u

/* Where keel puts firmware tables in the PC layout (ram_mb): the BIOS area
 * 0xe0000-0xfffff that Linux scans for the RSDP and the MP floating pointer. */
#define FW_PC_TABLES_BASE   0xe0000ULL
#define FW_PC_TABLES_SIZE   0x20000ULL

/* Facts the ACPI and MP tables state about other models, kept here so the
 * tables and the models cannot drift apart (the lead wires the models to
 * these). The I/O APIC ID: the vCPU count, clipped to the 4-bit ID register,
 * as src/vm/irqchip.c programs it. The PM timer: 32 bits wide (the
 * `wide` argument of pmtimer_init; FADT TMR_VAL_EXT). */
#define FW_IOAPIC_ID(ncpus) ((ncpus) < 15u ? (unsigned)(ncpus) : 15u)
#define ACPI_PM_TMR_32BIT   1

#endif
