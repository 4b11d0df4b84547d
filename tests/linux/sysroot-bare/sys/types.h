/*
 * The whole of a system with no <sys/user.h> and no <libutil.h>, as far as
 * the overlay can tell: tests/overlay.rs compiles overlay_api.c with
 * -nostdinc against this directory and the compiler's own headers.
 */

#ifndef _STAND_IN_SYS_TYPES_H_
#define	_STAND_IN_SYS_TYPES_H_

typedef int	pid_t;

#endif /* !_STAND_IN_SYS_TYPES_H_ */
