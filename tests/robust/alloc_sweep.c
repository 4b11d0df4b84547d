/*
 * Fails every allocation a call makes, one at a time, for tests/robust.rs.
 * Run with failing_malloc.so preloaded:
 *
 *	LD_PRELOAD=failing_malloc.so alloc_sweep
 *
 * For each case, the call is made with its 1st allocation failing, then
 * its 2nd, and so on, until a call makes no more allocations than the one
 * being failed.  Each call with a failed allocation must return NULL with
 * errno ENOMEM and *cntp 0 (or succeed, if the library has a fallback)
 * and leave nothing allocated; the last must end as the case does when
 * memory is plentiful.  The shim counts what a call leaves allocated, and
 * valgrind, when the test runs this under it, checks the same.
 *
 * Prints, per case, "case NAME: A allocations ..." and, per failed
 * allocation, "site NAME N OFFSET..." with the return addresses of its
 * stack that lie in libkinfo_vmmap.so, as offsets into that file, for the
 * test to name with addr2line; then "N passed, M failed".
 */

#define	_GNU_SOURCE

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinfo_vmmap.h"

#define	MAXFRAMES	48
#define	MAXTRIES	10000

static void	(*arm)(long);
static long	(*disarm)(void);
static int	(*injected)(void);
static long	(*live)(void);
static int	(*trace)(void **, int);

static int passed, failed;

#define	CHECK(cond) do {						\
	if (cond)							\
		passed++;						\
	else {								\
		failed++;						\
		fprintf(stderr, "%s:%d: %s: failed: %s\n", __FILE__,	\
		    __LINE__, name, #cond);				\
	}								\
} while (0)

/* One way to call the library: NULL or an array, with errno. */
struct call {
	const char *name;
	struct kinfo_vmentry *(*fn)(const struct call *, int *);
	pid_t pid;
	const void *buf;
	size_t len;
	int errno_without_failure;	/* 0: the call succeeds */
	int skip_counts;		/* KINFO_VMMAP_SKIP_RESIDENT_COUNT=1 */
};

static struct kinfo_vmentry *
getvmmap(const struct call *c, int *cntp)
{

	return (kinfo_getvmmap(c->pid, cntp));
}

static struct kinfo_vmentry *
unpack(const struct call *c, int *cntp)
{

	return (kinfo_vmmap_unpack(c->buf, c->len, cntp));
}

/* The promises of a returned array. */
static int
valid(const struct kinfo_vmentry *kv, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++) {
		if (kv[i].kve_structsize != KINFO_VMENTRY_SIZE ||
		    memchr(kv[i].kve_path, '\0', sizeof(kv[i].kve_path)) ==
		    NULL)
			return (0);
		if (i > 0 && kv[i].kve_start < kv[i - 1].kve_end)
			return (0);
	}
	return (1);
}

/* Prints the failed allocation's frames that lie in the library. */
static void
print_site(const char *name, long n)
{
	void *frame[MAXFRAMES];
	Dl_info info;
	int i, nframes;

	nframes = trace(frame, MAXFRAMES);
	printf("site %s %ld", name, n);
	for (i = 0; i < nframes; i++)
		if (dladdr(frame[i], &info) != 0 && info.dli_fname != NULL &&
		    strstr(info.dli_fname, "libkinfo_vmmap") != NULL)
			/* A return address: the call is the byte before. */
			printf(" %#jx", (uintmax_t)((uintptr_t)frame[i] -
			    (uintptr_t)info.dli_fbase - 1));
	printf("\n");
}

static void
sweep(const struct call *c)
{
	const char *name;
	struct kinfo_vmentry *kv;
	long n, calls, most;
	int cnt, error, enomem, fallback;

	name = c->name;
	enomem = fallback = 0;
	most = 0;
	for (n = 1; n <= MAXTRIES; n++) {
		cnt = -1;
		errno = 0;
		arm(n);
		kv = c->fn(c, &cnt);
		error = errno;
		calls = disarm();
		if (calls > most)
			most = calls;
		if (injected()) {
			print_site(name, n);
			if (kv == NULL) {
				enomem++;
				CHECK(error == ENOMEM);
				CHECK(cnt == 0);
				CHECK(live() == 0);
			} else {
				fallback++;
				CHECK(cnt >= 0 && valid(kv, cnt));
				CHECK(live() == 1);
				free(kv);
				CHECK(live() == 0);
			}
			continue;
		}
		/* Every allocation succeeded: the case's own outcome. */
		if (c->errno_without_failure == 0) {
			CHECK(kv != NULL);
			if (kv != NULL) {
				CHECK(cnt >= 0 && valid(kv, cnt));
				CHECK(live() == 1);
				free(kv);
			}
		} else {
			CHECK(kv == NULL);
			CHECK(error == c->errno_without_failure);
			CHECK(cnt == 0);
		}
		CHECK(live() == 0);
		break;
	}
	CHECK(n <= MAXTRIES);
	printf("case %s: %ld allocations at most; %d failed with ENOMEM, "
	    "%d fell back; then %s\n", name, most, enomem, fallback,
	    c->errno_without_failure == 0 ? "success" :
	    strerror(c->errno_without_failure));
}

/*
 * A child with `count` one-page entries (alternately writable and not, so
 * none merge), stopped; enough entries to grow the array many times.
 */
static pid_t
mapped_child(long count)
{
	char *base;
	size_t page;
	pid_t pid;
	long i;
	int status;

	page = (size_t)sysconf(_SC_PAGESIZE);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		base = mmap(NULL, (size_t)count * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			_exit(1);
		for (i = 1; i < count; i += 2)
			if (mprotect(base + i * page, page, PROT_READ) != 0)
				_exit(1);
		for (i = 0; i < count; i += 4)
			base[i * page] = 1;
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		errx(1, "the mapped child did not stop");
	return (pid);
}

/* A child that has exited and is not yet reaped; or, reaped, a free pid. */
static pid_t
exited_child(int reap)
{
	siginfo_t si;
	pid_t pid;

	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		_exit(0);
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | (reap ? 0 : WNOWAIT)) != 0)
		err(1, "waitid");
	return (pid);
}

/* Whether pid is the kernel's kthreadd, as in the initial pid namespace. */
static int
is_kthreadd(pid_t pid)
{
	char path[64], stat[64];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return (0);
	n = fread(stat, 1, sizeof(stat) - 1, fp);
	fclose(fp);
	stat[n] = '\0';
	return (strstr(stat, " (kthreadd) ") != NULL);
}

static void
bind(void *fn, const char *symbol)
{

	if ((*(void **)fn = dlsym(RTLD_DEFAULT, symbol)) == NULL)
		errx(2, "%s not found: run with LD_PRELOAD=failing_malloc.so",
		    symbol);
}

int
main(void)
{
	unsigned char packed[64 * 1024], *many;
	struct kinfo_vmentry kve;
	struct call calls[16];
	size_t len, manylen, size;
	pid_t mapped, zombie, reaped;
	int i, ncalls;

	bind(&arm, "robust_alloc_arm");
	bind(&disarm, "robust_alloc_disarm");
	bind(&injected, "robust_alloc_injected");
	bind(&live, "robust_alloc_live");
	bind(&trace, "robust_alloc_trace");
	/* stdout's buffer now, not inside a call. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("sweep\n");

	/* 60 packed records, as FreeBSD's kernel writes them. */
	len = 0;
	for (i = 0; i < 60; i++) {
		memset(&kve, 0, sizeof(kve));
		snprintf(kve.kve_path, sizeof(kve.kve_path),
		    i % 3 == 0 ? "" : "/usr/lib/lib%d.so.%d", i, i);
		size = (offsetof(struct kinfo_vmentry, kve_path) +
		    strlen(kve.kve_path) + 1 + 7) & ~(size_t)7;
		kve.kve_structsize = (int)size;
		kve.kve_start = 0x100000 + (uint64_t)i * 0x1000;
		kve.kve_end = kve.kve_start + 0x1000;
		memcpy(packed + len, &kve, size);
		len += size;
	}

	/* The children first, so that they inherit no heap block. */
	mapped = mapped_child(3000);
	zombie = exited_child(0);
	reaped = exited_child(1);

	/*
	 * 30,000 records: an array of over 32 MB, which the library takes
	 * from calloc(3) rather than malloc(3).
	 */
	memset(&kve, 0, sizeof(kve));
	size = (offsetof(struct kinfo_vmentry, kve_path) + 1 + 7) & ~(size_t)7;
	kve.kve_structsize = (int)size;
	manylen = 30000 * size;
	if ((many = malloc(manylen)) == NULL)
		err(1, "malloc");
	for (i = 0; i < 30000; i++) {
		kve.kve_start = 0x100000 + (uint64_t)i * 0x1000;
		kve.kve_end = kve.kve_start + 0x1000;
		memcpy(many + (size_t)i * size, &kve, size);
	}


	ncalls = 0;
	calls[ncalls++] = (struct call){ .name = "getvmmap-self",
	    .fn = getvmmap, .pid = getpid() };
	calls[ncalls++] = (struct call){ .name = "getvmmap-self-skipping-counts",
	    .fn = getvmmap, .pid = getpid(), .skip_counts = 1 };
	calls[ncalls++] = (struct call){ .name = "getvmmap-3000-entries",
	    .fn = getvmmap, .pid = mapped };
	/* Over 64 KiB of maps text: the whole-text buffer grows. */
	calls[ncalls++] = (struct call){
	    .name = "getvmmap-3000-entries-skipping-counts",
	    .fn = getvmmap, .pid = mapped, .skip_counts = 1 };
	if (is_kthreadd(2))
		calls[ncalls++] = (struct call){
		    .name = "getvmmap-kernel-thread", .fn = getvmmap, .pid = 2 };
	else
		printf("note: pid 2 is not kthreadd here; no kernel thread\n");
	calls[ncalls++] = (struct call){ .name = "getvmmap-zombie",
	    .fn = getvmmap, .pid = zombie, .errno_without_failure = ESRCH };
	calls[ncalls++] = (struct call){ .name = "getvmmap-no-such-process",
	    .fn = getvmmap, .pid = reaped, .errno_without_failure = ESRCH };
	calls[ncalls++] = (struct call){ .name = "unpack-60-records",
	    .fn = unpack, .buf = packed, .len = len };
	calls[ncalls++] = (struct call){ .name = "unpack-30000-records",
	    .fn = unpack, .buf = many, .len = manylen };
	calls[ncalls++] = (struct call){ .name = "unpack-empty", .fn = unpack,
	    .buf = packed, .len = 0 };
	calls[ncalls++] = (struct call){ .name = "unpack-malformed",
	    .fn = unpack, .buf = packed, .len = len - 5,
	    .errno_without_failure = EINVAL };

	for (i = 0; i < ncalls; i++) {
		/* Set outside the calls: setenv allocates. */
		if (setenv("KINFO_VMMAP_SKIP_RESIDENT_COUNT",
		    calls[i].skip_counts ? "1" : "0", 1) != 0)
			err(1, "setenv");
		sweep(&calls[i]);
	}

	kill(mapped, SIGKILL);
	waitpid(mapped, NULL, 0);
	waitpid(zombie, NULL, 0);
	free(many);
	printf("%d passed, %d failed\n", passed, failed);
	return (failed != 0);
}
