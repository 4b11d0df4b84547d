#!/usr/bin/env bash
# Where the time of one function of the Linux bench goes: `perf record` of
# it, and each sample put in one account by its call chain.
#
#   scripts/profile-linux.sh [FILTER] [SECONDS]
#
# FILTER is a criterion filter of benches/linux.rs (default
# 'linux_smaps_100/kinfo_vmmap$'; 'linux_smaps_100/bound$' profiles the
# bound beside it). Criterion's `--profile-time` runs that function alone,
# back to back, for SECONDS (default 10), and skips the rounds.
#
# The bench is built with frame pointers, in a target directory of its
# own, so that perf can walk the library's stack to the function profiled
# and the accounts take only its samples: criterion's setup and the other
# sizes' children are left out. Kernel samples need root or
# kernel.perf_event_paranoid 1 or less. perf is Debian's linux-perf.
set -euo pipefail
cd "$(dirname "$0")/.."

filter=${1:-'linux_smaps_100/kinfo_vmmap$'}
seconds=${2:-10}
if ! command -v perf >/dev/null; then
	echo "profile-linux.sh: perf is missing (Debian: apt-get install linux-perf)" >&2
	exit 1
fi

manifest=crates/kinfo-vmmap/Cargo.toml
export CARGO_TARGET_DIR=crates/kinfo-vmmap/target/frame-pointers
export RUSTFLAGS="-C force-frame-pointers=yes"
cargo bench --quiet --manifest-path "$manifest" --bench linux --no-run
data=$CARGO_TARGET_DIR/perf.data
perf record --quiet -F 4999 -g -o "$data" -- \
	cargo bench --quiet --manifest-path "$manifest" --bench linux -- \
	--profile-time "$seconds" "$filter" >/dev/null
perf script -i "$data" -F ip,sym,dso 2>/dev/null | python3 scripts/perf-accounts.py
