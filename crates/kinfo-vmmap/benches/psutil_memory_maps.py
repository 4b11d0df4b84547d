"""psutil's memory_maps(grouped=False) on a process with 10,000 mappings,
for scale next to `cargo bench --bench linux` (same kind of child: one
anonymous mapping of 10,000 pages with alternating protections, every
fourth page dirtied); with --all, on every process on the machine, for
scale next to `cargo bench --bench system`. Linux only; needs psutil,
which scripts/setup.sh installs into the repository's .venv:

    .venv/bin/python crates/kinfo-vmmap/benches/psutil_memory_maps.py
    .venv/bin/python crates/kinfo-vmmap/benches/psutil_memory_maps.py --all

Prints the median and fastest of 21 calls after 3 warm-up calls, in ms;
with --all, of 9 sweeps after one, with the time per process read, and
the processes skipped because they were gone or refused.
"""

import ctypes
import mmap
import os
import signal
import statistics
import sys
import time

import psutil

MAPPINGS = 10_000
ROUNDS = 21
WARMUP = 3


def spawn_child():
    """Forks a child holding MAPPINGS VMAs; returns its pid once ready."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        page = mmap.PAGESIZE
        area = mmap.mmap(-1, MAPPINGS * page, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        base = ctypes.addressof(ctypes.c_char.from_buffer(area))
        ok = True
        for i in range(0, MAPPINGS, 4):
            area[i * page] = 1
        for i in range(1, MAPPINGS, 2):
            ok = ok and libc.mprotect(base + i * page, page, mmap.PROT_READ) == 0
        os.write(ready_w, b"\x01" if ok else b"\x00")
        while True:
            signal.pause()
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"\x01", "the child could not map its pages"
    return pid


def sweep():
    """memory_maps() of every pid: (seconds, read, skipped)."""
    read = skipped = 0
    start = time.perf_counter()
    for pid in psutil.pids():
        try:
            psutil.Process(pid).memory_maps(grouped=False)
            read += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            skipped += 1
    return time.perf_counter() - start, read, skipped


def main_all():
    sweep()
    sweeps = sorted(sweep() for _ in range(9))
    seconds, read, skipped = sweeps[len(sweeps) // 2]
    print(
        f"psutil {psutil.__version__} memory_maps(grouped=False), every process: "
        f"median {seconds * 1e3:.1f} ms ({sweeps[0][0] * 1e3:.1f}-{sweeps[-1][0] * 1e3:.1f}), "
        f"{read} read, {skipped} skipped, {seconds * 1e6 / max(read, 1):.0f} us/process"
    )


def main():
    if "--all" in sys.argv[1:]:
        main_all()
        return
    pid = spawn_child()
    try:
        proc = psutil.Process(pid)
        count = len(proc.memory_maps(grouped=False))
        for _ in range(WARMUP):
            proc.memory_maps(grouped=False)
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            proc.memory_maps(grouped=False)
            times.append(time.perf_counter() - start)
        print(
            f"psutil {psutil.__version__} memory_maps(grouped=False), {count} maps: "
            f"median {statistics.median(times) * 1e3:.1f} ms, "
            f"fastest {min(times) * 1e3:.1f} ms"
        )
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
