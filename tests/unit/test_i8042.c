/* i8042 keyboard controller, nothing attached (REQ-PWR-011..015). */
#include "test.h"

#include "dev/i8042.h"

struct events {
	unsigned off, reset, total;
};

static void rec_event(void *opaque, enum power_event ev)
{
	struct events *e = opaque;

	e->total++;
	if (ev == POWER_OFF)
		e->off++;
	else if (ev == POWER_RESET)
		e->reset++;
}

static void setup(struct i8042 *k, struct events *e)
{
	memset(e, 0, sizeof(*e));
	memset(k, 0xc3, sizeof(*k));
	i8042_init(k, rec_event, e);
}

static uint32_t status(struct i8042 *k)
{
	return i8042_read(k, I8042_PORT_CMD, 1);
}

static void cmd(struct i8042 *k, uint8_t c)
{
	i8042_write(k, I8042_PORT_CMD, c, 1);
}

static void dat(struct i8042 *k, uint8_t v)
{
	i8042_write(k, I8042_PORT_DATA, v, 1);
}

/* The reply of a command: OBF must be set, the read clears it. */
static int reply(struct i8042 *k, uint8_t c)
{
	int v;

	cmd(k, c);
	if (!(status(k) & I8042_STS_OBF))
		return -1;
	v = (int)i8042_read(k, I8042_PORT_DATA, 1);
	return (status(k) & I8042_STS_OBF) ? -2 : v;
}

TEST(i8042_status_and_data, "REQ-PWR-011")
{
	struct i8042 k;
	struct events e;

	setup(&k, &e);
	CHECK_EQ(I8042_PORT_DATA, 0x60);
	CHECK_EQ(I8042_PORT_CMD, 0x64);
	CHECK_EQ(status(&k), 0x14);                        /* SYS, not inhibited */
	CHECK_EQ(i8042_read(&k, I8042_PORT_DATA, 1), 0x00); /* empty: 0x00 */
	CHECK_EQ(status(&k), 0x14);
	cmd(&k, 0xaa);
	CHECK_EQ(status(&k), 0x1d);                        /* OBF, last write a command */
	CHECK_EQ(status(&k), 0x1d);                        /* status reads change nothing */
	CHECK_EQ(i8042_read(&k, I8042_PORT_DATA, 1), 0x55);
	CHECK_EQ(status(&k), 0x1c);
	CHECK_EQ(i8042_read(&k, I8042_PORT_DATA, 1), 0x55); /* stale byte again */
	CHECK_EQ(status(&k), 0x1c);
	dat(&k, 0x00);                                     /* to the absent keyboard */
	CHECK_EQ(status(&k), 0x14);                        /* bit 3: last write data */
	CHECK_EQ(i8042_read(&k, I8042_PORT_DATA, 1), 0x55);
	CHECK_EQ(e.total, 0);
}

TEST(i8042_commands, "REQ-PWR-012")
{
	struct i8042 k;
	struct events e;

	setup(&k, &e);
	CHECK_EQ(reply(&k, 0xaa), 0x55);                   /* self-test passed */
	CHECK_EQ(reply(&k, 0xab), 0x00);                   /* keyboard interface ok */
	CHECK_EQ(reply(&k, 0xa9), 0x00);                   /* mouse interface ok */
	CHECK_EQ(reply(&k, 0x20), I8042_CB_INIT);
	cmd(&k, 0x60);
	CHECK_EQ(status(&k) & I8042_STS_OBF, 0);
	dat(&k, 0x47);
	CHECK_EQ(reply(&k, 0x20), 0x47);
	dat(&k, 0x11);                                     /* nothing pending: dropped */
	CHECK_EQ(reply(&k, 0x20), 0x47);
	cmd(&k, 0xad);
	CHECK_EQ(reply(&k, 0x20), 0x57);
	cmd(&k, 0xa7);
	CHECK_EQ(reply(&k, 0x20), 0x77);
	cmd(&k, 0xae);
	CHECK_EQ(reply(&k, 0x20), 0x67);
	cmd(&k, 0xa8);
	CHECK_EQ(reply(&k, 0x20), 0x47);
	/* The rest of the controller RAM. */
	for (unsigned i = 1; i < 32; i++) {
		cmd(&k, (uint8_t)(0x60 + i));
		dat(&k, (uint8_t)(0x80 + i));
	}
	for (unsigned i = 1; i < 32; i++)
		CHECK_EQ(reply(&k, (uint8_t)(0x20 + i)), 0x80 + i);
	CHECK_EQ(reply(&k, 0x20), 0x47);
	/* Output port. */
	CHECK_EQ(reply(&k, 0xd0), I8042_OUT_INIT);
	cmd(&k, 0xd1);
	dat(&k, 0xdf);                                     /* A20 on, as Linux writes */
	CHECK_EQ(reply(&k, 0xd0), 0xdf);
	/* A command abandons one waiting for data. */
	cmd(&k, 0x60);
	cmd(&k, 0xaa);
	dat(&k, 0x00);
	CHECK_EQ(i8042_read(&k, I8042_PORT_DATA, 1), 0x55);
	CHECK_EQ(reply(&k, 0x20), 0x47);
	/* Unknown commands: ignored (no reply, no state change), logged once. */
	{
		struct i8042 before;
		static const uint8_t unk[] = { 0x00, 0x10, 0x80, 0xa4, 0xa5, 0xa6, 0xac, 0xc0,
					       0xc1, 0xc2, 0xd2, 0xd3, 0xd4, 0xe0, 0xef };

		for (unsigned i = 0; i < sizeof(unk); i++) {
			cmd(&k, unk[i]);
			memcpy(&before, &k, sizeof(k));
			CHECK_EQ(status(&k) & I8042_STS_OBF, 0);
			CHECK(k.logged[unk[i] / 32] & (1u << (unk[i] % 32)));
			dat(&k, 0x5a);                     /* no command pending: dropped */
			cmd(&k, unk[i]);                   /* again: already logged */
			CHECK(memcmp(&k, &before, sizeof(k)) == 0);
		}
		for (unsigned c = 0xf1; c <= 0xff; c += 2) {
			cmd(&k, (uint8_t)c);               /* pulse nothing */
			CHECK_EQ(status(&k) & I8042_STS_OBF, 0);
		}
	}
	CHECK_EQ(reply(&k, 0x20), 0x47);
	CHECK_EQ(reply(&k, 0xd0), 0xdf);
	CHECK_EQ(e.total, 0);
}

TEST(i8042_reset_pulse, "REQ-PWR-013 REQ-PWR-015")
{
	struct i8042 k;
	struct events e;

	setup(&k, &e);
	cmd(&k, 0xfe);
	CHECK_EQ(e.reset, 1);
	CHECK_EQ(e.total, 1);
	cmd(&k, 0xfe);                                     /* each pulse is one reset */
	CHECK_EQ(e.reset, 2);
	cmd(&k, 0xff);                                     /* Linux's null command */
	CHECK_EQ(e.total, 2);
	cmd(&k, 0xf0);                                     /* pulses bits 0-3, 0 included */
	CHECK_EQ(e.reset, 3);
	/* Output port write with bit 0 (reset, active low) clear. */
	setup(&k, &e);
	cmd(&k, 0xd1);
	CHECK_EQ(e.total, 0);
	dat(&k, 0xfe);
	CHECK_EQ(e.reset, 1);
	CHECK_EQ(e.total, 1);
	CHECK_EQ(reply(&k, 0xd0), 0xff);                   /* the line is high again */
	dat(&k, 0x00);                                     /* no command pending */
	CHECK_EQ(e.total, 1);
	cmd(&k, 0xd1);
	dat(&k, 0x01);
	CHECK_EQ(e.total, 1);
	cmd(&k, 0xd1);
	cmd(&k, 0xd1);                                     /* re-issued: still one data byte */
	dat(&k, 0x00);
	CHECK_EQ(e.reset, 2);
	cmd(&k, 0xd1);
	cmd(&k, 0xaa);                                     /* abandoned */
	dat(&k, 0x00);
	CHECK_EQ(e.total, 2);
	/* Every command byte, then a 0 data byte: resets exactly where due. */
	for (unsigned c = 0; c < 256; c++) {
		setup(&k, &e);
		cmd(&k, (uint8_t)c);
		CHECK_EQ(e.reset, (c >= 0xf0 && !(c & 1)) ? 1 : 0);
		(void)i8042_read(&k, I8042_PORT_DATA, 1);
		(void)status(&k);
		dat(&k, 0x00);
		CHECK_EQ(e.reset, (c >= 0xf0 && !(c & 1)) || c == 0xd1 ? 1 : 0);
		CHECK_EQ(e.off, 0);
	}
	/* No callback. */
	i8042_init(&k, NULL, NULL);
	cmd(&k, 0xfe);
	cmd(&k, 0xd1);
	dat(&k, 0x00);
	CHECK_EQ(reply(&k, 0xd0), 0x01);
}

TEST(i8042_other_accesses, "REQ-PWR-014")
{
	struct i8042 k, before;
	struct events e;

	setup(&k, &e);
	cmd(&k, 0xd1);                                     /* waiting for data */
	memcpy(&before, &k, sizeof(k));
	for (unsigned port = 0; port < 0x10000; port++) {
		if (port == 0x60 || port == 0x64)
			continue;
		CHECK_EQ(i8042_read(&k, (uint16_t)port, 1), 0xff);
		i8042_write(&k, (uint16_t)port, 0, 1);
	}
	for (unsigned len = 0; len <= 8; len++) {
		uint32_t ones = len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;

		if (len == 1)
			continue;
		CHECK_EQ(i8042_read(&k, 0x60, len), ones);
		CHECK_EQ(i8042_read(&k, 0x64, len), ones);
		CHECK_EQ(i8042_read(&k, 0x61, len), ones);
		i8042_write(&k, 0x60, 0, len);
		i8042_write(&k, 0x64, 0xfe, len);
	}
	CHECK(memcmp(&k, &before, sizeof(k)) == 0);
	CHECK_EQ(e.total, 0);
	dat(&k, 0x00);                                     /* the pending 0xd1 */
	CHECK_EQ(e.reset, 1);
}
