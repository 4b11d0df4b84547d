/*
 * A FreeBSD program that reads its own memory map the way libutil's users
 * do, built against the system's <sys/user.h> and <libutil.h> and linked
 * against libkinfo_vmmap instead of libutil.
 *
 * Including kinfo_vmmap.h after <libutil.h> makes the compiler compare the
 * two declarations of kinfo_getvmmap(): any difference in the prototype is
 * a "conflicting types" error, so this file checks the header as well.
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

#include "kinfo_vmmap.h"

int
main(void)
{
	struct kinfo_vmentry *kve, *vmmap, *copy;
	int cnt, copycnt, i;

	vmmap = kinfo_getvmmap(getpid(), &cnt);
	if (vmmap == NULL)
		err(1, "kinfo_getvmmap");
	for (i = 0; i < cnt; i++) {
		kve = &vmmap[i];
		printf("%#jx-%#jx %c%c%c fsid %ju %s\n",
		    (uintmax_t)kve->kve_start, (uintmax_t)kve->kve_end,
		    kve->kve_protection & KVME_PROT_READ ? 'r' : '-',
		    kve->kve_protection & KVME_PROT_WRITE ? 'w' : '-',
		    kve->kve_protection & KVME_PROT_EXEC ? 'x' : '-',
		    (uintmax_t)kve->kve_vn_fsid, kve->kve_path);
	}

	/*
	 * Every returned record is a valid packed record of full size, so the
	 * array must unpack to itself.
	 */
	copy = kinfo_vmmap_unpack(vmmap, (size_t)cnt * sizeof(*vmmap),
	    &copycnt);
	if (copy == NULL)
		err(1, "kinfo_vmmap_unpack");
	if (copycnt != cnt ||
	    memcmp(copy, vmmap, (size_t)cnt * sizeof(*vmmap)) != 0)
		errx(1, "kinfo_vmmap_unpack: the array did not round-trip");

	free(copy);
	free(vmmap);
	return (0);
}
