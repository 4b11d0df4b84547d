/*
 * An LD_PRELOAD malloc family that fails on command, for tests/robust.rs.
 *
 * Between robust_alloc_arm(n) and robust_alloc_disarm(), every call the
 * arming thread makes to malloc, calloc, realloc, posix_memalign,
 * aligned_alloc, memalign, valloc or pvalloc is counted, and the n-th
 * fails as an exhausted heap would: NULL (or ENOMEM from posix_memalign),
 * errno ENOMEM, a realloc'd block left as it was.  Other threads, and the
 * arming thread outside that window, are never counted or failed.
 *
 * Every block allocated while armed is tracked until it is freed, armed or
 * not, so that robust_alloc_live() tells what a call left allocated: 0
 * after a failure, the returned array alone after a success.  The failed
 * call's stack is kept (backtrace(3)) for the test to name the site.
 *
 * The real allocator is glibc's, through the __libc_* entry points it
 * exports for this purpose; under valgrind those are memcheck's.
 */

#define	_GNU_SOURCE

#include <sys/types.h>

#include <errno.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	 __libc_free(void *);
extern void	*__libc_memalign(size_t, size_t);

void	robust_alloc_arm(long);
long	robust_alloc_disarm(void);
int	robust_alloc_injected(void);
long	robust_alloc_live(void);
int	robust_alloc_trace(void **, int);

#define	TRACKED		4096		/* slots; a power of two */
#define	TOMBSTONE	((void *)1)
#define	MAXFRAMES	48

#define	THREAD	__thread __attribute__((tls_model("initial-exec")))

static THREAD int armed;
static THREAD int inside;		/* in backtrace(3): not counted */
static long calls, fail_at;
static int injected;
static void *frames[MAXFRAMES];
static int nframes;

static atomic_flag table_lock = ATOMIC_FLAG_INIT;
static void *tracked[TRACKED];
static long live;

static void
lock(void)
{

	while (atomic_flag_test_and_set_explicit(&table_lock,
	    memory_order_acquire))
		;
}

static void
unlock(void)
{

	atomic_flag_clear_explicit(&table_lock, memory_order_release);
}

static size_t
slot_of(const void *p)
{

	return (((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL) &
	    (TRACKED - 1);
}

/* Starts tracking p, a block allocated while armed. */
static void
track(void *p)
{
	size_t i, n;

	if (p == NULL)
		return;
	lock();
	for (i = slot_of(p), n = 0; n < TRACKED; i = (i + 1) & (TRACKED - 1),
	    n++)
		if (tracked[i] == NULL || tracked[i] == TOMBSTONE) {
			tracked[i] = p;
			live++;
			break;
		}
	unlock();
	if (n == TRACKED)
		abort();	/* the table is full: a leak in itself */
}

/* Stops tracking p; whether it was tracked. */
static int
untrack(void *p)
{
	size_t i, n;
	int found;

	if (p == NULL || live == 0)
		return (0);
	found = 0;
	lock();
	for (i = slot_of(p), n = 0; n < TRACKED && tracked[i] != NULL;
	    i = (i + 1) & (TRACKED - 1), n++)
		if (tracked[i] == p) {
			tracked[i] = TOMBSTONE;
			live--;
			found = 1;
			break;
		}
	unlock();
	return (found);
}

/* Counts an allocation of the armed thread; whether it is to fail. */
static int
fails(void)
{

	if (!armed || inside)
		return (0);
	if (++calls != fail_at)
		return (0);
	injected = 1;
	inside = 1;
	nframes = backtrace(frames, MAXFRAMES);
	inside = 0;
	return (1);
}

static int
counted(void)
{

	return (armed && !inside);
}

void *
malloc(size_t size)
{
	void *p;

	if (fails()) {
		errno = ENOMEM;
		return (NULL);
	}
	p = __libc_malloc(size);
	if (counted())
		track(p);
	return (p);
}

void *
calloc(size_t n, size_t size)
{
	void *p;

	if (fails()) {
		errno = ENOMEM;
		return (NULL);
	}
	p = __libc_calloc(n, size);
	if (counted())
		track(p);
	return (p);
}

void *
realloc(void *old, size_t size)
{
	void *p;
	int was;

	if (old == NULL)
		return (malloc(size));
	if (fails()) {
		errno = ENOMEM;
		return (NULL);
	}
	was = untrack(old);
	p = __libc_realloc(old, size);
	if (p == NULL && size != 0) {
		/* Failed for real: old is still allocated. */
		if (was)
			track(old);
	} else if (p != NULL && (was || counted()))
		track(p);
	return (p);
}

void
free(void *p)
{

	untrack(p);
	__libc_free(p);
}

void *
memalign(size_t align, size_t size)
{
	void *p;

	if (fails()) {
		errno = ENOMEM;
		return (NULL);
	}
	p = __libc_memalign(align, size);
	if (counted())
		track(p);
	return (p);
}

void *
aligned_alloc(size_t align, size_t size)
{

	return (memalign(align, size));
}

int
posix_memalign(void **pp, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return (EINVAL);
	if ((p = memalign(align, size)) == NULL)
		return (ENOMEM);
	*pp = p;
	return (0);
}

void *
valloc(size_t size)
{

	return (memalign((size_t)sysconf(_SC_PAGESIZE), size));
}

void *
pvalloc(size_t size)
{
	size_t page;

	page = (size_t)sysconf(_SC_PAGESIZE);
	return (memalign(page, (size + page - 1) / page * page));
}

/* Counts this thread's allocations from now on, failing the n-th (0: none). */
void
robust_alloc_arm(long n)
{

	calls = 0;
	fail_at = n;
	injected = 0;
	nframes = 0;
	armed = 1;
}

/* Stops counting; the allocations counted. */
long
robust_alloc_disarm(void)
{

	armed = 0;
	return (calls);
}

/* Whether an allocation was failed since the last robust_alloc_arm(). */
int
robust_alloc_injected(void)
{

	return (injected);
}

/* Blocks allocated while armed and not yet freed. */
long
robust_alloc_live(void)
{
	long n;

	lock();
	n = live;
	unlock();
	return (n);
}

/* The return addresses of the failed call's stack, innermost first. */
int
robust_alloc_trace(void **out, int max)
{
	int i;

	for (i = 0; i < nframes && i < max; i++)
		out[i] = frames[i];
	return (i);
}

/*
 * backtrace(3) loads libgcc_s, allocating, the first time: do it now,
 * before any allocation can be counted.
 */
__attribute__((constructor)) static void
prime_backtrace(void)
{
	void *frame[1];

	(void)backtrace(frame, 1);
}
