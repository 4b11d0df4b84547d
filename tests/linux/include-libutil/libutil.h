/*
 * A system <libutil.h> for the overlay to pass through: what FreeBSD's
 * declares around kinfo_getvmmap(3), with FreeBSD's own prototype, which
 * must agree with the one <kinfo_vmmap.h> adds after it.
 */

#ifndef _STAND_IN_LIBUTIL_H_
#define	_STAND_IN_LIBUTIL_H_

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define	STAND_IN_SYSTEM_LIBUTIL_H	1

#ifdef __cplusplus
extern "C" {
#endif

int	humanize_number(char *_buf, size_t _len, int64_t _number,
	    const char *_suffix, int _scale, int _flags);
struct kinfo_vmentry *
	kinfo_getvmmap(pid_t _pid, int *_cntp);

#ifdef __cplusplus
}
#endif

#endif /* !_STAND_IN_LIBUTIL_H_ */
