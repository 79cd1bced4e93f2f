#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "host/console.h"
#include "test.h"

TEST(console_escape_ctrl_a, "REQ-CON-002")
{
	struct console c;
	uint8_t out[2];
	bool quit;
	char err[128];

	CHECK_EQ(console_open(&c, NULL, err, sizeof(err)), 0);
	CHECK_EQ(console_filter(&c, 'a', out, &quit), 1);
	CHECK_EQ(out[0], 'a');
	CHECK(!quit);
	CHECK_EQ(console_filter(&c, CONSOLE_ESCAPE, out, &quit), 0);
	CHECK_EQ(console_filter(&c, CONSOLE_ESCAPE, out, &quit), 1); /* Ctrl-A Ctrl-A */
	CHECK_EQ(out[0], CONSOLE_ESCAPE);
	CHECK_EQ(console_filter(&c, CONSOLE_ESCAPE, out, &quit), 0);
	CHECK_EQ(console_filter(&c, 'q', out, &quit), 2);           /* unknown: both */
	CHECK_EQ(out[0], CONSOLE_ESCAPE);
	CHECK_EQ(out[1], 'q');
	CHECK_EQ(console_filter(&c, CONSOLE_ESCAPE, out, &quit), 0);
	CHECK_EQ(console_filter(&c, 'x', out, &quit), 0);
	CHECK(quit);
	/* Not a terminal here (or an output file): no input thread. */
	console_close(&c);
}

TEST(console_file_output, "REQ-CON-001")
{
	char dir[] = "/tmp/keel-con.XXXXXX", path[256], err[128], buf[8] = { 0 };
	struct console c;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/serial.log", dir);
	CHECK_EQ(console_open(&c, path, err, sizeof(err)), 0);
	console_write(&c, 'o');
	console_write(&c, 'k');
	CHECK_EQ(console_start_input(&c, NULL, NULL, NULL), 0); /* file output: no input */
	CHECK(!c.input);
	console_close(&c);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 2);
	close(fd);
	CHECK(strcmp(buf, "ok") == 0);
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof(path), "/nonexistent-dir/x");
	CHECK_EQ(console_open(&c, path, err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "/nonexistent-dir/x");
}
