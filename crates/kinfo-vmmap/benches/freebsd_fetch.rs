//! What FreeBSD's kernel pays for the library's reads and for libutil's:
//! walks of the map, reads that take the system-wide `sysctlmemlock`, and
//! bytes copied out, counted by the kernel double
//! (`src/internals/kernel_double.rs`), which walks the whole map on every
//! `KERN_PROC_VMMAP` call, a size probe included, as `sys/kern/kern_proc.c`
//! does, and counts a read into a buffer over 4 pages as locked, as
//! `userland_sysctl` in `kern_sysctl.c` takes the lock. It runs on any OS:
//!
//! ```text
//! cargo bench --bench freebsd_fetch
//! ```
//!
//! Two measures, each against libutil's algorithm run on the same double
//! (probe for the size, allocate it plus a third, read):
//!
//! - one process, maps of 20, 100, 1,000 and 10,000 entries, first call and
//!   every later one;
//! - a scan like procstat -a's: 200 pids whose maps have 20 to 20,000
//!   entries (log-uniform, fixed seed), read in a new random order on each
//!   of 5 rounds, per pid.
//!
//! These are counts, not times: the double's own speed says nothing of the
//! kernel's.

use kinfo_vmmap::__internals::bench::{Kernel, Seeded, SizeHints, fetch_packed, pack, typical_map};

const SIZES: [usize; 4] = [20, 100, 1_000, 10_000];
const SCAN_PIDS: usize = 200;
const SCAN_ROUNDS: usize = 5;

/// libutil's `kinfo_getvmmap(3)` up to the unpacking: a probe, a buffer of
/// the size found plus a third, a read. Fails with the errno, as it does,
/// when the map outgrew the slack in between.
fn libutil_fetch(kernel: &mut Kernel, pid: i32) -> Result<Vec<u8>, i32> {
    let len = kernel.sysctl(pid, None)?;
    let len = len * 4 / 3;
    let mut buf: Vec<u8> = Vec::with_capacity(len);
    let got = kernel.sysctl(pid, Some(&mut buf.spare_capacity_mut()[..len]))?;
    // SAFETY: the kernel initialised the first `got <= len` bytes.
    unsafe { buf.set_len(got.min(len)) };
    Ok(buf)
}

#[derive(Default)]
struct Cost {
    walks: usize,
    probes: usize,
    locked: usize,
    bytes_copied: usize,
}

impl Cost {
    fn of(kernel: &Kernel) -> Self {
        Cost {
            walks: kernel.walks(),
            probes: kernel.probes(),
            locked: kernel.locked_reads(),
            bytes_copied: kernel.bytes_copied(),
        }
    }
}

fn packed(entries: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for e in &typical_map(entries) {
        pack(e, &mut out);
    }
    out
}

fn one_process() {
    println!("one process: kernel walks, locked reads and bytes copied per call\n");
    println!(
        "{:>8} {:>10}  {:<32} {:>5} {:>6} {:>6} {:>12} {:>10}",
        "entries", "packed B", "caller", "walks", "probes", "locked", "bytes copied", "buffer B"
    );
    for entries in SIZES {
        let mut kernel = Kernel::new(typical_map(entries));
        let packed_len = packed(entries).len();
        let hints = SizeHints::new();
        let call = |kernel: &mut Kernel, library: bool| {
            kernel.reset_counts();
            let got = if library {
                fetch_packed(kernel, Kernel::PID, &hints).expect("a static map")
            } else {
                libutil_fetch(kernel, Kernel::PID).expect("a static map")
            };
            assert_eq!(got.len(), packed_len, "the whole map is read");
            (Cost::of(kernel), got.capacity())
        };
        let libutil = call(&mut kernel, false);
        let first = call(&mut kernel, true);
        let later = call(&mut kernel, true);
        for (who, (c, buffer)) in [
            ("libutil (probe, then read)", &libutil),
            ("kinfo_vmmap, first call", &first),
            ("kinfo_vmmap, every later call", &later),
        ] {
            println!(
                "{entries:>8} {packed_len:>10}  {who:<32} {:>5} {:>6} {:>6} {:>12} {buffer:>10}",
                c.walks, c.probes, c.locked, c.bytes_copied
            );
        }
    }
}

fn scan() {
    let mut rng = Seeded(0x5CA_2000);
    let mut kernel = Kernel::new(Vec::new());
    let mut pids = Vec::new();
    let (mut total, mut large) = (0, 0);
    while pids.len() < SCAN_PIDS {
        let pid = 2 + (rng.next_u64() % 99_998) as i32;
        if pid == Kernel::PID || pids.contains(&pid) {
            continue;
        }
        // Log-uniform from 20 to 20,000 entries.
        let entries = (20.0 * 1000f64.powf(rng.unit())).round() as usize;
        let packed = packed(entries);
        total += packed.len();
        large += usize::from(packed.len() > 4 * 4096);
        kernel.add_process(pid, packed);
        pids.push(pid);
    }
    println!(
        "\nscan: {SCAN_PIDS} pids, 20 to 20,000 entries, {large} over 16 KiB, \
         {} packed bytes in all; {SCAN_ROUNDS} rounds, each in a new order; per pid\n",
        total
    );
    println!(
        "{:<32} {:>6} {:>7} {:>7} {:>7} {:>13}",
        "caller", "round", "walks", "probes", "locked", "bytes copied"
    );
    let hints = SizeHints::new();
    let per_pid = |n: usize| n as f64 / SCAN_PIDS as f64;
    for round in 1..=SCAN_ROUNDS {
        rng.shuffle(&mut pids);
        for library in [false, true] {
            kernel.reset_counts();
            for &pid in &pids {
                let got = if library {
                    fetch_packed(&mut kernel, pid, &hints).expect("a static map")
                } else {
                    libutil_fetch(&mut kernel, pid).expect("a static map")
                };
                assert!(!got.is_empty());
            }
            let c = Cost::of(&kernel);
            let who = if library {
                "kinfo_vmmap"
            } else {
                "libutil (probe, then read)"
            };
            println!(
                "{who:<32} {round:>6} {:>7.2} {:>7.2} {:>7.2} {:>13.0}",
                per_pid(c.walks),
                per_pid(c.probes),
                per_pid(c.locked),
                per_pid(c.bytes_copied)
            );
        }
    }
}

fn main() {
    one_process();
    scan();
}
