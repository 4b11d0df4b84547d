/*
 * A stand-in for FreeBSD's libutil.so.9 on a system without one, for the
 * LD_PRELOAD test in tests/overlay.rs: a program built against FreeBSD's
 * API links with -lutil and gets this, whose kinfo_getvmmap() always fails
 * as an unsupported system would.  Preloading libkinfo_vmmap.so must then
 * give the same program real data without relinking it.
 *
 * It is built through the overlay headers, so its definition must match
 * the prototype they declare.
 */

#include <sys/types.h>
#include <sys/user.h>

#include <errno.h>
#include <libutil.h>
#include <stddef.h>

struct kinfo_vmentry *
kinfo_getvmmap(pid_t pid, int *cntp)
{

	(void)pid;
	if (cntp != NULL)
		*cntp = 0;
	errno = ENOSYS;
	return (NULL);
}
