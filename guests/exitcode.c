/* exitcode: exits through the debug-exit port with code=<N> from the
 * command line, to test the VMM's status mapping. */
#include "rt/rt.h"

void kmain(uint32_t magic, uint32_t info_phys)
{
	const struct mb_info *mbi = phys(info_phys);
	const char *cl = NULL;
	uint32_t code;

	if (magic == MB_BOOTLOADER_MAGIC && (mbi->flags & MBI_CMDLINE) && mbi->cmdline)
		cl = phys(mbi->cmdline);
	if (cmdline_u32(cl, "code", &code) != 1) {
		printf("exitcode: missing or bad code=\n");
		guest_exit(1);
	}
	printf("exiting with %u\n", code);
	guest_exit(code);
}
