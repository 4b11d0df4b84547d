//! Every process on the machine, read the way `top` or `procstat -a -v`
//! would: each pid under `/proc`, one map after another.
//!
//! ```text
//! cargo bench --bench system
//! ```
//!
//! Four ways, each with resident counts (`smaps`) and without (`maps`):
//! this library (`kinfo_vmmap::vmmap_with`) and the `procfs` crate
//! (`Process::smaps()` / `Process::maps()`). psutil's `memory_maps()` over
//! every pid is `benches/psutil_memory_maps.py --all`.
//!
//! Each way runs one warm-up sweep and then `ROUNDS` sweeps, each listing
//! `/proc` afresh, in turn with the others so that the machine's load
//! falls on all alike; the table gives the median sweep, the time per
//! process read, and the largest peak heap of any one call (counted by
//! `benches/heap/mod.rs`). Processes come and go, and some may not be
//! readable: a pid that is gone (ESRCH, ENOENT) or refused (EPERM, EACCES)
//! is counted as skipped, not failed; kernel threads have empty maps.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod common;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod heap;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn main() {
    system::main();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    eprintln!("/proc and glibc's __libc_* functions are Linux's: nothing to measure here");
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod system {
    use std::time::Instant;

    use kinfo_vmmap::{Error, Options};
    use procfs::ProcError;

    use crate::heap::peak_of;

    const ROUNDS: usize = 9;

    /// What became of one read.
    enum Outcome {
        Read(usize),
        Skipped,
        Failed(String),
    }

    /// One sweep's tally.
    #[derive(Default)]
    struct Sweep {
        seconds: f64,
        read: usize,
        skipped: usize,
        failed: usize,
        entries: usize,
        peak: usize,
    }

    struct Way {
        name: &'static str,
        read: fn(i32) -> Outcome,
        sweeps: Vec<Sweep>,
    }

    fn library(pid: i32, counts: bool) -> Outcome {
        match kinfo_vmmap::vmmap_with(pid, &Options::new().resident_counts(counts)) {
            Ok(map) => Outcome::Read(map.len()),
            Err(Error::NoSuchProcess | Error::PermissionDenied) => Outcome::Skipped,
            Err(e) => Outcome::Failed(format!("{e}")),
        }
    }

    fn procfs_crate(pid: i32, counts: bool) -> Outcome {
        let got = procfs::process::Process::new(pid).and_then(|p| {
            if counts {
                p.smaps().map(|m| m.len())
            } else {
                p.maps().map(|m| m.len())
            }
        });
        match got {
            Ok(n) => Outcome::Read(n),
            Err(ProcError::NotFound(_) | ProcError::PermissionDenied(_)) => Outcome::Skipped,
            Err(ProcError::Io(e, _))
                if matches!(e.raw_os_error(), Some(libc::ESRCH | libc::EPERM)) =>
            {
                Outcome::Skipped
            }
            Err(e) => Outcome::Failed(format!("{e}")),
        }
    }

    /// Every pid under `/proc` now, in its order.
    fn pids() -> Vec<i32> {
        std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect()
    }

    fn sweep(read: fn(i32) -> Outcome) -> Sweep {
        let pids = pids();
        let mut tally = Sweep::default();
        let start = Instant::now();
        for pid in pids {
            let (peak, outcome) = peak_of(|| read(pid));
            tally.peak = tally.peak.max(peak);
            match outcome {
                Outcome::Read(n) => {
                    tally.read += 1;
                    tally.entries += n;
                }
                Outcome::Skipped => tally.skipped += 1,
                Outcome::Failed(why) => {
                    eprintln!("pid {pid}: {why}");
                    tally.failed += 1;
                }
            }
        }
        tally.seconds = start.elapsed().as_secs_f64();
        tally
    }

    pub fn main() {
        println!(
            "every process on the machine; {}\n",
            crate::common::machine()
        );
        let mut ways = [
            Way {
                name: "kinfo_vmmap, with counts (smaps)",
                read: |pid| library(pid, true),
                sweeps: Vec::new(),
            },
            Way {
                name: "kinfo_vmmap, counts skipped (maps)",
                read: |pid| library(pid, false),
                sweeps: Vec::new(),
            },
            Way {
                name: "procfs crate, Process::smaps()",
                read: |pid| procfs_crate(pid, true),
                sweeps: Vec::new(),
            },
            Way {
                name: "procfs crate, Process::maps()",
                read: |pid| procfs_crate(pid, false),
                sweeps: Vec::new(),
            },
        ];
        for way in &ways {
            sweep(way.read);
        }
        for _ in 0..ROUNDS {
            for way in &mut ways {
                let tally = sweep(way.read);
                way.sweeps.push(tally);
            }
        }
        println!(
            "{:<36} {:>6} {:>6} {:>6} {:>8} {:>10} {:>12} {:>12}",
            "way", "read", "skip", "fail", "entries", "median ms", "us/process", "peak heap B"
        );
        for way in &mut ways {
            way.sweeps.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
            let (lo, hi) = (&way.sweeps[0], &way.sweeps[ROUNDS - 1]);
            let median = &way.sweeps[ROUNDS / 2];
            let peak = way.sweeps.iter().map(|s| s.peak).max().unwrap_or(0);
            println!(
                "{:<36} {:>6} {:>6} {:>6} {:>8} {:>10.2} {:>12.1} {:>12}   (sweeps {:.2}-{:.2} ms)",
                way.name,
                median.read,
                median.skipped,
                median.failed,
                median.entries,
                median.seconds * 1e3,
                median.seconds * 1e6 / median.read.max(1) as f64,
                peak,
                lo.seconds * 1e3,
                hi.seconds * 1e3,
            );
        }
    }
}
