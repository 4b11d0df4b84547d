/*
 * Overlay for <sys/user.h>: the system's own <sys/user.h>, if it has one,
 * then FreeBSD's struct kinfo_vmentry and its KVME_* and KF_VTYPE_*
 * constants from <kinfo_vmmap.h>, so that FreeBSD code calling
 * kinfo_getvmmap(3) builds unmodified.
 *
 * Use it as libbsd's overlay is used: this directory goes on the include
 * path ahead of the system's, and the directory holding kinfo_vmmap.h goes
 * on it as well.  kinfo_vmmap.h is named with <>, never by a path relative
 * to this file, so the two directories may be installed wherever a package
 * puts them; only the flags change:
 *
 *	source tree:	-isystem include/overlay -I include
 *	installed:	-isystem ${includedir}/kinfo_vmmap/overlay
 *			-I${includedir}/kinfo_vmmap
 *
 * -I may stand in for -isystem: the pragma below makes this a system
 * header either way, so that #include_next, a GNU extension, draws no
 * warning under -pedantic.
 *
 * glibc and musl have a <sys/user.h> (register layouts for debuggers), and
 * FreeBSD's is where kinfo_vmentry really lives: on FreeBSD the system's
 * definitions are used and <kinfo_vmmap.h> adds only the constants an older
 * release or an architecture lacks.  A compiler
 * without __has_include_next is assumed to be on a system that has one.
 */

#ifndef _KINFO_VMMAP_OVERLAY_SYS_USER_H_
#define	_KINFO_VMMAP_OVERLAY_SYS_USER_H_

#if defined(__GNUC__)
#pragma GCC system_header
#endif

#if defined(__has_include_next)
#if __has_include_next(<sys/user.h>)
#include_next <sys/user.h>
#endif
#else
#include_next <sys/user.h>
#endif

#include <kinfo_vmmap.h>

#endif /* !_KINFO_VMMAP_OVERLAY_SYS_USER_H_ */
