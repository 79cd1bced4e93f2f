/* Linked into the coverage build of keel only (scripts/cert/cert.mk, with
 * -Wl,--wrap=_exit). keel's CLI ends each forked VM process with _exit(),
 * which skips the profile runtime's atexit hook, so that process's coverage
 * would be lost; this writes the profile first. Not part of keel. */
#include <stdnoreturn.h>

int __llvm_profile_write_file(void);
noreturn void __real__exit(int status);
noreturn void __wrap__exit(int status);

noreturn void __wrap__exit(int status)
{
	(void)__llvm_profile_write_file();
	__real__exit(status);
}
