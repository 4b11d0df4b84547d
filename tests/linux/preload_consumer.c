/*
 * A FreeBSD program, unmodified: it finds its own stack, heap and text in
 * the map kinfo_getvmmap(3) returns, and which object the function itself
 * came from.  tests/overlay.rs links it with -lutil against a stand-in
 * libutil whose kinfo_getvmmap() fails with ENOSYS, runs it as is, then
 * again with libkinfo_vmmap.so in LD_PRELOAD.
 *
 * Run with its absolute path as argv[0].  Prints
 *
 *	count N
 *	stack|heap|text|provider start end protection path
 *
 * one line per address looked up, and exits 1 if an address lies in no
 * entry or in one with the wrong protection; 2, after "errno E cnt C" on
 * stderr, if the call fails.
 */

#include <sys/types.h>
#include <sys/user.h>

#include <err.h>
#include <errno.h>
#include <libutil.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int	locate(const struct kinfo_vmentry *, int, const char *,
		    uintptr_t, int, int);

/*
 * Prints the entry that holds addr and checks that its protection has
 * every bit of want and none of refuse.
 */
static int
locate(const struct kinfo_vmentry *vmmap, int cnt, const char *what,
    uintptr_t addr, int want, int refuse)
{
	const struct kinfo_vmentry *kve;
	int i, prot;

	for (i = 0; i < cnt; i++) {
		kve = &vmmap[i];
		if (addr < kve->kve_start || addr >= kve->kve_end)
			continue;
		prot = kve->kve_protection &
		    (KVME_PROT_READ | KVME_PROT_WRITE | KVME_PROT_EXEC);
		printf("%s 0x%jx 0x%jx 0x%x %s\n", what,
		    (uintmax_t)kve->kve_start, (uintmax_t)kve->kve_end,
		    (unsigned)kve->kve_protection, kve->kve_path);
		if ((prot & want) != want || (prot & refuse) != 0) {
			warnx("%s: protection %#x, wanted %#x without %#x",
			    what, prot, want, refuse);
			return (1);
		}
		return (0);
	}
	warnx("%s: %#jx is in no entry", what, (uintmax_t)addr);
	return (1);
}

int
main(int argc, char *argv[])
{
	struct kinfo_vmentry *vmmap;
	char self[PATH_MAX];
	char *heap;
	int cnt, bad, local;

	(void)argc;
	if (realpath(argv[0], self) == NULL)
		err(1, "%s", argv[0]);
	if ((heap = malloc(64)) == NULL)
		err(1, "malloc");
	local = 0;

	cnt = -1;
	if ((vmmap = kinfo_getvmmap(getpid(), &cnt)) == NULL)
		errx(2, "errno %d cnt %d", errno, cnt);
	printf("count %d\n", cnt);
	bad = 0;
	bad |= locate(vmmap, cnt, "stack", (uintptr_t)&local,
	    KVME_PROT_READ | KVME_PROT_WRITE, KVME_PROT_EXEC);
	bad |= locate(vmmap, cnt, "heap", (uintptr_t)heap,
	    KVME_PROT_READ | KVME_PROT_WRITE, KVME_PROT_EXEC);
	bad |= locate(vmmap, cnt, "text", (uintptr_t)main,
	    KVME_PROT_READ | KVME_PROT_EXEC, KVME_PROT_WRITE);
	bad |= locate(vmmap, cnt, "provider", (uintptr_t)kinfo_getvmmap,
	    KVME_PROT_READ | KVME_PROT_EXEC, KVME_PROT_WRITE);
	printf("self %s\n", self);
	free(vmmap);
	free(heap);
	return (bad);
}
