/*
 * Everything a FreeBSD consumer of kinfo_getvmmap(3) names, reached the
 * FreeBSD way: <sys/types.h>, <sys/user.h> and <libutil.h> only.  Built
 * through include/overlay as C and as C++, with gcc and clang, under
 * -Wall -Wextra -Werror -pedantic; also against FreeBSD's own headers,
 * where the overlay must add nothing and conflict with nothing.
 *
 * Compile-time checks carry the weight: the values and offsets are
 * FreeBSD's (sys/user.h), and the prototype must have FreeBSD's type.
 * At run time the program only proves that -lkinfo_vmmap resolves the
 * call.
 *
 * -DEXPECT_SYSTEM_LIBUTIL_H: a system <libutil.h> is on the include path
 * and the overlay must have passed it through.
 */

#include <sys/types.h>
#include <sys/user.h>

#include <libutil.h>
#include <stddef.h>

#ifdef __cplusplus
#define	CHECK(e)	static_assert(e, #e)
#else
#define	CHECK(e)	_Static_assert(e, #e)
#endif

#if defined(__GLIBC__) && !defined(_SYS_USER_H)
#error "the overlay did not pass glibc's <sys/user.h> through"
#endif
#if defined(__FreeBSD__) && !defined(_SYS_USER_H_)
#error "the overlay did not pass FreeBSD's <sys/user.h> through"
#endif
#if defined(__FreeBSD__) && !defined(_LIBUTIL_H_)
#error "the overlay did not pass FreeBSD's <libutil.h> through"
#endif
#if defined(EXPECT_SYSTEM_LIBUTIL_H) && !defined(STAND_IN_SYSTEM_LIBUTIL_H)
#error "the overlay did not pass the system's <libutil.h> through"
#endif
#if defined(EXPECT_SYSTEM_LIBUTIL_H)
/* Declared only by the system's <libutil.h>. */
static int (*const humanize)(char *, size_t, int64_t, const char *, int,
    int) = humanize_number;
#endif

CHECK(sizeof(struct kinfo_vmentry) == 1160);
CHECK(KINFO_VMENTRY_SIZE == 1160);
CHECK(offsetof(struct kinfo_vmentry, kve_structsize) == 0);
CHECK(offsetof(struct kinfo_vmentry, kve_type) == 4);
CHECK(offsetof(struct kinfo_vmentry, kve_start) == 8);
CHECK(offsetof(struct kinfo_vmentry, kve_end) == 16);
CHECK(offsetof(struct kinfo_vmentry, kve_offset) == 24);
CHECK(offsetof(struct kinfo_vmentry, kve_vn_fileid) == 32);
CHECK(offsetof(struct kinfo_vmentry, kve_flags) == 44);
CHECK(offsetof(struct kinfo_vmentry, kve_resident) == 48);
CHECK(offsetof(struct kinfo_vmentry, kve_private_resident) == 52);
CHECK(offsetof(struct kinfo_vmentry, kve_protection) == 56);
CHECK(offsetof(struct kinfo_vmentry, kve_ref_count) == 60);
CHECK(offsetof(struct kinfo_vmentry, kve_shadow_count) == 64);
CHECK(offsetof(struct kinfo_vmentry, kve_vn_type) == 68);
CHECK(offsetof(struct kinfo_vmentry, kve_vn_size) == 72);
CHECK(offsetof(struct kinfo_vmentry, kve_vn_mode) == 84);
CHECK(offsetof(struct kinfo_vmentry, kve_status) == 86);
CHECK(offsetof(struct kinfo_vmentry, kve_vn_fsid) == 88);
CHECK(offsetof(struct kinfo_vmentry, kve_obj) == 88);
CHECK(offsetof(struct kinfo_vmentry, kve_vn_rdev) == 96);
CHECK(offsetof(struct kinfo_vmentry, kve_path) == 136);
CHECK(sizeof(((struct kinfo_vmentry *)0)->kve_path) == 1024);

CHECK(KVME_TYPE_NONE == 0);
CHECK(KVME_TYPE_DEFAULT == 1);
CHECK(KVME_TYPE_VNODE == 2);
CHECK(KVME_TYPE_SWAP == 3);
CHECK(KVME_TYPE_DEVICE == 4);
CHECK(KVME_TYPE_PHYS == 5);
CHECK(KVME_TYPE_DEAD == 6);
CHECK(KVME_TYPE_SG == 7);
CHECK(KVME_TYPE_MGTDEVICE == 8);
CHECK(KVME_TYPE_GUARD == 9);
CHECK(KVME_TYPE_UNKNOWN == 255);
CHECK(KVME_PROT_READ == 0x1);
CHECK(KVME_PROT_WRITE == 0x2);
CHECK(KVME_PROT_EXEC == 0x4);
CHECK(KVME_MAX_PROT_READ == 0x10000);
CHECK(KVME_MAX_PROT_WRITE == 0x20000);
CHECK(KVME_MAX_PROT_EXEC == 0x40000);
CHECK(KVME_FLAG_COW == 0x1);
CHECK(KVME_FLAG_NEEDS_COPY == 0x2);
CHECK(KVME_FLAG_NOCOREDUMP == 0x4);
CHECK(KVME_FLAG_SUPER == 0x8);
CHECK(KVME_FLAG_GROWS_UP == 0x10);
CHECK(KVME_FLAG_GROWS_DOWN == 0x20);
CHECK(KVME_FLAG_USER_WIRED == 0x40);
CHECK(KVME_FLAG_SYSVSHM == 0x80);
CHECK(KVME_FLAG_POSIXSHM == 0x100);
CHECK(KF_ATTR_VALID == 0x1);

/*
 * FreeBSD's prototype, exactly: initialising this pointer from any other
 * type is an error in C++ and an -Werror'd warning in C.  volatile keeps
 * the compiler from folding the test in main() away.
 */
static struct kinfo_vmentry *(*volatile getvmmap)(pid_t, int *) =
    kinfo_getvmmap;

int
main(void)
{
#if defined(EXPECT_SYSTEM_LIBUTIL_H)
	(void)humanize;
#endif
	return (getvmmap == NULL);
}
