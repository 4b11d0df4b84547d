/*
 * Overlay for <libutil.h>: the system's own <libutil.h>, if it has one,
 * then the declaration of kinfo_getvmmap(3) from <kinfo_vmmap.h>, so that
 * FreeBSD code calling it builds unmodified and links with -lkinfo_vmmap.
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
 * Only FreeBSD (and libbsd's overlay) have a <libutil.h>; when there is
 * one, it comes first and keeps all of its declarations, and FreeBSD's
 * prototype of kinfo_getvmmap() agrees with ours.  Unlike FreeBSD's, this
 * header also defines struct kinfo_vmentry, as <kinfo_vmmap.h> does; code
 * that is to build on FreeBSD as well includes <sys/user.h> for it.  A
 * compiler without __has_include_next is assumed to be on a system that
 * has no <libutil.h>.
 */

#ifndef _KINFO_VMMAP_OVERLAY_LIBUTIL_H_
#define	_KINFO_VMMAP_OVERLAY_LIBUTIL_H_

#if defined(__GNUC__)
#pragma GCC system_header
#endif

#if defined(__has_include_next)
#if __has_include_next(<libutil.h>)
#include_next <libutil.h>
#endif
#endif

#include <kinfo_vmmap.h>

#endif /* !_KINFO_VMMAP_OVERLAY_LIBUTIL_H_ */
