/*
 * A FreeBSD program that reads its own memory map, built against the
 * installed library with nothing but
 *
 *	cc vmmap.c $(pkg-config --cflags --libs kinfo-vmmap-overlay)
 *
 * (tests/install.rs).  It names only FreeBSD's headers and calls; on
 * Linux the overlay supplies them.  One line per entry, the path last:
 *
 *	start end protection path
 *
 * start and end in hex with 0x, protection as procstat -v prints it.  An
 * entry that breaks the manual's promises (record size, NUL-terminated
 * path, ascending ranges) exits 1.
 */

#include <sys/types.h>
#include <sys/user.h>

#include <err.h>
#include <libutil.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	struct kinfo_vmentry *kve, *vmmap;
	int cnt, i;

	if ((vmmap = kinfo_getvmmap(getpid(), &cnt)) == NULL)
		err(1, "kinfo_getvmmap");
	if (cnt == 0)
		errx(1, "kinfo_getvmmap: no entries");
	for (i = 0; i < cnt; i++) {
		kve = &vmmap[i];
		if (kve->kve_structsize != KINFO_VMENTRY_SIZE)
			errx(1, "entry %d: kve_structsize %d", i,
			    kve->kve_structsize);
		if (memchr(kve->kve_path, '\0', sizeof(kve->kve_path)) ==
		    NULL)
			errx(1, "entry %d: kve_path is not terminated", i);
		if (kve->kve_start >= kve->kve_end ||
		    (i > 0 && kve->kve_start < vmmap[i - 1].kve_end))
			errx(1, "entry %d: %#jx-%#jx is out of order", i,
			    (uintmax_t)kve->kve_start,
			    (uintmax_t)kve->kve_end);
		printf("%#jx %#jx %c%c%c %s\n", (uintmax_t)kve->kve_start,
		    (uintmax_t)kve->kve_end,
		    kve->kve_protection & KVME_PROT_READ ? 'r' : '-',
		    kve->kve_protection & KVME_PROT_WRITE ? 'w' : '-',
		    kve->kve_protection & KVME_PROT_EXEC ? 'x' : '-',
		    kve->kve_path);
	}
	free(vmmap);
	return (0);
}
