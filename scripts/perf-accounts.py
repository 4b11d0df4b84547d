"""Puts each sample of `perf script -F ip,sym,dso` in one account.

Only the samples taken inside criterion's profiled function count (a frame
of `Routine::profile` on the chain). A sample with a kernel frame is the
kernel's, in the account of the system call or fault it serves: the read
of the text (`seq_read`), `stat`, open and close, a page fault, the heap's
`brk` and `mmap`, or the rest of the kernel. A sample with none is user
code, and its leaf function is shown. Reads standard input, prints the
accounts as shares of the function's samples.
"""

import collections
import sys

ROOT = "Routine::profile"

# Each kernel account: the frames that put a sample in it, tried in order.
KERNEL = [
    ("page faults", ("exc_page_fault",)),
    ("kernel: read(2) of the text", ("seq_read", "ksys_read")),
    ("kernel: stat(2)", ("statx", "newstat", "newfstatat")),
    ("kernel: open(2) and close(2)", ("openat", "sys_close", "__fput", "task_work")),
    ("kernel: brk(2), mmap(2), munmap(2)", ("brk", "mmap", "munmap", "mremap")),
]


def accounts(lines):
    total = 0
    kinds = collections.Counter()
    user = collections.Counter()
    for sample in lines.split("\n\n"):
        # Each frame: address, symbol (dso).
        frames = [f.strip().split(None, 1) for f in sample.strip().splitlines()]
        names = [f[1] for f in frames if len(f) == 2]
        if not any(ROOT in n for n in names):
            continue
        total += 1
        kernel = " ".join(n for n in names if "[kernel.kallsyms]" in n)
        if not kernel:
            kinds["user code"] += 1
            user[names[0].rsplit(" (", 1)[0]] += 1
            continue
        for kind, marks in KERNEL:
            if any(m in kernel for m in marks):
                kinds[kind] += 1
                break
        else:
            kinds["kernel: the rest"] += 1
    return total, kinds, user


def main():
    total, kinds, user = accounts(sys.stdin.read())
    if not total:
        sys.exit("perf-accounts.py: no sample under the profiled function")
    print(f"{total} samples of the function profiled")
    for kind, n in kinds.most_common():
        print(f"{100 * n / total:7.2f}%  {kind}")
    print("user code, by leaf function:")
    for name, n in user.most_common(20):
        print(f"{100 * n / total:7.2f}%    {name}")


if __name__ == "__main__":
    main()
