/*
 * kinfo_getvmmap(3) on processes that change while they are read, for
 * tests/robust.rs:
 *
 *	race churn CALLS	a child maps, unmaps, splits and merges regions
 *				without pause while it is read CALLS times,
 *				with resident counts and without
 *	race exit ROUNDS	ROUNDS children, each with thousands of entries,
 *				exit at a random moment while they are read,
 *				and are read on until they are gone
 *
 * Every call must either return a consistent map (record size, terminated
 * path, ranges non-empty, ascending and non-overlapping) or fail with
 * ESRCH; the exit case must see ESRCH in the end.  Prints the outcomes,
 * "race ...: N maps (E entries), S ESRCH, F failed", and exits non-zero on
 * any failure.
 */

#define	_GNU_SOURCE

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kinfo_vmmap.h"

#define	ARENA_PAGES	1024

static long maps, entries, esrch, failures;
static int last_cnt;

static const char *
broken(const struct kinfo_vmentry *kv, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++) {
		if (kv[i].kve_structsize != KINFO_VMENTRY_SIZE)
			return ("kve_structsize");
		if (memchr(kv[i].kve_path, '\0', sizeof(kv[i].kve_path)) ==
		    NULL)
			return ("an unterminated kve_path");
		if (kv[i].kve_start >= kv[i].kve_end)
			return ("an empty range");
		if (i > 0 && kv[i].kve_start < kv[i - 1].kve_end)
			return ("out of order or overlapping");
	}
	return (NULL);
}

/* One call; whether the process is gone (ESRCH). */
static int
read_map(pid_t pid)
{
	struct kinfo_vmentry *kv;
	const char *why;
	int cnt;

	cnt = -1;
	if ((kv = kinfo_getvmmap(pid, &cnt)) == NULL) {
		if (errno == ESRCH && cnt == 0) {
			esrch++;
			return (1);
		}
		warn("pid %d: cnt %d", (int)pid, cnt);
		failures++;
		return (0);
	}
	if ((why = broken(kv, cnt)) != NULL) {
		warnx("pid %d: %s", (int)pid, why);
		failures++;
	}
	maps++;
	entries += cnt;
	last_cnt = cnt;
	free(kv);
	return (0);
}

static uint64_t
next(uint64_t *state)
{

	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (*state);
}

/*
 * Forever: protect a random run of pages of an arena differently (which
 * splits entries and merges them back), unmap one and map it again in
 * place, and map and unmap a region of its own elsewhere.
 */
static void
churn(void)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
	    PROT_NONE, PROT_READ | PROT_EXEC };
	char *arena, *at, *extra;
	uint64_t state;
	size_t page, len;

	page = (size_t)sysconf(_SC_PAGESIZE);
	state = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL | 1;
	arena = mmap(NULL, ARENA_PAGES * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		_exit(1);
	for (;;) {
		at = arena + next(&state) % ARENA_PAGES * page;
		len = (1 + next(&state) % 8) * page;
		if (at + len > arena + ARENA_PAGES * page)
			len = (size_t)(arena + ARENA_PAGES * page - at);
		mprotect(at, len, prots[next(&state) % 4]);
		at = arena + next(&state) % ARENA_PAGES * page;
		if (munmap(at, page) == 0)
			mmap(at, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_FIXED, -1, 0);
		len = (1 + next(&state) % 64) * page;
		extra = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (extra != MAP_FAILED) {
			extra[0] = 1;
			munmap(extra, len);
		}
	}
}

static void
race_churn(long calls)
{
	pid_t pid;
	long i;

	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		churn();
	for (i = 0; i < calls; i++) {
		/* Half with resident counts (smaps), half without (maps). */
		if (setenv("KINFO_VMMAP_SKIP_RESIDENT_COUNT", i % 2 ? "1" : "0",
		    1) != 0)
			err(1, "setenv");
		if (read_map(pid)) {
			warnx("the churning child is gone");
			failures++;
			break;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("race churn %ld calls: %ld maps (%ld entries), %ld ESRCH, "
	    "%ld failed\n", calls, maps, entries, esrch, failures);
}

/*
 * Children with thousands of entries that each exit a random few
 * milliseconds after they have mapped them: reading such a map takes
 * about as long, so many exits fall in the middle of a read.  Each is read
 * until it is gone; the zombie it leaves is ESRCH, and so, once reaped, is
 * its pid.  A map shorter than the child's whole map was cut short by its
 * exit, between two reads of the text: it must still be consistent.
 */
static void
race_exit(long rounds)
{
	struct timespec delay;
	uint64_t state;
	size_t page;
	char *base, ready;
	pid_t pid;
	long round, k, gone, partial, ok_before;
	int fds[2], whole;

	page = (size_t)sysconf(_SC_PAGESIZE);
	state = 0x2545f4914f6cdd1dULL;
	gone = partial = 0;
	for (round = 0; round < rounds; round++) {
		if (pipe(fds) != 0)
			err(1, "pipe");
		delay.tv_sec = 0;
		delay.tv_nsec = (long)(next(&state) % 8000000);
		if ((pid = fork()) == -1)
			err(1, "fork");
		if (pid == 0) {
			base = mmap(NULL, 4000 * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (base == MAP_FAILED)
				_exit(1);
			for (k = 1; k < 4000; k += 2)
				mprotect(base + k * page, page, PROT_READ);
			if (write(fds[1], "", 1) != 1)
				_exit(1);
			nanosleep(&delay, NULL);
			_exit(0);
		}
		close(fds[1]);
		if (read(fds[0], &ready, 1) != 1)
			errx(1, "child %d failed to map", (int)pid);
		close(fds[0]);
		if (setenv("KINFO_VMMAP_SKIP_RESIDENT_COUNT",
		    round % 2 ? "1" : "0", 1) != 0)
			err(1, "setenv");
		ok_before = maps;
		whole = 0;
		for (k = 0; k < 100000 && !read_map(pid); k++) {
			if (whole == 0)
				whole = last_cnt;
			else if (last_cnt < whole)
				partial++;
		}
		if (k == 100000) {
			warnx("pid %d never went away", (int)pid);
			failures++;
		}
		if (maps == ok_before)
			gone++;
		if (waitpid(pid, NULL, 0) != pid)
			err(1, "waitpid");
		if (!read_map(pid)) {
			warnx("pid %d: reaped, and still read", (int)pid);
			failures++;
		}
	}
	printf("race exit %ld rounds: %ld maps (%ld entries), %ld ESRCH, "
	    "%ld failed; %ld maps cut short by the exit, %ld children gone "
	    "before their first read\n", rounds, maps, entries, esrch,
	    failures, partial, gone);
}

int
main(int argc, char *argv[])
{
	long n;

	if (argc != 3 || (n = atol(argv[2])) < 1)
		errx(2, "usage: race churn CALLS | race exit ROUNDS");
	if (strcmp(argv[1], "churn") == 0)
		race_churn(n);
	else if (strcmp(argv[1], "exit") == 0)
		race_exit(n);
	else
		errx(2, "usage: race churn CALLS | race exit ROUNDS");
	return (failures != 0);
}
