#!/usr/bin/env bash
# Installs what scripts/freebsd-conformance.sh and tests/freebsd_layout.rs
# need. Every step checks first, so a second run changes nothing and takes a
# moment.
set -euo pipefail
cd "$(dirname "$0")/.."

# zig is pinned: its FreeBSD headers and libc stubs are what the layout and
# link checks are judged against, so a new zig must be a deliberate change.
ZIGLANG_VERSION=0.17.1
# psutil is pinned: benches/psutil_memory_maps.py is its figure in the
# README, beside the library's.
PSUTIL_VERSION=7.2.2
# cargo-c is pinned for the same reason: tests/install.rs judges the install
# layout, the SONAME and the FreeBSD port's pkg-plist by what it installs.
CARGO_C_VERSION=0.10.24
# cargo-fuzz drives the fuzz targets in fuzz/ (scripts/fuzz.sh).
CARGO_FUZZ_VERSION=0.13.2
FREEBSD_TARGET=x86_64-unknown-freebsd
# manpages and manpages-dev hold the pages the manual cross-references,
# which `mandoc -Tlint` looks up.
APT_PACKAGES=(mandoc valgrind gcc g++ clang libc6-dev binutils manpages manpages-dev)
# pkgconf reads the installed library's .pc files (tests/install.rs);
# building cargo-c needs it and OpenSSL's and zlib's headers.
APT_PACKAGES+=(pkgconf libssl-dev zlib1g-dev)

say() { printf 'setup: %s\n' "$*"; }
# has LINE_PATTERN COMMAND...: whether a line of COMMAND's output matches.
# The output is read whole: `COMMAND | grep -q` can end COMMAND with
# SIGPIPE, which pipefail turns into "no".
has() {
	local pattern=$1 output
	shift
	output=$("$@" 2>/dev/null) || return 1
	[[ $'\n'$output$'\n' == *$'\n'$pattern$'\n'* ]]
}

# rustup serves a prebuilt std only for x86_64 FreeBSD; i686 needs nightly
# and rust-src to build std itself.
if ! has "$FREEBSD_TARGET" rustup target list --installed; then
	say "adding rust target $FREEBSD_TARGET"
	rustup target add "$FREEBSD_TARGET"
fi
if ! has 'clippy-*' rustup component list --installed; then
	say "adding clippy"
	rustup component add clippy
fi
if ! has 'nightly-*' rustup toolchain list; then
	say "installing the nightly toolchain"
	rustup toolchain install nightly --profile minimal
fi
if ! has rust-src rustup +nightly component list --installed; then
	say "adding rust-src to nightly"
	rustup +nightly component add rust-src
fi
# Miri runs the unit tests of the decoder and the C face (scripts/test.sh).
if ! has 'miri-*' rustup +nightly component list --installed; then
	say "adding miri to nightly"
	rustup +nightly component add miri
fi

# A venv must be able to bootstrap pip; Debian's python3 needs a package
# for that, other Pythons (pyenv, python.org) ship it.
python=${PYTHON:-python3}
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
	# shellcheck disable=SC2016 # ${Status} is dpkg-query's, not the shell's.
	if ! has 'install ok installed' dpkg-query -W -f='${Status}\n' "$pkg"; then
		missing+=("$pkg")
	fi
done
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
	missing+=(python3-venv)
	python=/usr/bin/python3
fi
if ((${#missing[@]})); then
	say "installing ${missing[*]}"
	sudo=()
	if ((EUID != 0)); then
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv_ok() {
	[[ -x .venv/bin/python ]] &&
		.venv/bin/python -c 'import sys, importlib.metadata as m; sys.exit(m.version("ziglang") != sys.argv[1] or m.version("psutil") != sys.argv[2])' \
			"$ZIGLANG_VERSION" "$PSUTIL_VERSION" 2>/dev/null
}
if ! venv_ok; then
	say "installing ziglang==$ZIGLANG_VERSION and psutil==$PSUTIL_VERSION into .venv"
	if [[ ! -x .venv/bin/python ]]; then
		"$python" -m venv .venv
	fi
	.venv/bin/python -m pip install --quiet --disable-pip-version-check \
		"ziglang==$ZIGLANG_VERSION" "psutil==$PSUTIL_VERSION"
	venv_ok
fi

# Built from source: minutes, once.
if ! has "cargo-c $CARGO_C_VERSION+*" cargo cinstall --version; then
	say "installing cargo-c $CARGO_C_VERSION (a few minutes)"
	cargo install --locked --quiet cargo-c --version "$CARGO_C_VERSION"
fi

# Built from source, with the C++ compiler for libFuzzer: a minute or two,
# once.
if ! has "cargo-fuzz $CARGO_FUZZ_VERSION" cargo fuzz --version; then
	say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
	cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# Proves the toolchain runs, not just that it is on disk.
.venv/bin/python -m ziglang version >/dev/null
say "ready (zig $(.venv/bin/python -m ziglang version), $(rustc --version | cut -d' ' -f2), $(rustc +nightly --version | cut -d' ' -f2-))"
