#!/usr/bin/env bash
# Measures the shared library as `cargo cinstall` installs it, stripped, for
# x86_64 Linux and x86_64 FreeBSD, with the libraries it needs: the figures
# of the README's "Size" section.
#
# Prerequisites: scripts/setup.sh (cargo-c, the FreeBSD target, zig). Two
# release builds, in target/sizes/.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}/sizes
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# size TRIPLE: prints the stripped size of the installed library and what
# it NEEDs.
size() {
	local triple=$1 dest=$stage/$1 lib needed
	cargo cinstall --release --locked --target "$triple" \
		--target-dir "$target_dir" --destdir "$dest" --prefix /usr/local \
		--libdir lib >"$dest.log" 2>&1 || {
		cat "$dest.log" >&2
		return 1
	}
	lib=$(echo "$dest"/usr/local/lib/libkinfo_vmmap.so.*.*.*)
	strip -o "$dest.so" "$lib"
	needed=$(readelf -d -W "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | tr '\n' ' ')
	printf '%-24s %8d B stripped (%d B installed), NEEDED %s\n' "$triple" \
		"$(stat -c %s "$dest.so")" "$(stat -c %s "$lib")" "$needed"
}

for triple in x86_64-unknown-linux-gnu x86_64-unknown-freebsd; do
	size "$triple"
done
