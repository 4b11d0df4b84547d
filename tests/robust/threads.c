/*
 * Many threads calling kinfo_getvmmap(3) at once, for tests/robust.rs:
 *
 *	threads same THREADS CALLS	every thread reads this process's own
 *					map, which the threads keep changing
 *					(their stacks, malloc's arenas)
 *	threads different THREADS CALLS	thread i reads stopped child i, each
 *					with a map of its own size; a
 *					stopped map cannot change, so every
 *					call must return the same entries
 *
 * Every array is checked (record size, NUL-terminated path, ascending,
 * non-overlapping, non-empty ranges) and freed.  Run under valgrind or
 * LeakSanitizer, this shows no call leaks or touches memory it should not,
 * whatever runs beside it.  Prints "threads T calls C: N returned maps, F
 * failed" and exits non-zero on any failure.
 */

#define	_GNU_SOURCE

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinfo_vmmap.h"

#define	MAXTHREADS	64

struct worker {
	pthread_t thread;
	pid_t pid;
	long calls;
	int stable;		/* the target cannot change */
	long returned;
	long failures;
};

static pthread_barrier_t start;

/* Whether the array keeps the manual's promises. */
static int
valid(const struct kinfo_vmentry *kv, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++) {
		if (kv[i].kve_structsize != KINFO_VMENTRY_SIZE ||
		    memchr(kv[i].kve_path, '\0', sizeof(kv[i].kve_path)) ==
		    NULL || kv[i].kve_start >= kv[i].kve_end)
			return (0);
		if (i > 0 && kv[i].kve_start < kv[i - 1].kve_end)
			return (0);
	}
	return (1);
}

/* The ranges and protections of a map, folded into one number. */
static uint64_t
digest(const struct kinfo_vmentry *kv, int cnt)
{
	uint64_t h;
	int i;

	h = 0xcbf29ce484222325ULL ^ (uint64_t)cnt;
	for (i = 0; i < cnt; i++) {
		h = (h ^ kv[i].kve_start) * 0x100000001b3ULL;
		h = (h ^ kv[i].kve_end) * 0x100000001b3ULL;
		h = (h ^ (uint64_t)kv[i].kve_protection) * 0x100000001b3ULL;
	}
	return (h);
}

static void *
work(void *arg)
{
	struct worker *w;
	struct kinfo_vmentry *kv;
	uint64_t first, h;
	long i;
	int cnt;

	w = arg;
	first = 0;
	pthread_barrier_wait(&start);
	for (i = 0; i < w->calls; i++) {
		if ((kv = kinfo_getvmmap(w->pid, &cnt)) == NULL) {
			warn("pid %d: call %ld", (int)w->pid, i);
			w->failures++;
			continue;
		}
		if (!valid(kv, cnt)) {
			warnx("pid %d: call %ld: a broken map", (int)w->pid, i);
			w->failures++;
		} else if (w->stable) {
			h = digest(kv, cnt);
			if (i == 0)
				first = h;
			else if (h != first) {
				warnx("pid %d: call %ld: the map changed",
				    (int)w->pid, i);
				w->failures++;
			}
		}
		w->returned++;
		free(kv);
	}
	return (NULL);
}

/* A stopped child with 2 * (10 + i) more entries than it started with. */
static pid_t
stopped_child(int i)
{
	char *base;
	size_t page;
	pid_t pid;
	int k, n, status;

	page = (size_t)sysconf(_SC_PAGESIZE);
	n = 2 * (10 + i);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		base = mmap(NULL, (size_t)n * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			_exit(1);
		for (k = 1; k < n; k += 2)
			if (mprotect(base + k * page, page, PROT_READ) != 0)
				_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		errx(1, "child %d did not stop", i);
	return (pid);
}

int
main(int argc, char *argv[])
{
	struct worker w[MAXTHREADS];
	long calls, returned, failures;
	int different, i, nthreads;

	if (argc != 4 || (strcmp(argv[1], "same") != 0 &&
	    strcmp(argv[1], "different") != 0))
		errx(2, "usage: threads same|different THREADS CALLS");
	different = strcmp(argv[1], "different") == 0;
	nthreads = atoi(argv[2]);
	calls = atol(argv[3]);
	if (nthreads < 1 || nthreads > MAXTHREADS || calls < 1)
		errx(2, "bad THREADS or CALLS");

	memset(w, 0, sizeof(w));
	if ((errno = pthread_barrier_init(&start, NULL,
	    (unsigned)nthreads + 1)) != 0)
		err(1, "pthread_barrier_init");
	for (i = 0; i < nthreads; i++) {
		w[i].calls = calls;
		w[i].pid = different ? stopped_child(i) : getpid();
		w[i].stable = different;
		if ((errno = pthread_create(&w[i].thread, NULL, work, &w[i])) !=
		    0)
			err(1, "pthread_create");
	}
	pthread_barrier_wait(&start);
	returned = failures = 0;
	for (i = 0; i < nthreads; i++) {
		if ((errno = pthread_join(w[i].thread, NULL)) != 0)
			err(1, "pthread_join");
		returned += w[i].returned;
		failures += w[i].failures;
		if (different) {
			kill(w[i].pid, SIGKILL);
			waitpid(w[i].pid, NULL, 0);
		}
	}
	printf("threads %d calls %ld on %s: %ld returned maps, %ld failed\n",
	    nthreads, calls, different ? "different pids" : "the same pid",
	    returned, failures);
	return (failures != 0 || returned != nthreads * calls);
}
