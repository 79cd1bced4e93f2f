/* i8042 keyboard controller with nothing attached (REQ-PWR-011..014):
 * data port 0x60, status/command port 0x64. Enough of a controller for
 * guests to find it sane (self-test, interface tests, command byte, output
 * port) and for the two ways PCs reset through it: command 0xfe (pulse the
 * CPU reset line) and command 0xd1 with output-port bit 0 = 0. There is no
 * keyboard and no mouse: no scan codes, and IRQ1/IRQ12 are never raised.
 * Not thread-safe: the owner serialises.
 * Requirements and choices: docs/requirements/power.md. */
#ifndef KEEL_DEV_I8042_H
#define KEEL_DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/power.h"
#include "fw/acpi_hw.h"

#define I8042_PORT_DATA   I8042_DATA_PORT   /* 0x60 */
#define I8042_PORT_CMD    I8042_CMD_PORT    /* 0x64: status on read */

/* Status register (port 0x64 read). */
#define I8042_STS_OBF     0x01    /* output buffer full: port 0x60 has a byte */
#define I8042_STS_IBF     0x02    /* input buffer full: always 0, taken at once */
#define I8042_STS_SYS     0x04    /* system flag: always 1, self-test passed */
#define I8042_STS_CMD     0x08    /* last write was to port 0x64 */
#define I8042_STS_UNLOCK  0x10    /* keyboard not inhibited: always 1 */

/* Command byte (controller RAM byte 0). */
#define I8042_CB_KBD_DIS  0x10
#define I8042_CB_AUX_DIS  0x20
#define I8042_CB_INIT     0x74    /* translate, both ports off, SYS, no IRQs */

/* Output port. */
#define I8042_OUT_RESET   0x01    /* CPU reset line, active low */
#define I8042_OUT_A20     0x02
#define I8042_OUT_INIT    (I8042_OUT_RESET | I8042_OUT_A20)

struct i8042 {
	uint8_t ram[32];         /* ram[0] is the command byte */
	uint8_t out;             /* output register (port 0x60 read) */
	bool obf;
	bool last_cmd;           /* status bit 3 */
	uint8_t outport;
	uint8_t pending;         /* command awaiting its data byte (0x60-0x7f,
				  * 0xd1), 0 if none */
	uint32_t logged[8];      /* bit n: unknown command n logged */
	power_event_fn event;
	void *opaque;
};

/* Power-on state: output buffer empty (reads 0x00), command byte
 * I8042_CB_INIT, output port I8042_OUT_INIT. Call again when the VM
 * restarts. */
void i8042_init(struct i8042 *k, power_event_fn event, void *opaque);
/* `port` is the I/O port. Only 1-byte accesses to ports 0x60 and 0x64
 * reach the controller; anything else reads all-ones (0xff per byte,
 * 0xffffffff for lengths above 4) and its write is ignored.
 * Port 0x60 read: the output register (the last byte the controller put
 * there, again if already read); clears OBF. Port 0x64 read: status. */
uint32_t i8042_read(struct i8042 *k, uint16_t port, unsigned len);
/* Port 0x64: a command; port 0x60: the data byte of a pending command, or
 * a byte for the (absent) keyboard, dropped. Commands 0xfe (any of
 * 0xf0-0xfe with bit 0 clear) and 0xd1 + a data byte with bit 0 clear raise
 * one POWER_RESET. */
void i8042_write(struct i8042 *k, uint16_t port, uint32_t value, unsigned len);

#endif
