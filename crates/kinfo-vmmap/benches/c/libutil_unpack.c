/*
 * The references of benches/decode.rs, built by that benchmark with
 * `cc -O2 -shared` (FreeBSD builds libutil -O2) and loaded with dlopen(3).
 *
 * libutil_unpack() is the second half of libutil's kinfo_getvmmap(3)
 * (lib/libutil/kinfo_getvmmap.c), from the point where the kernel's buffer
 * is in: count the packed records, calloc(3) the array, memcpy(3) each
 * record into its slot and fix its size. No record is checked.
 *
 * bound_unpack() is what no decoder can avoid: an array of the output's
 * size from malloc(3), zeroed, and the input's bytes copied into it: a
 * memset(3) and a memcpy(3) of the same sizes, and nothing else.
 */

#include <stdlib.h>
#include <string.h>

#include "kinfo_vmmap.h"

struct kinfo_vmentry *
libutil_unpack(char *buf, size_t len, int *cntp)
{
	struct kinfo_vmentry *kiv, *kp, *kv;
	char *bp, *eb;
	int cnt;

	*cntp = 0;
	/* Pass 1: count items */
	cnt = 0;
	bp = buf;
	eb = buf + len;
	while (bp < eb) {
		kv = (struct kinfo_vmentry *)(uintptr_t)bp;
		if (kv->kve_structsize == 0)
			break;
		bp += kv->kve_structsize;
		cnt++;
	}

	kiv = calloc(cnt, sizeof(*kiv));
	if (kiv == NULL)
		return (NULL);
	bp = buf;
	eb = buf + len;
	kp = kiv;
	/* Pass 2: unpack */
	while (bp < eb) {
		kv = (struct kinfo_vmentry *)(uintptr_t)bp;
		if (kv->kve_structsize == 0)
			break;
		/* Copy/expand into pre-zeroed buffer */
		memcpy(kp, kv, kv->kve_structsize);
		/* Advance to next packed record */
		bp += kv->kve_structsize;
		/* Set field size to fixed length, advance */
		kp->kve_structsize = sizeof(*kp);
		kp++;
	}
	*cntp = cnt;
	return (kiv);
}

/*
 * Called through a pointer the compiler cannot see through, or it would
 * fuse malloc(3) and memset(3) into calloc(3) and leave most pages of a
 * fresh block untouched; a decoder writes every entry, so every page.
 */
static void *(*volatile memset_fn)(void *, int, size_t) = memset;

struct kinfo_vmentry *
bound_unpack(char *buf, size_t len, int cnt)
{
	struct kinfo_vmentry *out;

	out = malloc((size_t)cnt * sizeof(*out));
	if (out == NULL)
		return (NULL);
	memset_fn(out, 0, (size_t)cnt * sizeof(*out));
	memcpy(out, buf, len);
	return (out);
}
