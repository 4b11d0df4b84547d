/*
 * The C consumer tests/overlay.rs drives: FreeBSD code, built through the
 * overlay headers and linked with -lkinfo_vmmap, that prints what
 * kinfo_getvmmap(3) returns so that the harness can hold it against its
 * own reading of /proc/PID/smaps.
 *
 *	vmmap_consumer self		own map; stops itself with SIGSTOP
 *					right after the call, before printing
 *	vmmap_consumer pid PID		the map of process PID
 *	vmmap_consumer errno CASE	one failure: null (NULL cntp),
 *					minus-one (pid -1), reaped, zombie,
 *					other-user (pid 1 after setuid)
 *
 * A map prints one line per entry, every field of the line separated by
 * one space and the path last, verbatim, up to the end of the line:
 *
 *	start end protection resident private_resident type flags path
 *
 * start, end, protection and flags in hex with 0x, the rest in decimal.
 * A failure prints "errno E cnt C" (C is *cntp after the call) and exits 0;
 * a call that should have failed and did not exits 1.  Any entry that
 * breaks the promises of the manual (record size, NUL-terminated path,
 * ascending, non-overlapping ranges) exits 1 as well.
 */

#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <libutil.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define	UNPRIVILEGED	65534	/* nobody */

static void	check(const struct kinfo_vmentry *, int);
static int	fail(const char *);
static void	print(const struct kinfo_vmentry *, int);
static void	prefault_stack(void);
static int	query_self(void);
static void	settle_malloc(void);
static void	usage(void);

static void
usage(void)
{

	fprintf(stderr, "usage: vmmap_consumer self\n"
	    "       vmmap_consumer pid pid\n"
	    "       vmmap_consumer errno "
	    "null | minus-one | reaped | zombie | other-user\n");
	exit(2);
}

static void
check(const struct kinfo_vmentry *vmmap, int cnt)
{
	const struct kinfo_vmentry *kve;
	int i;

	for (i = 0; i < cnt; i++) {
		kve = &vmmap[i];
		if (kve->kve_structsize != KINFO_VMENTRY_SIZE)
			errx(1, "entry %d: kve_structsize %d", i,
			    kve->kve_structsize);
		if (memchr(kve->kve_path, '\0', sizeof(kve->kve_path)) ==
		    NULL)
			errx(1, "entry %d: kve_path is not terminated", i);
		if (strchr(kve->kve_path, '\n') != NULL)
			errx(1, "entry %d: kve_path holds a newline", i);
		if (kve->kve_start >= kve->kve_end)
			errx(1, "entry %d: empty range %#jx-%#jx", i,
			    (uintmax_t)kve->kve_start,
			    (uintmax_t)kve->kve_end);
		if (i > 0 && kve->kve_start < vmmap[i - 1].kve_end)
			errx(1, "entry %d: %#jx is below the end of the "
			    "previous entry, %#jx", i,
			    (uintmax_t)kve->kve_start,
			    (uintmax_t)vmmap[i - 1].kve_end);
	}
}

static void
print(const struct kinfo_vmentry *vmmap, int cnt)
{
	const struct kinfo_vmentry *kve;
	int i;

	for (i = 0; i < cnt; i++) {
		kve = &vmmap[i];
		printf("0x%jx 0x%jx 0x%x %d %d %d 0x%x %s\n",
		    (uintmax_t)kve->kve_start, (uintmax_t)kve->kve_end,
		    (unsigned)kve->kve_protection, kve->kve_resident,
		    kve->kve_private_resident, kve->kve_type,
		    (unsigned)kve->kve_flags, kve->kve_path);
	}
	if (fflush(stdout) != 0)
		err(1, "stdout");
}

/*
 * The harness reads /proc/self/smaps while this process is stopped, and
 * every page counted there must already have been counted by the call.  A
 * call reads the map and then keeps running: it allocates, frees, and
 * executes code.  So the process first pins its heap (no trimming, no
 * mmap'd chunks, enough of it resident) and its stack, then makes one call
 * to fault in everything a call touches; the second call touches nothing
 * new after its read.
 */
static void
settle_malloc(void)
{
#ifdef __GLIBC__
	void *chunk[16];
	size_t i;

	if (mallopt(M_MMAP_THRESHOLD, 512 * 1024) == 0 ||
	    mallopt(M_TRIM_THRESHOLD, INT_MAX) == 0)
		errx(1, "mallopt failed");
	for (i = 0; i < sizeof(chunk) / sizeof(chunk[0]); i++) {
		if ((chunk[i] = malloc(256 * 1024)) == NULL)
			err(1, "malloc");
		memset(chunk[i], 0xa5, 256 * 1024);
	}
	for (i = 0; i < sizeof(chunk) / sizeof(chunk[0]); i++)
		free(chunk[i]);
#endif
}

static void
prefault_stack(void)
{
	volatile char pad[256 * 1024];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

static int
query_self(void)
{
	struct kinfo_vmentry *vmmap;
	int cnt;

	settle_malloc();
	prefault_stack();
	if ((vmmap = kinfo_getvmmap(getpid(), &cnt)) == NULL)
		err(1, "kinfo_getvmmap");
	free(vmmap);
	/* Binds kill() and faults its code in, as the stop below needs. */
	if (kill(getpid(), 0) != 0)
		err(1, "kill");

	if ((vmmap = kinfo_getvmmap(getpid(), &cnt)) == NULL)
		err(1, "kinfo_getvmmap");
	if (kill(getpid(), SIGSTOP) != 0)
		err(1, "kill");

	check(vmmap, cnt);
	print(vmmap, cnt);
	free(vmmap);
	return (0);
}

static int
fail(const char *what)
{
	struct kinfo_vmentry *vmmap;
	siginfo_t si;
	pid_t pid, child;
	int cnt, error;

	pid = 0;
	child = -1;
	if (strcmp(what, "minus-one") == 0)
		pid = -1;
	else if (strcmp(what, "null") == 0)
		pid = getpid();
	else if (strcmp(what, "reaped") == 0 ||
	    strcmp(what, "zombie") == 0) {
		if ((child = fork()) == -1)
			err(1, "fork");
		if (child == 0)
			_exit(0);
		/* WNOWAIT leaves a zombie: exited, not yet reaped. */
		if (waitid(P_PID, (id_t)child, &si, WEXITED |
		    (strcmp(what, "zombie") == 0 ? WNOWAIT : 0)) == -1)
			err(1, "waitid");
		pid = child;
	} else if (strcmp(what, "other-user") == 0) {
		/*
		 * Another user's process: pid 1 belongs to root, and root
		 * gives up its privilege here for good (setuid from root
		 * also drops every capability).
		 */
		if (geteuid() == 0 &&
		    (setgid(UNPRIVILEGED) != 0 || setuid(UNPRIVILEGED) != 0))
			err(1, "setuid");
		if (getuid() == 0)
			errx(1, "still root");
		pid = 1;
	} else
		usage();

	cnt = -1;
	errno = 0;
	vmmap = kinfo_getvmmap(pid,
	    strcmp(what, "null") == 0 ? NULL : &cnt);
	error = errno;
	if (strcmp(what, "zombie") == 0 && waitpid(child, NULL, 0) == -1)
		err(1, "waitpid");
	if (vmmap != NULL) {
		printf("entries %d\n", cnt);
		free(vmmap);
		return (1);
	}
	printf("errno %d cnt %d\n", error, cnt);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct kinfo_vmentry *vmmap;
	char *end;
	long pid;
	int cnt;

	if (argc == 2 && strcmp(argv[1], "self") == 0)
		return (query_self());
	if (argc == 3 && strcmp(argv[1], "errno") == 0)
		return (fail(argv[2]));
	if (argc != 3 || strcmp(argv[1], "pid") != 0)
		usage();

	errno = 0;
	pid = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT_MAX)
		errx(2, "bad pid: %s", argv[2]);
	if ((vmmap = kinfo_getvmmap((pid_t)pid, &cnt)) == NULL)
		err(1, "kinfo_getvmmap");
	check(vmmap, cnt);
	print(vmmap, cnt);
	free(vmmap);
	return (0);
}
