#!/bin/sh
# Prints the port's CARGO_CRATES from Cargo.lock: every crate that comes
# from crates.io, as name-version, in the layout of the ports tree's
# `make cargo-crates`. Makefile.crates is its output:
#
#	sh packaging/freebsd/cargo-crates.sh >packaging/freebsd/Makefile.crates
#
# tests/install.rs fails when Makefile.crates and Cargo.lock disagree.
set -eu
cd "$(dirname "$0")/../.."

awk '
function flush() {
	if (source == "registry+https://github.com/rust-lang/crates.io-index")
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
}' Cargo.lock
