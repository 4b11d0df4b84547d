/*
 * A process for the consumer to look at: it builds a memory map, stops
 * itself with SIGSTOP, and stays stopped while tests/overlay.rs runs the
 * consumer against it and reads its /proc/PID/smaps, so that both see the
 * same map.  It is linked statically: with no shared libraries, no page it
 * maps is shared with another process, and its resident counts cannot move
 * while it is stopped.
 *
 *	vmmap_helper -n pages	that many one-page entries, alternately
 *				PROT_READ|PROT_WRITE and PROT_READ so that
 *				none can merge, between two PROT_NONE guard
 *				pages that keep the first and last from
 *				merging with their neighbours; every third
 *				page written, some others only read (the
 *				zero page, which smaps does not count as
 *				resident); the first page is also wired
 *				(mlock) and the fourth left out of core
 *				dumps (MADV_DONTDUMP)
 *	vmmap_helper -f file	the file mapped twice: shared read-only with
 *				two pages read, and private read-write with
 *				one page written (a private copy) and one
 *				read that the shared mapping also holds
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void	map_file(const char *, size_t);
static void	map_pages(long, size_t);
static void	usage(void);

static volatile char sink;

static void
usage(void)
{

	fprintf(stderr, "usage: vmmap_helper -n pages | -f file\n");
	exit(2);
}

static void
map_pages(long npages, size_t pgsz)
{
	char *base;
	long i;

	base = mmap(NULL, (size_t)(npages + 2) * pgsz, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANON, -1, 0);
	if (base == MAP_FAILED)
		err(1, "mmap");
	if (mprotect(base, pgsz, PROT_NONE) != 0 ||
	    mprotect(base + (npages + 1) * pgsz, pgsz, PROT_NONE) != 0)
		err(1, "mprotect guard");
	base += pgsz;
	for (i = 0; i < npages; i += 3)
		base[i * pgsz] = 1;
	for (i = 1; i < npages; i += 2)
		if (mprotect(base + i * pgsz, pgsz, PROT_READ) != 0)
			err(1, "mprotect page %ld", i);
	for (i = 1; i < npages; i += 5)
		if (i % 3 != 0)
			sink = base[i * pgsz];
	if (mlock(base, pgsz) != 0)
		err(1, "mlock");
	if (npages > 3 && madvise(base + 3 * pgsz, pgsz, MADV_DONTDUMP) != 0)
		err(1, "madvise");
}

static void
map_file(const char *path, size_t pgsz)
{
	struct stat sb;
	char *shared, *priv;
	int fd;

	if ((fd = open(path, O_RDWR)) == -1)
		err(1, "%s", path);
	if (fstat(fd, &sb) != 0)
		err(1, "%s", path);
	if ((size_t)sb.st_size < 4 * pgsz)
		errx(1, "%s: fewer than 4 pages", path);
	shared = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (shared == MAP_FAILED)
		err(1, "mmap %s shared", path);
	priv = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE, fd, 0);
	if (priv == MAP_FAILED)
		err(1, "mmap %s private", path);
	close(fd);
	sink = shared[0];
	sink = shared[2 * pgsz];
	priv[pgsz] = 1;
	sink = priv[2 * pgsz];
}

int
main(int argc, char *argv[])
{
	char *end;
	long npages, pgsz;
	int ch;

	if ((pgsz = sysconf(_SC_PAGESIZE)) == -1)
		err(1, "sysconf");
	npages = 0;
	while ((ch = getopt(argc, argv, "f:n:")) != -1) {
		switch (ch) {
		case 'f':
			map_file(optarg, (size_t)pgsz);
			break;
		case 'n':
			npages = strtol(optarg, &end, 10);
			if (*end != '\0' || npages <= 0 || npages > 1000000)
				errx(2, "bad page count: %s", optarg);
			map_pages(npages, (size_t)pgsz);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || argc == 1)
		usage();
	if (raise(SIGSTOP) != 0)
		err(1, "raise");
	return (0);
}
