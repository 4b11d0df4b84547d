"""psutil's memory_maps(grouped=False) on a process with 10,000 mappings,
for scale next to `cargo bench --bench linux` (same kind of child: one
anonymous mapping of 10,000 pages with alternating protections, every
fourth page dirtied). Linux only; needs psutil:

    python3 -m venv /tmp/psutil-venv
    /tmp/psutil-venv/bin/pip install psutil
    /tmp/psutil-venv/bin/python benches/psutil_memory_maps.py

Prints the median and fastest of 21 calls after 3 warm-up calls, in ms.
"""

import ctypes
import mmap
import os
import signal
import statistics
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


def main():
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
