//! Shared by the benchmarks: criterion set up the same way everywhere, the
//! summary each prints (medians and their ratio to the reference), the
//! machine it ran on, and on Linux the child process with thousands of
//! mappings.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;

/// Where criterion keeps its results: `target/criterion`, found from the
/// scratch directory cargo gives benchmarks, so that the summary can read
/// them back whatever the working directory.
pub fn criterion_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().map_or(tmp.clone(), |t| t.join("criterion"))
}

/// Criterion with the command line's options, writing to `criterion_dir`.
pub fn criterion() -> Criterion {
    Criterion::default()
        .output_directory(&criterion_dir())
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args()
}

/// The median time of a benchmark criterion has just measured, in
/// seconds, from its `estimates.json`; `None` when it did not run (a
/// filter on the command line left it out).
pub fn median(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? * 1e-9)
}

/// Prints each benchmark of `group`'s median and its ratio to the median
/// of `reference`, under a title, as a table.
pub fn summary(title: &str, group: &str, reference: &str, rows: &[(&str, &str)]) {
    let Some(base) = median(group, reference) else {
        return;
    };
    println!("\n{title}");
    println!("{:<58} {:>10} {:>8}", "", "median ms", "ratio");
    for &(id, label) in rows {
        if let Some(t) = median(group, id) {
            println!("{label:<58} {:>10.3} {:>7.2}x", t * 1e3, t / base);
        }
    }
}

/// The CPU model and kernel release, for the record.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|r| r.trim().to_owned())
        .unwrap_or_else(|_| std::env::consts::OS.to_owned());
    format!("{cpu}, {cpus} CPUs, {} {kernel}", std::env::consts::OS)
}

/// A forked child that maps `count` pages with alternating protections,
/// so that each is a VMA of its own, dirties every fourth, and waits to be
/// killed.
#[cfg(target_os = "linux")]
pub struct MappedChild {
    pub pid: i32,
}

#[cfg(target_os = "linux")]
impl MappedChild {
    pub fn spawn(count: usize) -> Self {
        // SAFETY: `sysconf` has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child only makes system calls and never returns.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            // SAFETY: raw system calls on memory the child maps itself.
            unsafe {
                let prot = libc::PROT_READ | libc::PROT_WRITE;
                let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
                let base = libc::mmap(core::ptr::null_mut(), count * page, prot, flags, -1, 0);
                let mut ok = base != libc::MAP_FAILED;
                for i in (1..count).step_by(2) {
                    let addr = base.cast::<u8>().add(i * page);
                    ok = ok && libc::mprotect(addr.cast(), page, libc::PROT_READ) == 0;
                }
                for i in (0..count).step_by(4) {
                    if ok {
                        base.cast::<u8>().add(i * page).write_volatile(1);
                    }
                }
                let status = u8::from(ok);
                libc::write(fds[1], (&raw const status).cast(), 1);
                loop {
                    libc::pause();
                }
            }
        }
        let child = Self { pid };
        let mut status = 0u8;
        // SAFETY: the descriptors are ours; `status` has room for a byte.
        unsafe {
            libc::close(fds[1]);
            libc::read(fds[0], (&raw mut status).cast(), 1);
            libc::close(fds[0]);
        }
        assert_eq!(status, 1, "the child could not map its pages");
        child
    }
}

#[cfg(target_os = "linux")]
impl Drop for MappedChild {
    fn drop(&mut self) {
        // SAFETY: the child is ours to kill and reap.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, core::ptr::null_mut(), 0);
        }
    }
}
