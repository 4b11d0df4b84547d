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
