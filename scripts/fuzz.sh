#!/usr/bin/env bash
# Runs the fuzz targets of the kinfo-vmmap crate, crates/kinfo-vmmap/fuzz/
# (cargo-fuzz and libFuzzer, on nightly; scripts/setup.sh installs both).
# Each target runs the checks of crates/kinfo-vmmap/src/internals/fuzz.rs: the results against an obvious reference, and every promise
# of the call (entries, errno, count).
#
#   scripts/fuzz.sh smoke         every target briefly, from the seed corpus,
#                                 under AddressSanitizer: what test.sh runs
#   scripts/fuzz.sh long [RUNS]   every target for RUNS executions (default
#                                 10,000,000): the long run, by hand
#   scripts/fuzz.sh long RUNS T   target T only
#
# Paths below are the crate's. The seeds in fuzz/corpus/<target>/ are only
# read: what a run finds goes to a corpus of its own,
# target/fuzz-corpus/<smoke|long>/<target>/, so a run leaves the work tree
# as it was. A crash is saved under fuzz/artifacts/<target>/, ends the run
# and fails it; replay it with `cargo +nightly fuzz run -a TARGET FILE`
# in crates/kinfo-vmmap.
#
# The long run of procfs_text goes without a sanitizer: the check builds
# entries from every input, and AddressSanitizer's allocator makes that 4
# times slower. Its one unsafe operation beyond the array writes that Miri
# checks in the unit tests is an SSE2 load of 16 bytes of a 64-byte array,
# in bounds by its types; the smoke run keeps AddressSanitizer on anyway.
set -euo pipefail
cd "$(dirname "$0")/../crates/kinfo-vmmap"

TARGETS=(unpack procfs_text)

# Inputs no larger than a few real maps: larger ones find nothing new and
# slow every execution.
max_len() {
	case $1 in
	unpack) echo 16384 ;; # about 100 records
	procfs_text) echo 4096 ;; # about 40 maps lines
	esac
}

run() {
	local target=$1 runs=$2 sanitizer=$3 corpus log status
	corpus=target/fuzz-corpus/$mode/$target
	log=target/fuzz-$mode-$target.log
	if [[ $mode == smoke ]]; then
		# A fresh corpus each time: the smoke run does the same work on
		# every machine.
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus"
	printf 'fuzz: %s, %s runs, sanitizer %s (log: %s)\n' "$target" "$runs" "$sanitizer" "$log"
	status=0
	# -a: debug assertions (overflow checks, debug_assert!) stay on.
	cargo +nightly fuzz run --release -a -s "$sanitizer" \
		--target-dir "target/fuzz-$sanitizer" "$target" \
		"$corpus" "fuzz/corpus/$target" -- \
		-runs="$runs" -max_len="$(max_len "$target")" -timeout=10 \
		-print_final_stats=1 >"$log" 2>&1 || status=$?
	if ((status != 0)); then
		tail -n 60 "$log"
		echo "fuzz: $target failed ($status)" >&2
		return "$status"
	fi
	grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log"
}

mode=${1:-smoke}
case $mode in
smoke)
	run unpack 200000 address
	run procfs_text 20000 address
	;;
long)
	runs=${2:-10000000}
	for target in "${@:3}"; do
		[[ " ${TARGETS[*]} " == *" $target "* ]] || {
			echo "fuzz.sh: no target $target (${TARGETS[*]})" >&2
			exit 2
		}
	done
	targets=("${@:3}")
	((${#targets[@]})) || targets=("${TARGETS[@]}")
	for target in "${targets[@]}"; do
		case $target in
		procfs_text) run "$target" "$runs" none ;;
		*) run "$target" "$runs" address ;;
		esac
	done
	;;
*)
	echo "usage: scripts/fuzz.sh smoke | long [RUNS [TARGET...]]" >&2
	exit 2
	;;
esac
