#!/usr/bin/env bash
# Measures the shared library as `cargo cinstall` installs it, stripped, for
# x86_64 Linux and x86_64 FreeBSD: the figures of the README's "Size"
# section. Three builds of each:
#
#   stable        the release profile, as the README's commands and the
#                 FreeBSD port install it;
#   no-backtrace  nightly, std rebuilt without its backtrace feature: a
#                 panic still prints its message, then aborts, but std's
#                 symbolizer (gimli, addr2line, miniz_oxide, rustc-demangle)
#                 is gone;
#   bare-abort    nightly, std rebuilt and panics compiled to a bare abort
#                 (-Cpanic=immediate-abort): no message, no panic machinery.
#
# The nightly builds are skipped without a nightly toolchain that has
# rust-src. None changes a line of code or the C interface.
#
# `cargo build` leaves a larger library in target/release than cinstall
# installs, since it links the cdylib in the same rustc run as the rlib;
# the installed one is what users get.
#
# Prerequisites: scripts/setup.sh. Takes several minutes: six release
# builds, in target/sizes/.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}/sizes
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# size VARIANT TRIPLE: prints the stripped size of the installed library.
size() {
	local variant=$1 triple=$2 cargo=(cargo) flags=() dest=$stage/$1-$2 lib
	unset RUSTFLAGS
	case $variant in
	no-backtrace)
		cargo=(cargo +nightly)
		flags=(-Zbuild-std=std,panic_abort -Zbuild-std-features=)
		;;
	bare-abort)
		cargo=(cargo +nightly)
		flags=(-Zbuild-std=std,panic_abort)
		export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
		;;
	*) ;;
	esac
	"${cargo[@]}" cinstall --release --locked "${flags[@]}" --target "$triple" \
		--target-dir "$target_dir/$variant" --destdir "$dest" --prefix /usr/local \
		--libdir lib >"$dest.log" 2>&1 || {
		cat "$dest.log" >&2
		return 1
	}
	lib=$(echo "$dest"/usr/local/lib/libkinfo_vmmap.so.*.*.*)
	strip -o "$dest.so" "$lib"
	printf '%-12s %-24s %8d B stripped (%d B installed)\n' "$variant" "$triple" \
		"$(stat -c %s "$dest.so")" "$(stat -c %s "$lib")"
}

variants=(stable)
# Read whole, not piped to grep -q, whose early exit pipefail would report.
nightly=$(rustup +nightly component list --installed 2>/dev/null || true)
if [[ $'\n'$nightly$'\n' == *$'\n'rust-src$'\n'* ]]; then
	variants+=(no-backtrace bare-abort)
else
	echo "measure-sizes: no nightly with rust-src; measuring stable only" >&2
fi
for variant in "${variants[@]}"; do
	for triple in x86_64-unknown-linux-gnu x86_64-unknown-freebsd; do
		size "$variant" "$triple"
	done
done
