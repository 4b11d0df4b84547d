#!/bin/sh
# Prints the port's CARGO_CRATES: every crate in the Cargo.lock of the
# packaged crate (the port's distfile) as name-version, in the layout of
# the ports tree's `make cargo-crates`. Makefile.crates is its output:
#
#	sh packaging/freebsd/cargo-crates.sh >packaging/freebsd/Makefile.crates
#
# The packaged crate's Cargo.lock is the repository's, except that the
# path dependency crates/kinfo-vmmap comes from crates.io there. So a
# package with no source is listed too, unless it is the root package
# itself; given the packaged crate's own Cargo.lock as an argument, the
# rule gives the same list. Every crate is listed, dev-dependencies
# included: the framework vendors them all, as cargo needs every crate of
# Cargo.lock to build offline.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
lock=${1:-$top/Cargo.lock}
root=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$top/Cargo.toml" | sed 1q)

awk -v root="$root" '
function flush() {
	if (name != "" && name != root &&
	    (source == "" ||
	    source == "registry+https://github.com/rust-lang/crates.io-index"))
		crates[n++] = name "-" version
	name = version = source = ""
}
/^\[\[package\]\]$/ { flush() }
/^name = "/ { name = $3; gsub(/"/, "", name) }
/^version = "/ { version = $3; gsub(/"/, "", version) }
/^source = "/ { source = $3; gsub(/"/, "", source) }
END {
	flush()
	for (i = 0; i < n; i++)
		printf "%s%s%s\n", i == 0 ? "CARGO_CRATES=\t" : "\t\t", crates[i],
		    i < n - 1 ? " \\" : ""
}' "$lock"
