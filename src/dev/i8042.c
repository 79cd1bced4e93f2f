/* i8042 keyboard controller, nothing attached (REQ-PWR-011..014), from the
 * 8042/PS/2 controller documentation (IBM AT technical reference and the
 * usual command tables). Choices: docs/requirements/power.md.
 *
 * The controller answers at once: a command or data byte is consumed in
 * the write (IBF never reads 1) and a reply is in the output register when
 * the write returns. A new command abandons one still waiting for its data
 * byte, as the real controller does. */
#include "dev/i8042.h"

#include <stddef.h>

#include "util/log.h"

static void reply(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->obf = true;
}

static void reset_pulse(struct i8042 *k)
{
	if (k->event != NULL)
		k->event(k->opaque, POWER_RESET);
}

static void unknown(struct i8042 *k, uint8_t cmd)
{
	uint32_t bit = 1u << (cmd % 32);

	/* Ignored, as a controller without the feature would; logged once per
	 * command so a guest waiting for a reply that never comes is explained. */
	if (!(k->logged[cmd / 32] & bit)) {
		k->logged[cmd / 32] |= bit;
		log_warn("i8042: command 0x%02x not supported, ignored", cmd);
	}
}

static void command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (cmd >= 0x20 && cmd <= 0x3f) {          /* read controller RAM */
		reply(k, k->ram[cmd & 0x1f]);
		return;
	}
	if (cmd >= 0x60 && cmd <= 0x7f) {          /* write controller RAM */
		k->pending = cmd;
		return;
	}
	if (cmd >= 0xf0) {
		/* Pulse output-port bits 0-3 whose command bit is 0. Only bit 0,
		 * the CPU reset line, has an effect; 0xff pulses nothing and is
		 * what Linux sends as a null command. */
		if (!(cmd & I8042_OUT_RESET))
			reset_pulse(k);
		return;
	}
	switch (cmd) {
	case 0xa7:
		k->ram[0] |= I8042_CB_AUX_DIS;
		break;
	case 0xa8:
		k->ram[0] &= (uint8_t)~I8042_CB_AUX_DIS;
		break;
	case 0xa9:                                 /* mouse interface test */
	case 0xab:                                 /* keyboard interface test */
		reply(k, 0x00);                    /* no error: the lines are idle */
		break;
	case 0xaa:                                 /* controller self-test */
		reply(k, 0x55);
		break;
	case 0xad:
		k->ram[0] |= I8042_CB_KBD_DIS;
		break;
	case 0xae:
		k->ram[0] &= (uint8_t)~I8042_CB_KBD_DIS;
		break;
	case 0xd0:                                 /* read output port */
		reply(k, k->outport);
		break;
	case 0xd1:                                 /* write output port */
		k->pending = cmd;
		break;
	default:
		unknown(k, cmd);
		break;
	}
}

static void data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd >= 0x60 && cmd <= 0x7f) {
		k->ram[cmd & 0x1f] = v;
	} else if (cmd == 0xd1) {
		/* A20 (bit 1) is not gated in keel: stored and read back only.
		 * Bit 0 low resets the CPU; the line is taken back high at once,
		 * each such write being one reset pulse. */
		k->outport = v | I8042_OUT_RESET;
		if (!(v & I8042_OUT_RESET))
			reset_pulse(k);
	}
	/* Otherwise the byte is for the keyboard, and there is none. */
}

void i8042_init(struct i8042 *k, power_event_fn event, void *opaque)
{
	*k = (struct i8042){ .outport = I8042_OUT_INIT, .event = event, .opaque = opaque };
	k->ram[0] = I8042_CB_INIT;
}

uint32_t i8042_read(struct i8042 *k, uint16_t port, unsigned len)
{
	if (len != 1)
		return len >= 4 ? 0xffffffffu : (uint32_t)((1ull << (8 * len)) - 1);
	if (port == I8042_PORT_CMD)
		return (k->obf ? I8042_STS_OBF : 0) | I8042_STS_SYS |
		       (k->last_cmd ? I8042_STS_CMD : 0) | I8042_STS_UNLOCK;
	if (port == I8042_PORT_DATA) {
		k->obf = false;
		return k->out;
	}
	return 0xff;
}

void i8042_write(struct i8042 *k, uint16_t port, uint32_t value, unsigned len)
{
	if (len != 1)
		return;
	if (port == I8042_PORT_CMD) {
		k->last_cmd = true;
		command(k, (uint8_t)value);
	} else if (port == I8042_PORT_DATA) {
		k->last_cmd = false;
		data(k, (uint8_t)value);
	}
}
