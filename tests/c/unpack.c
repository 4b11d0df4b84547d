/*
 * Drives kinfo_vmmap_unpack(3) from C: the layout the header promises, the
 * decoding of packed records, and every malformed input, each in a buffer
 * of exactly its own size so that valgrind reports any read past its end.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 */

#include <sys/types.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinfo_vmmap.h"

#define	HEAD	offsetof(struct kinfo_vmentry, kve_path)

_Static_assert(sizeof(struct kinfo_vmentry) == 1160, "sizeof");
_Static_assert(KINFO_VMENTRY_SIZE == 1160, "KINFO_VMENTRY_SIZE");
_Static_assert(offsetof(struct kinfo_vmentry, kve_start) == 8, "kve_start");
_Static_assert(offsetof(struct kinfo_vmentry, kve_flags) == 44, "kve_flags");
_Static_assert(offsetof(struct kinfo_vmentry, kve_vn_mode) == 84, "kve_vn_mode");
_Static_assert(offsetof(struct kinfo_vmentry, kve_vn_fsid) == 88, "kve_vn_fsid");
_Static_assert(offsetof(struct kinfo_vmentry, kve_obj) == 88, "kve_obj");
_Static_assert(offsetof(struct kinfo_vmentry, kve_vn_rdev) == 96, "kve_vn_rdev");
_Static_assert(offsetof(struct kinfo_vmentry, kve_path) == 136, "kve_path");

static int passed, failed;

#define	CHECK(cond) do {						\
	if (cond)							\
		passed++;						\
	else {								\
		failed++;						\
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

/* Appends one record packed as the kernel packs it; returns its size. */
static size_t
pack(unsigned char *buf, size_t at, uint64_t start, const char *path)
{
	struct kinfo_vmentry kve;
	size_t size;

	memset(&kve, 0, sizeof(kve));
	size = (HEAD + strlen(path) + 1 + 7) & ~(size_t)7;
	kve.kve_structsize = (int)size;
	kve.kve_type = KVME_TYPE_VNODE;
	kve.kve_start = start;
	kve.kve_end = start + 4096;
	kve.kve_protection = KVME_PROT_READ | KVME_PROT_EXEC;
	kve.kve_vn_fsid = 0x1234;
	strcpy(kve.kve_path, path);
	memcpy(buf + at, &kve, size);
	return (size);
}

/* A heap copy of exactly len bytes of src. */
static unsigned char *
exact(const unsigned char *src, size_t len)
{
	unsigned char *copy;

	copy = malloc(len == 0 ? 1 : len);
	if (copy == NULL)
		abort();
	memcpy(copy, src, len);
	return (copy);
}

static void
put_size(unsigned char *buf, size_t at, int size)
{
	memcpy(buf + at, &size, sizeof(size));
}

/* The call fails with EINVAL, NULL and a zero count. */
static void
expect_einval(const unsigned char *src, size_t len)
{
	struct kinfo_vmentry *kv;
	unsigned char *buf;
	int cnt;

	buf = exact(src, len);
	cnt = 99;
	errno = 0;
	kv = kinfo_vmmap_unpack(buf, len, &cnt);
	CHECK(kv == NULL);
	CHECK(errno == EINVAL);
	CHECK(cnt == 0);
	free(kv);
	free(buf);
}

int
main(void)
{
	static unsigned char packed[8 * 1160];
	struct kinfo_vmentry *kv;
	unsigned char *buf;
	size_t first, len;
	int cnt;

	/* Two valid records, the second with a long path. */
	first = pack(packed, 0, 0x10000, "/lib/libc.so.7");
	len = first + pack(packed, first, 0x20000,
	    "/usr/local/lib/a path with spaces/libfoo.so.1");
	buf = exact(packed, len);
	kv = kinfo_vmmap_unpack(buf, len, &cnt);
	CHECK(kv != NULL);
	CHECK(cnt == 2);
	if (kv != NULL && cnt == 2) {
		CHECK(kv[0].kve_structsize == KINFO_VMENTRY_SIZE);
		CHECK(kv[1].kve_structsize == KINFO_VMENTRY_SIZE);
		CHECK(kv[0].kve_start == 0x10000);
		CHECK(kv[1].kve_end == 0x21000);
		CHECK(kv[1].kve_protection == (KVME_PROT_READ | KVME_PROT_EXEC));
		CHECK(kv[1].kve_vn_fsid == 0x1234);
		CHECK(strcmp(kv[0].kve_path, "/lib/libc.so.7") == 0);
		CHECK(strcmp(kv[1].kve_path,
		    "/usr/local/lib/a path with spaces/libfoo.so.1") == 0);
		CHECK(kv[0].kve_path[sizeof(kv[0].kve_path) - 1] == '\0');
	}
	free(kv);
	free(buf);

	/* Unaligned input decodes the same. */
	memmove(packed + 3, packed, len);
	buf = exact(packed, len + 3);
	kv = kinfo_vmmap_unpack(buf + 3, len, &cnt);
	CHECK(kv != NULL && cnt == 2 && kv[1].kve_start == 0x20000);
	free(kv);
	free(buf);
	memmove(packed, packed + 3, len);

	/* A zero size ends the list; an empty buffer is an empty array. */
	put_size(packed, first, 0);
	buf = exact(packed, len);
	kv = kinfo_vmmap_unpack(buf, len, &cnt);
	CHECK(kv != NULL && cnt == 1);
	free(kv);
	free(buf);
	kv = kinfo_vmmap_unpack(NULL, 0, &cnt);
	CHECK(kv != NULL && cnt == 0);
	free(kv);
	pack(packed, first, 0x20000, "/usr/local/lib/a path with spaces/libfoo.so.1");

	/* Malformed: sizes below the head or above the struct. */
	put_size(packed, first, (int)HEAD - 1);
	expect_einval(packed, len);
	put_size(packed, first, -8);
	expect_einval(packed, len);
	put_size(packed, first, 1168);
	expect_einval(packed, sizeof(packed));
	/* A record that runs past the end, cut at every possible byte. */
	pack(packed, first, 0x20000, "/usr/local/lib/a path with spaces/libfoo.so.1");
	for (size_t cut = first + 4; cut < len; cut++)
		expect_einval(packed, cut);
	/* A trailing fragment too short for kve_structsize. */
	for (size_t tail = 1; tail < 4; tail++)
		expect_einval(packed, len + tail);

	/* Bad arguments. */
	errno = 0;
	CHECK(kinfo_vmmap_unpack(packed, len, NULL) == NULL && errno == EINVAL);
	cnt = 5;
	errno = 0;
	CHECK(kinfo_vmmap_unpack(NULL, 16, &cnt) == NULL && errno == EINVAL &&
	    cnt == 0);
	errno = 0;
	CHECK(kinfo_getvmmap(getpid(), NULL) == NULL && errno == EINVAL);

	printf("%d passed, %d failed\n", passed, failed);
	return (failed == 0 ? 0 : 1);
}
