//! The text of Linux's `/proc/PID/maps`, `/proc/PID/smaps` and
//! `/proc/PID/stat`: bytes in, parsed fields out.
//!
//! Nothing here does I/O or knows which system it runs on, so the parser
//! builds on every target and can be fed any bytes by a fuzzer; the entry
//! builder (`entries.rs`) turns the fields into entries, and the Linux
//! backend (`sys/linux/`) feeds it what it reads from `/proc`.
//! Every function takes arbitrary bytes and answers `None` for what it
//! cannot parse: no input can make it panic or read out of bounds.
//!
//! It is built for speed, since the whole call is meant to cost little more
//! than the kernel's own formatting of the text: newlines are found 64
//! bytes at a time (see [`Lines`]), backslashes by the `memchr` crate, hex
//! columns, counts and inodes eight digits at a time; after the first
//! `smaps` record, a record's 24 or so field lines are taken whole when
//! they have the first record's shape (see [`RecordLayout`]), and only the
//! map line, the counts read and `VmFlags` are parsed. The one `unsafe`
//! block calls SSE2, which every x86_64 CPU has.
//!
//! On x86_64, `memchr` picks AVX2 at run time only when its `std` feature
//! is on (this crate's `std` turns it on): without std it cannot ask the
//! CPU (`is_x86_feature_detected!` is std's) and uses SSE2, the target's
//! baseline, unless the build itself enables AVX2 (`-C target-feature`).
//! The C library, built without std, therefore searches with SSE2, as the
//! hand-written search this replaced did.
//!
//! The formats, as `fs/proc/task_mmu.c` prints them:
//! - a map line (the whole of a `maps` line, the first line of each `smaps`
//!   record): `start-end perms offset major:minor inode`, in lowercase hex
//!   but for the decimal inode, then a space, padding, and the name: a
//!   path (with `\n` escaped as `\012`, and ` (deleted)` appended when the
//!   file is unlinked), a pseudo name such as `[heap]`, or nothing;
//! - an `smaps` field line: `Name:`, spaces, a decimal count and ` kB`;
//! - the `VmFlags:` line: two-letter codes separated by spaces.

/// The perms column of a map line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Perms {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
    /// `s`: a shared mapping; `p`: a private (copy-on-write) one.
    pub shared: bool,
}

/// A map line, split into its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MapLine<'a> {
    pub start: u64,
    pub end: u64,
    pub perms: Perms,
    pub offset: u64,
    pub major: u32,
    pub minor: u32,
    pub inode: u64,
    /// The name column exactly as printed, still escaped; empty for plain
    /// anonymous memory. See [`unescape_path`].
    pub name: &'a [u8],
}

/// An `smaps` field this crate reads, its value in kB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Rss,
    PrivateClean,
    PrivateDirty,
    AnonHugePages,
    ShmemPmdMapped,
    FilePmdMapped,
}

/// The `VmFlags` codes this crate reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct VmFlags(u8);

impl VmFlags {
    /// `mr`: may be made readable.
    pub(crate) const MAY_READ: Self = Self(1);
    /// `mw`: may be made writable.
    pub(crate) const MAY_WRITE: Self = Self(1 << 1);
    /// `me`: may be made executable.
    pub(crate) const MAY_EXEC: Self = Self(1 << 2);
    /// `gd`: grows down.
    pub(crate) const GROWS_DOWN: Self = Self(1 << 3);
    /// `lo`: locked in memory (`mlock`).
    pub(crate) const LOCKED: Self = Self(1 << 4);
    /// `dd`: left out of core dumps (`MADV_DONTDUMP`).
    pub(crate) const DONT_DUMP: Self = Self(1 << 5);
    /// `ht`: hugetlb pages.
    pub(crate) const HUGETLB: Self = Self(1 << 6);

    pub(crate) const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// One line of `smaps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmapsLine<'a> {
    /// The map line that opens a record.
    Map(MapLine<'a>),
    /// A field this crate reads, with its value in kB.
    Field(Field, u64),
    /// The `VmFlags:` line.
    VmFlags(VmFlags),
    /// A well-formed field this crate does not read.
    Skipped,
}

/// The counts of one `smaps` record, as its field lines arrive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SmapsCounts {
    pub rss_kb: u64,
    pub private_clean_kb: u64,
    pub private_dirty_kb: u64,
    pub anon_huge_kb: u64,
    pub shmem_pmd_kb: u64,
    pub file_pmd_kb: u64,
    /// `None` until the `VmFlags:` line is seen (kernels before 3.8 have
    /// none).
    pub vm_flags: Option<VmFlags>,
}

impl SmapsCounts {
    /// Records one line of the record; a map line is not part of it.
    pub fn record(&mut self, line: SmapsLine<'_>) {
        match line {
            SmapsLine::Field(field, kb) => {
                let slot = match field {
                    Field::Rss => &mut self.rss_kb,
                    Field::PrivateClean => &mut self.private_clean_kb,
                    Field::PrivateDirty => &mut self.private_dirty_kb,
                    Field::AnonHugePages => &mut self.anon_huge_kb,
                    Field::ShmemPmdMapped => &mut self.shmem_pmd_kb,
                    Field::FilePmdMapped => &mut self.file_pmd_kb,
                };
                *slot = kb;
            }
            SmapsLine::VmFlags(flags) => self.vm_flags = Some(flags),
            SmapsLine::Map(_) | SmapsLine::Skipped => {}
        }
    }

    /// The counts `kb` holds by field (`kb[field as usize]`, as
    /// [`record`](Self::record) files them), and `vm_flags`.
    fn from_kb(kb: &[u64; Field::COUNT], vm_flags: Option<VmFlags>) -> Self {
        Self {
            rss_kb: kb[Field::Rss as usize],
            private_clean_kb: kb[Field::PrivateClean as usize],
            private_dirty_kb: kb[Field::PrivateDirty as usize],
            anon_huge_kb: kb[Field::AnonHugePages as usize],
            shmem_pmd_kb: kb[Field::ShmemPmdMapped as usize],
            file_pmd_kb: kb[Field::FilePmdMapped as usize],
            vm_flags,
        }
    }

    /// Whole huge pages (PMD mappings) or hugetlb pages back the mapping.
    pub fn huge_pages(&self) -> bool {
        self.anon_huge_kb > 0
            || self.shmem_pmd_kb > 0
            || self.file_pmd_kb > 0
            || self.vm_flags.is_some_and(|f| f.contains(VmFlags::HUGETLB))
    }
}

/// The complete lines at the front of a buffer, without their `\n`.
///
/// Text read in chunks ends mid-line; what follows the last `\n` is left
/// for [`Lines::rest`], to be completed by the next read.
///
/// `smaps` is some 25 short lines per VMA (28 bytes on average), most of
/// them skipped, so finding line ends is much of the parsing work. A
/// `memchr` call per line pays its set-up on every line (it was 16% of
/// parsing `smaps`); here the text is taken 64 bytes at a time into a mask
/// of its newlines, and each line end is then a count of trailing zeros.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    /// Where the next line starts.
    start: usize,
    /// Where the block `newlines` describes starts.
    block_at: usize,
    /// Bit `i` set: byte `block_at + i` is a `\n` not yet handed out.
    newlines: u64,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            start: 0,
            // The first `next` takes the block at 0.
            block_at: 0usize.wrapping_sub(BLOCK),
            newlines: 0,
        }
    }

    /// The unterminated tail once the iterator is exhausted.
    pub fn rest(&self) -> &'a [u8] {
        self.text.get(self.start..).unwrap_or_default()
    }

    /// Where the next line starts.
    pub fn position(&self) -> usize {
        self.start
    }

    /// Goes on from `at`, the start of a line at or after
    /// [`position`](Self::position): the lines before it are passed over.
    pub fn skip_to(&mut self, at: usize) {
        let block_at = at - at % BLOCK;
        self.start = at;
        self.block_at = block_at;
        self.newlines = block_mask(self.text, block_at) & (!0u64 << (at - block_at));
    }
}

/// The newline mask of the block of `text` at `at`, the last one padded
/// with bytes that are not newlines; 0 past the end.
#[inline(always)]
fn block_mask(text: &[u8], at: usize) -> u64 {
    let rest = text.get(at..).unwrap_or_default();
    match rest.first_chunk::<BLOCK>() {
        Some(block) => newline_mask(block),
        None => {
            let mut block = [0u8; BLOCK];
            if let Some(head) = block.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            newline_mask(&block)
        }
    }
}

const BLOCK: usize = 64;

/// Bit `i` set for each byte `block[i]` that is a `\n`: SSE2, part of
/// every x86_64 CPU, compares 16 bytes at once.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn newline_mask(block: &[u8; BLOCK]) -> u64 {
    use core::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    let mut mask = 0u64;
    for (i, lanes) in block.chunks_exact(16).enumerate() {
        let (low, high) = lanes.split_at(8);
        let word = |half: &[u8]| i64::from_le_bytes(half.try_into().unwrap_or_default());
        // No pointers: the two halves are loaded as integers, which the
        // compiler turns into one unaligned vector load.
        #[allow(unused_unsafe)]
        // SAFETY: SSE2 is in x86_64's baseline, so every x86_64 CPU has
        // these instructions (Rust 1.87 and later call them safely).
        let bits = unsafe {
            let lanes = _mm_set_epi64x(word(high), word(low));
            _mm_movemask_epi8(_mm_cmpeq_epi8(lanes, _mm_set1_epi8(b'\n' as i8)))
        };
        mask |= u64::from(bits as u16) << (16 * i);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
use newline_mask_swar as newline_mask;

/// Bit `i` set for each byte `block[i]` that is a `\n`, eight bytes at a
/// time in a `u64`: for targets without SSE2's baseline.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn newline_mask_swar(block: &[u8; BLOCK]) -> u64 {
    let mut mask = 0u64;
    for (i, word) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // The high bit of each byte that is a newline, exactly (Bit
        // Twiddling Hacks' "haszero" without false positives: no carry
        // crosses a byte).
        let x = word ^ (ONES * b'\n' as u64);
        let low7 = ONES * 0x7f;
        let high_bits = !(((x & low7) + low7) | x | low7);
        // Gather the eight high bits into one byte, byte 0's lowest.
        let byte = ((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= byte << (8 * i);
    }
    mask
}

/// The number of `\n` in `text`, by the same 64-byte masks as [`Lines`]
/// (so the C library carries one newline search, not two).
pub(crate) fn count_newlines(text: &[u8]) -> usize {
    (0..text.len())
        .step_by(BLOCK)
        .map(|at| block_mask(text, at).count_ones() as usize)
        .sum()
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        while self.newlines == 0 {
            let at = self.block_at.wrapping_add(BLOCK);
            if at >= self.text.len() {
                return None;
            }
            self.newlines = block_mask(self.text, at);
            self.block_at = at;
        }
        let end = self.block_at + self.newlines.trailing_zeros() as usize;
        // Clear the lowest set bit: that newline is handed out.
        self.newlines &= self.newlines - 1;
        let line = self.text.get(self.start..end)?;
        self.start = end + 1;
        Some(line)
    }
}

/// A reader of the columns of a line, front to back.
struct Columns<'a>(&'a [u8]);

impl<'a> Columns<'a> {
    /// Takes `byte`, or fails.
    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        let (&first, rest) = self.0.split_first()?;
        (first == byte).then(|| self.0 = rest)
    }

    /// A lowercase hex number of 1 to 16 digits.
    #[inline(always)]
    fn hex(&mut self) -> Option<u64> {
        let (value, digits) = match self.0.first_chunk::<16>() {
            Some(words) => hex_prefix_wide(words, self.0.get(16).copied())?,
            None => hex_prefix(self.0),
        };
        self.advance(digits, value, 16)
    }

    #[inline]
    fn hex_u32(&mut self) -> Option<u32> {
        u32::try_from(self.hex()?).ok()
    }

    /// A decimal number of 1 to 20 digits that fits a `u64`.
    #[inline]
    fn decimal(&mut self) -> Option<u64> {
        // Fewer than 8 digits (inodes mostly), read as a word.
        if let Some(&word) = self.0.first_chunk::<8>() {
            let word = u64::from_le_bytes(word);
            let digits = decimal_run(word);
            if (1..8).contains(&digits) {
                // The digits moved to the end of the word, '0's before them.
                let shift = 8 * (8 - digits as u32);
                let padded = (word << shift) | (ONES * u64::from(b'0')) >> (64 - shift);
                self.0 = self.0.get(digits..)?;
                return Some(eight_digits(padded));
            }
        }
        let mut value: u64 = 0;
        let mut digits = 0;
        for &b in self.0.iter().take(21) {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            // Nineteen digits cannot overflow; past them, check.
            value = if digits < 19 {
                value * 10 + u64::from(digit)
            } else {
                value.checked_mul(10)?.checked_add(u64::from(digit))?
            };
            digits += 1;
        }
        self.advance(digits, value, 20)
    }

    /// Consumes `digits` and yields `value`, if there were 1 to `most`.
    #[inline]
    fn advance(&mut self, digits: usize, value: u64, most: usize) -> Option<u64> {
        if digits == 0 || digits > most {
            return None;
        }
        self.0 = self.0.get(digits..)?;
        Some(value)
    }

    #[inline]
    fn skip_spaces(&mut self) {
        // A word at a time: the kernel pads names out to a column some
        // twenty spaces on.
        while let Some(&word) = self.0.first_chunk::<8>() {
            let spaces = (u64::from_le_bytes(word) ^ (ONES * u64::from(b' '))).trailing_zeros() / 8;
            self.0 = self.0.get(spaces as usize..).unwrap_or_default();
            if spaces < 8 {
                return;
            }
        }
        let n = self.0.iter().take_while(|&&b| b == b' ').count();
        self.0 = self.0.get(n..).unwrap_or_default();
    }

    #[inline]
    fn perms(&mut self) -> Option<Perms> {
        let (&[r, w, x, s], rest) = self.0.split_first_chunk::<4>()?;
        let perms = Perms {
            read: flag(r, b'r')?,
            write: flag(w, b'w')?,
            exec: flag(x, b'x')?,
            shared: match s {
                b's' => true,
                b'p' => false,
                _ => return None,
            },
        };
        self.0 = rest;
        Some(perms)
    }
}

/// The value of the lowercase hex digits at the front of `s`, and how many
/// there are; 17 or more are reported as they are counted, for the caller
/// to reject.
fn hex_prefix(s: &[u8]) -> (u64, usize) {
    let mut value: u64 = 0;
    let mut digits = 0;
    for &b in s.iter().take(17) {
        let digit = HEX_DIGITS[usize::from(b)];
        if digit > 0xf {
            break;
        }
        value = value << 4 | u64::from(digit);
        digits += 1;
    }
    (value, digits)
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// [`hex_prefix`] of sixteen bytes (and the one after them), eight digits
/// at a time: addresses are twelve digits or more, and a digit at a time
/// made them most of the cost of a `maps` line.
#[inline(always)]
fn hex_prefix_wide(words: &[u8; 16], next: Option<u8>) -> Option<(u64, usize)> {
    let (high, low) = words.split_at(8);
    let high = u64::from_le_bytes(high.try_into().ok()?);
    let digits = hex_run(high);
    if digits < 8 {
        return Some((pack_hex(high, digits), digits));
    }
    let low = u64::from_le_bytes(low.try_into().ok()?);
    let more = hex_run(low);
    if more == 8 && next.is_some_and(|b| HEX_DIGITS[usize::from(b)] <= 0xf) {
        return Some((0, 17));
    }
    let value = pack_hex(high, 8).checked_shl(4 * more as u32).unwrap_or(0) | pack_hex(low, more);
    Some((value, 8 + more))
}

/// The high bit of each byte of `x` whose value `b` has `m < b < n`,
/// exactly, for `m <= 127` and `n <= 128` (Bit Twiddling Hacks,
/// "hasbetween": no borrow or carry crosses a byte).
const fn bytes_between(x: u64, m: u64, n: u64) -> u64 {
    let low7 = x & (ONES * 127);
    ((ONES * (127 + n)).wrapping_sub(low7) & !x & (low7 + ONES * (127 - m))) & HIGHS
}

/// How many of the eight bytes of `x` (in memory order, little-endian)
/// are lowercase hex digits before the first one that is not.
const fn hex_run(x: u64) -> usize {
    let hex = bytes_between(x, b'0' as u64 - 1, b'9' as u64 + 1)
        | bytes_between(x, b'a' as u64 - 1, b'f' as u64 + 1);
    ((!hex & HIGHS).trailing_zeros() / 8) as usize
}

/// The value of the first `digits` (0 to 8) bytes of `x`, all hex digits.
const fn pack_hex(x: u64, digits: usize) -> u64 {
    if digits == 0 {
        return 0;
    }
    // '0'..'9' are 0x30..0x39, 'a'..'f' 0x61..0x66: the low nibble, plus 9
    // for letters (bit 6). No byte carries into the next.
    let nibbles = (x & (ONES * 0x0f)) + ((x >> 6) & ONES) * 9;
    // The first digit is the most significant: reverse, and drop the bytes
    // past the digits.
    let v = nibbles.swap_bytes() >> (8 * (8 - digits));
    let v = (v | (v >> 4)) & 0x00ff_00ff_00ff_00ff;
    let v = (v | (v >> 8)) & 0x0000_ffff_0000_ffff;
    (v | (v >> 16)) & 0xffff_ffff
}

/// The value of each lowercase hex digit; 0xff for any other byte.
static HEX_DIGITS: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// `set` for the letter, false for `-`, `None` for anything else.
fn flag(byte: u8, set: u8) -> Option<bool> {
    match byte {
        b'-' => Some(false),
        b if b == set => Some(true),
        _ => None,
    }
}

/// Parses a map line (without its `\n`): the whole of a `maps` line, or
/// the line that opens an `smaps` record.
///
/// The name is everything after the inode column and its padding, to the
/// end of the line, so a path with spaces in it (or ending in them) stays
/// whole; only the padding the kernel inserts before it is dropped, and
/// every name it prints starts with `/`, `[` or a letter, never a space.
#[inline(never)]
pub(crate) fn parse_map_line(line: &[u8]) -> Option<MapLine<'_>> {
    // Two calls, not one `or_else` that merges the heads: the merged head
    // went through the stack in pieces and was read back whole, a stalled
    // load that was a sixth of this function's time.
    match map_line_head(line) {
        Some(head) => map_line_tail(head),
        None => parse_map_line_by_column(line),
    }
}

/// [`parse_map_line`] of the common line ([`map_line_head`]); `None` for
/// any other, which may still be a map line.
#[inline(always)]
pub(crate) fn parse_common_map_line(line: &[u8]) -> Option<MapLine<'_>> {
    map_line_tail(map_line_head(line)?)
}

/// [`parse_map_line`] of a line [`map_line_head`] does not take.
#[inline(never)]
pub(crate) fn parse_map_line_by_column(line: &[u8]) -> Option<MapLine<'_>> {
    map_line_tail(map_line_head_by_column(line)?)
}

/// The inode and the name after a map line's head.
#[inline(always)]
fn map_line_tail(head: MapLineHead<'_>) -> Option<MapLine<'_>> {
    let mut c = Columns(head.rest);
    let inode = c.decimal()?;
    // The kernel always ends the inode column with a space, but a line
    // with nothing after the inode is no less clear.
    if !c.0.is_empty() {
        c.expect(b' ')?;
        c.skip_spaces();
    }
    Some(MapLine {
        start: head.start,
        end: head.end,
        perms: head.perms,
        offset: head.offset,
        major: head.major,
        minor: head.minor,
        inode,
        name: c.0,
    })
}

/// The columns of a map line before its inode, and the rest of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MapLineHead<'a> {
    start: u64,
    end: u64,
    perms: Perms,
    offset: u64,
    major: u32,
    minor: u32,
    /// From the inode on.
    rest: &'a [u8],
}

/// [`map_line_head_by_column`] for the line most maps are made of on
/// 64-bit systems, `xxxxxxxxxxxx-xxxxxxxxxxxx rwxp xxxxxxxx xx:xx `:
/// twelve-digit addresses, an eight-digit offset and a two-digit device,
/// at fixed columns, read a word at a time. Anything else is `None`, left
/// to the general reader, which reads this shape the same way (each
/// number runs to the separator after it).
#[inline(always)]
fn map_line_head(line: &[u8]) -> Option<MapLineHead<'_>> {
    let head = line.first_chunk::<46>()?;
    let word = |at: usize| word_at(head, at);
    let hex = |at: usize| HEX_DIGITS[usize::from(head[at])];
    if !common_head_shape(head) {
        return None;
    }
    // Eight digits, then four and the separator, for each address.
    let (start_high, start_low) = (word(0), word(8));
    let (end_high, end_low) = (word(13), word(21));
    let offset = word(31);
    let device = [hex(40), hex(41), hex(43), hex(44)];
    Some(MapLineHead {
        start: pack_hex(start_high, 8) << 16 | pack_hex(start_low, 4),
        end: pack_hex(end_high, 8) << 16 | pack_hex(end_low, 4),
        perms: Columns(head.get(26..)?).perms()?,
        offset: pack_hex(offset, 8),
        major: u32::from(device[0]) << 4 | u32::from(device[1]),
        minor: u32::from(device[2]) << 4 | u32::from(device[3]),
        rest: line.get(46..)?,
    })
}

/// The eight bytes of `bytes` at `at`, little-endian; 0 past its end.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// The common map line's head, with its separators; each `x` a lowercase
/// hex digit, and the perms left to [`Columns::perms`].
const COMMON_HEAD: &[u8; 46] = b"xxxxxxxxxxxx-xxxxxxxxxxxx rwxp xxxxxxxx xx:xx ";

/// Whether `head` has [`COMMON_HEAD`]'s shape, but for the perms.
///
/// SSE2 takes it as three 16-byte pieces, at 0, 16 and 30 (the last
/// overlapping the second, so as not to read past the head): each byte
/// that must be a hex digit is one, and each separator is
/// [`COMMON_HEAD`]'s.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn common_head_shape(head: &[u8; 46]) -> bool {
    use core::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // Each piece: where it starts, and the bits of its bytes that must be
    // hex digits and that must be separators (bit `i` for byte `at + i`).
    const PIECES: [(usize, i32, i32); 3] = [
        (0, 0xefff, 0x1000),
        (16, 0x81ff, 0x4200),
        (30, 0x6dfe, 0x9201),
    ];
    let mut shaped = true;
    for (at, hex, separators) in PIECES {
        let piece = |bytes: &[u8; 46]| bytes.get(at..)?.first_chunk::<16>().map(load16);
        let (Some(bytes), Some(template)) = (piece(head), piece(COMMON_HEAD)) else {
            return false;
        };
        #[allow(unused_unsafe)]
        // SAFETY: SSE2 is in x86_64's baseline, so every x86_64 CPU has
        // these instructions (Rust 1.87 and later call them safely).
        let (hex_bits, separator_bits) = unsafe {
            let between = |low: u8, high: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(bytes, _mm_set1_epi8(low as i8 - 1)),
                    _mm_cmplt_epi8(bytes, _mm_set1_epi8(high as i8 + 1)),
                )
            };
            let is_hex = _mm_or_si128(between(b'0', b'9'), between(b'a', b'f'));
            (
                _mm_movemask_epi8(is_hex),
                _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, template)),
            )
        };
        shaped &= hex_bits & hex == hex && separator_bits & separators == separators;
    }
    shaped
}

/// Sixteen bytes into an SSE2 register.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn load16(bytes: &[u8; 16]) -> core::arch::x86_64::__m128i {
    use core::arch::x86_64::{__m128i, _mm_loadu_si128};
    // SAFETY: the pointer comes from a reference to 16 bytes, all of which
    // `_mm_loadu_si128` reads, with no alignment required; SSE2 is in
    // x86_64's baseline.
    unsafe { _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>()) }
}

/// Whether `head` has [`COMMON_HEAD`]'s shape, but for the perms: a word
/// at a time where there is no SSE2 to count on.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn common_head_shape_swar(head: &[u8; 46]) -> bool {
    let word = |at: usize| word_at(head, at);
    let separators = [12, 25, 30, 39, 42, 45];
    separators.iter().all(|&at| head[at] == COMMON_HEAD[at])
        && [(0, 8), (8, 4), (13, 8), (21, 4), (31, 8)]
            .iter()
            .all(|&(at, digits)| hex_run(word(at)) >= digits)
        && [40, 41, 43, 44]
            .iter()
            .all(|&at| HEX_DIGITS[usize::from(head[at])] <= 0xf)
}

#[cfg(not(target_arch = "x86_64"))]
use common_head_shape_swar as common_head_shape;

/// The columns of any map line before its inode, one after another.
fn map_line_head_by_column(line: &[u8]) -> Option<MapLineHead<'_>> {
    let mut c = Columns(line);
    let start = c.hex()?;
    c.expect(b'-')?;
    let end = c.hex()?;
    c.expect(b' ')?;
    let perms = c.perms()?;
    c.expect(b' ')?;
    let offset = c.hex()?;
    c.expect(b' ')?;
    let major = c.hex_u32()?;
    c.expect(b':')?;
    let minor = c.hex_u32()?;
    c.expect(b' ')?;
    Some(MapLineHead {
        start,
        end,
        perms,
        offset,
        major,
        minor,
        rest: c.0,
    })
}

impl Field {
    /// How many fields there are: the last one's number and one.
    const COUNT: usize = Field::FilePmdMapped as usize + 1;

    /// The name that opens the field's line, with its colon.
    pub(crate) const fn name(self) -> &'static [u8] {
        match self {
            Field::Rss => b"Rss:",
            Field::PrivateClean => b"Private_Clean:",
            Field::PrivateDirty => b"Private_Dirty:",
            Field::AnonHugePages => b"AnonHugePages:",
            Field::ShmemPmdMapped => b"ShmemPmdMapped:",
            Field::FilePmdMapped => b"FilePmdMapped:",
        }
    }
}

/// The bytes of a field line that [`RecordLayout`] compares: enough for
/// every name this crate reads (the longest, `ShmemPmdMapped:`, is 15),
/// and the kernel pads every name to 16 columns.
const HEAD: usize = 16;

/// The most field lines a layout remembers; a record has about 25.
const LAYOUT_LINES: usize = 32;

/// The most bytes of field lines a layout spans; a record's are about 650.
const LAYOUT_SPAN: usize = 1536;

/// The field lines of an `smaps` record, learned from the first record of
/// the text, so that the same lines of every later record are taken at
/// once, with no line parsed but the counts this crate reads.
///
/// Every record the kernel prints has the same field lines in the same
/// order, each a name padded to 16 columns and a count right-aligned in 8
/// (`seq_put_decimal_ull_width`), most then ` kB`. So the field lines of
/// nearly every record are the first record's bytes but in the 8 columns
/// of each count. When a record's are, byte for byte outside those
/// columns, with no newline inside them, its lines are the first record's
/// lines, each starting with the same 16 bytes, which is all
/// `parse_smaps_line` looks at to decide a line's kind; only the counts
/// this crate reads are then parsed, each a word. Any other record (a
/// count past 8 digits, a line added or missing) is parsed line by line,
/// as the first record was.
///
/// Parsing each of `smaps`'s 25 lines a record on its own, deciding its
/// kind by its first bytes, was most of the cost of reading it.
#[derive(Clone, Copy)]
pub(crate) struct RecordLayout {
    /// The first record's field lines, newlines included, but with a
    /// newline in each column of a count: a later record must have each
    /// other byte as it is here, and no newline in those columns.
    expect: [u8; LAYOUT_SPAN],
    /// 0xff for each byte that must be as `expect` has it; 0 in the
    /// columns of the counts, which must differ from it (hold no newline).
    /// Bytes, not bits, so that a block of the text is checked against it
    /// with one compare and one exclusive or, and no mask taken.
    fixed: [u8; LAYOUT_SPAN],
    /// Bytes learned.
    span: usize,
    /// Lines learned.
    len: usize,
    /// The counts this crate reads: where the columns of each start in
    /// the span, in line order.
    reads: [(u16, Field); LAYOUT_LINES],
    /// How many there are.
    read_count: usize,
    /// No more lines are learned: the first record ended, or had a line
    /// of another shape.
    complete: bool,
}

impl RecordLayout {
    pub(crate) const fn new() -> Self {
        Self {
            expect: [0; LAYOUT_SPAN],
            fixed: [0; LAYOUT_SPAN],
            span: 0,
            len: 0,
            reads: [(0, Field::Rss); LAYOUT_LINES],
            read_count: 0,
            complete: false,
        }
    }

    /// Takes the next line of the first record, as `parse_smaps_line`
    /// parsed it. Learning stops at the first line of another shape: not a
    /// field line, or its count's 8 columns inside its first 16 bytes, or
    /// a count this crate reads not preceded by spaces alone and followed
    /// by ` kB`; or at [`complete`](Self::complete).
    pub(crate) fn learn(&mut self, line: &[u8], parsed: &SmapsLine<'_>) {
        if !self.complete && !self.learned(line, parsed) {
            self.complete = true;
        }
    }

    /// [`learn`](Self::learn); false for a line of another shape.
    fn learned(&mut self, line: &[u8], parsed: &SmapsLine<'_>) -> bool {
        let field = match *parsed {
            SmapsLine::Field(field, _) => Some(field),
            SmapsLine::Skipped => None,
            SmapsLine::Map(_) | SmapsLine::VmFlags(_) => return false,
        };
        let with_kb = line.ends_with(b" kB");
        let count_end = line.len() - if with_kb { 3 } else { 0 };
        let Some(count_start) = count_end.checked_sub(8).filter(|&at| at >= HEAD) else {
            return false;
        };
        if let Some(field) = field {
            let padding = line.get(field.name().len()..count_start);
            if !with_kb || !padding.is_some_and(all_spaces) {
                return false;
            }
        }
        let (start, newline) = (self.span, self.span + line.len());
        let Some(expect) = self.expect.get_mut(start..=newline) else {
            return false;
        };
        if self.len == LAYOUT_LINES || self.read_count == LAYOUT_LINES {
            return false;
        }
        expect[..line.len()].copy_from_slice(line);
        expect[line.len()] = b'\n';
        expect[count_start..count_end].fill(b'\n');
        let fixed = &mut self.fixed[start..=newline];
        fixed.fill(FIXED);
        fixed[count_start..count_end].fill(0);
        if let Some(field) = field {
            // Below LAYOUT_SPAN, so it fits.
            self.reads[self.read_count] = ((start + count_start) as u16, field);
            self.read_count += 1;
        }
        self.len += 1;
        self.span = newline + 1;
        true
    }

    /// Ends learning: the first record is over.
    pub(crate) fn complete(&mut self) {
        self.complete = true;
    }

    /// Whether lines are still learned: the first record is not over.
    pub(crate) fn is_learning(&self) -> bool {
        !self.complete
    }

    /// Lines learned, and their bytes.
    pub(crate) fn lines(&self) -> (usize, usize) {
        (self.len, self.span)
    }

    /// Takes the field lines at the front of `text`, the rest of a record
    /// after its map line, if they are the layout's lines: their counts go
    /// into `counts`, as `parse_smaps_line` would read them. False, with
    /// nothing recorded, when they are not, or a count does not parse:
    /// parse them line by line.
    #[inline(never)]
    pub(crate) fn take_record(&self, text: &[u8], counts: &mut SmapsCounts) -> bool {
        if !self.complete || self.len == 0 {
            return false;
        }
        if !self.has_shape(text) {
            return false;
        }
        // Each count by its field, a later line of one field over an
        // earlier, as `SmapsCounts::record` keeps them.
        let mut kb = [0u64; Field::COUNT];
        for &(at, field) in self.reads.get(..self.read_count).unwrap_or_default() {
            let at = usize::from(at);
            let Some(&columns) = text.get(at..at + 8).and_then(|c| c.first_chunk::<8>()) else {
                return false;
            };
            // Most counts read are 0 (those of huge pages nearly always):
            // one compare, and no digits to take apart.
            if columns == *b"       0" {
                kb[field as usize] = 0;
                continue;
            }
            match right_aligned_digits(columns) {
                Some(value) => kb[field as usize] = value,
                None => return false,
            }
        }
        *counts = SmapsCounts::from_kb(&kb, counts.vm_flags);
        true
    }

    /// Whether the front of `text` has the layout's lines: each byte as
    /// [`expect`](Self::expect) has it where [`fixed`](Self::fixed) says
    /// so, and no newline in the counts' columns.
    #[inline(always)]
    fn has_shape(&self, text: &[u8]) -> bool {
        let span = self.span;
        match (
            text.get(..span),
            self.expect.get(..span),
            self.fixed.get(..span),
        ) {
            (Some(text), Some(expect), Some(fixed)) => !differs(text, expect, fixed),
            _ => false,
        }
    }
}

/// A byte of [`RecordLayout::fixed`] that must be as the layout has it.
const FIXED: u8 = 0xff;

/// Whether `text` breaks a layout: a byte where `fixed` is [`FIXED`] that
/// is not `expect`'s, or one where it is 0 that is (see
/// [`RecordLayout::fixed`]). Over the shortest of the three.
///
/// A block at a time, 32 bytes where the CPU has AVX2 (asked once, by
/// `cpuid`) and 16 where it has SSE2 alone; the last block overlaps the
/// one before when the length is not a multiple of it. Each block's
/// differences are or-ed into one register, tested once at the end: no
/// early exit, since nearly every record matches.
#[inline(always)]
fn differs(text: &[u8], expect: &[u8], fixed: &[u8]) -> bool {
    let len = text.len().min(expect.len()).min(fixed.len());
    let (text, expect, fixed) = (&text[..len], &expect[..len], &fixed[..len]);
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    if len >= 32 && avx2::available() {
        // SAFETY: the CPU has AVX2, as `cpuid` and the OS's XCR0 say.
        return unsafe { avx2::differs(text, expect, fixed) };
    }
    #[cfg(target_arch = "x86_64")]
    if len >= 16 {
        return differs_16(text, expect, fixed);
    }
    differs_by_byte(text, expect, fixed)
}

/// [`differs`] 16 bytes at a time, for three slices of one length of at
/// least 16 (any other is false).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn differs_16(text: &[u8], expect: &[u8], fixed: &[u8]) -> bool {
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_setzero_si128, _mm_xor_si128,
    };
    let len = text.len();
    if len < 16 || expect.len() != len || fixed.len() != len {
        return false;
    }
    let (text, expect, fixed) = (text.as_ptr(), expect.as_ptr(), fixed.as_ptr());
    // SAFETY: `at + 16 <= len`, so each load reads 16 bytes inside each of
    // the three slices, all `len` long; no alignment is required. SSE2 is
    // in x86_64's baseline, so every x86_64 CPU has these instructions.
    let block = |at: usize| unsafe {
        let load = |bytes: *const u8| _mm_loadu_si128(bytes.add(at).cast::<__m128i>());
        _mm_xor_si128(_mm_cmpeq_epi8(load(text), load(expect)), load(fixed))
    };
    #[allow(unused_unsafe)]
    // SAFETY: as above.
    let bits = unsafe {
        let mut differ = _mm_setzero_si128();
        let mut at = 0;
        while at + 16 < len {
            differ = _mm_or_si128(differ, block(at));
            at += 16;
        }
        // The last 16 bytes, which overlap the block before unless `len`
        // is a multiple of 16.
        differ = _mm_or_si128(differ, block(len - 16));
        _mm_movemask_epi8(differ)
    };
    bits != 0
}

/// [`differs`] a byte at a time: the reference the blocks are tested
/// against, and the way for spans shorter than a block or where there is
/// no SSE2 to count on.
fn differs_by_byte(text: &[u8], expect: &[u8], fixed: &[u8]) -> bool {
    text.iter()
        .zip(expect)
        .zip(fixed)
        .any(|((text, expect), &fixed)| (text == expect) != (fixed == FIXED))
}

/// AVX2, on the CPUs that have it: a run-time choice, since x86_64's
/// baseline stops at SSE2.
#[cfg(all(target_arch = "x86_64", not(miri)))]
mod avx2 {
    use core::sync::atomic::{AtomicU8, Ordering};

    /// Whether the CPU has AVX2 and the OS saves its registers; asked of
    /// `cpuid` once, then remembered (0 unknown, 1 no, 2 yes).
    pub(super) fn available() -> bool {
        static KNOWN: AtomicU8 = AtomicU8::new(0);
        match KNOWN.load(Ordering::Relaxed) {
            1 => false,
            2 => true,
            _ => {
                let yes = detect();
                KNOWN.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
                yes
            }
        }
    }

    fn detect() -> bool {
        use core::arch::x86_64::{__cpuid, __cpuid_count, _xgetbv};
        #[allow(unused_unsafe)]
        // SAFETY: every x86_64 CPU has `cpuid`.
        let (max_leaf, leaf1) = unsafe { (__cpuid(0).eax, __cpuid(1)) };
        let (osxsave, avx) = (leaf1.ecx & 1 << 27 != 0, leaf1.ecx & 1 << 28 != 0);
        if max_leaf < 7 || !osxsave || !avx {
            return false;
        }
        // SAFETY: OSXSAVE says the OS enabled `xgetbv`.
        let xcr0 = unsafe { _xgetbv(0) };
        // The OS saves the SSE and AVX halves of the registers.
        if xcr0 & 0b110 != 0b110 {
            return false;
        }
        #[allow(unused_unsafe)]
        // SAFETY: leaf 7 exists (`max_leaf`).
        let leaf7 = unsafe { __cpuid_count(7, 0) };
        leaf7.ebx & 1 << 5 != 0
    }

    /// [`super::differs`] 32 bytes at a time, for three slices of one
    /// length of at least 32 (any other is false).
    ///
    /// # Safety
    /// The CPU must have AVX2 ([`available`]).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn differs(text: &[u8], expect: &[u8], fixed: &[u8]) -> bool {
        use core::arch::x86_64::{
            __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
            _mm256_setzero_si256, _mm256_xor_si256,
        };
        let len = text.len();
        if len < 32 || expect.len() != len || fixed.len() != len {
            return false;
        }
        let (text, expect, fixed) = (text.as_ptr(), expect.as_ptr(), fixed.as_ptr());
        // SAFETY: `at + 32 <= len`, so each load reads 32 bytes inside each
        // of the three slices, all `len` long; no alignment is required.
        let block = |at: usize| unsafe {
            let load = |bytes: *const u8| _mm256_loadu_si256(bytes.add(at).cast::<__m256i>());
            _mm256_xor_si256(_mm256_cmpeq_epi8(load(text), load(expect)), load(fixed))
        };
        let mut differ = _mm256_setzero_si256();
        let mut at = 0;
        while at + 32 < len {
            differ = _mm256_or_si256(differ, block(at));
            at += 32;
        }
        // The last 32 bytes, which overlap the block before unless `len` is
        // a multiple of 32.
        differ = _mm256_or_si256(differ, block(len - 32));
        _mm256_movemask_epi8(differ) != 0
    }
}

/// Parses one line of `smaps` (without its `\n`); `None` when it is
/// malformed.
///
/// A map line starts with a lowercase hex digit, a field line with a
/// capital letter: the first byte decides, and fields this crate does not
/// read are skipped without looking further than their name.
#[inline]
pub(crate) fn parse_smaps_line(line: &[u8]) -> Option<SmapsLine<'_>> {
    // The fields read, among those that start with the line's first byte.
    let candidates: &[Field] = match *line.first()? {
        b'0'..=b'9' | b'a'..=b'f' => return parse_map_line(line).map(SmapsLine::Map),
        b'R' => &[Field::Rss],
        b'P' => &[Field::PrivateClean, Field::PrivateDirty],
        b'A' => &[Field::AnonHugePages],
        b'S' => &[Field::ShmemPmdMapped],
        b'F' => &[Field::FilePmdMapped],
        b'V' => {
            return Some(match line.strip_prefix(b"VmFlags:") {
                Some(rest) => SmapsLine::VmFlags(parse_vm_flags(rest)),
                None => SmapsLine::Skipped,
            });
        }
        b'B'..=b'Z' => return Some(SmapsLine::Skipped),
        _ => return None,
    };
    let Some((field, rest)) = candidates
        .iter()
        .find_map(|&field| line.strip_prefix(field.name()).map(|rest| (field, rest)))
    else {
        return Some(SmapsLine::Skipped);
    };
    Some(SmapsLine::Field(field, parse_kb(rest)?))
}

/// The value of a field: spaces, a decimal number, and ` kB` (or nothing).
///
/// The kernel right-aligns the number in 8 columns after a name padded
/// with spaces (`seq_put_decimal_ull_width`): those 8 columns are read at
/// once, as a word. Anything else, a number past 8 digits, or no ` kB`,
/// is read digit by digit from the end.
#[inline]
fn parse_kb(value: &[u8]) -> Option<u64> {
    if let Some((padding, &[columns @ .., b' ', b'k', b'B'])) = value.split_last_chunk::<11>()
        && let Some(kb) = right_aligned_digits(columns)
        && all_spaces(padding)
    {
        return Some(kb);
    }
    parse_kb_by_digit(value)
}

/// [`parse_kb`], digit by digit.
fn parse_kb_by_digit(value: &[u8]) -> Option<u64> {
    let number = value.strip_suffix(b" kB").unwrap_or(value);
    let digits = number
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let (padding, digits) = number.split_at(number.len() - digits);
    // Nineteen digits always fit a `u64`; kB counts never need more.
    if digits.is_empty() || digits.len() > 19 || !all_spaces(padding) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |kb, &digit| kb * 10 + u64::from(digit - b'0')),
    )
}

/// The number in 8 columns of spaces and then at least one digit, read as
/// one word; `None` for anything else.
#[inline]
fn right_aligned_digits(columns: [u8; 8]) -> Option<u64> {
    let word = u64::from_le_bytes(columns);
    // The spaces before the first digit (the first column is the lowest
    // byte), turned into '0's.
    let spaces = (word ^ (ONES * u64::from(b' '))).trailing_zeros() / 8;
    if spaces >= 8 {
        return None;
    }
    let word = word | ((ONES * 0x10) & ((1u64 << (8 * spaces)) - 1));
    if bytes_between(word, u64::from(b'0') - 1, u64::from(b'9') + 1) != HIGHS {
        return None;
    }
    Some(eight_digits(word))
}

/// How many of the eight bytes of `x` (in memory order, little-endian)
/// are decimal digits before the first one that is not.
const fn decimal_run(x: u64) -> usize {
    let digits = bytes_between(x, b'0' as u64 - 1, b'9' as u64 + 1);
    ((!digits & HIGHS).trailing_zeros() / 8) as usize
}

/// The value of eight decimal digits, the first (lowest byte) the most
/// significant: pairs, then fours, then the eight (Lemire's
/// "fast_parse_eight").
const fn eight_digits(word: u64) -> u64 {
    let word = word & (ONES * 0x0f);
    let word = (word.wrapping_mul(10 << 8 | 1) >> 8) & 0x00ff_00ff_00ff_00ff;
    let word = (word.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_ffff_0000_ffff;
    word.wrapping_mul(10_000 << 32 | 1) >> 32
}

/// Whether every byte is a space, eight at a time.
#[inline]
fn all_spaces(bytes: &[u8]) -> bool {
    const SPACES: [u8; 8] = [b' '; 8];
    let mut words = bytes.chunks_exact(8);
    words.all(|word| word == SPACES) && words.remainder().iter().all(|&b| b == b' ')
}

/// The codes this crate reads from the rest of a `VmFlags:` line; unknown
/// codes are ignored, since every kernel release may add some.
///
/// Every code the kernel prints is two letters after a space, and the line
/// ends with a space: so the line is read three bytes at a time, checking
/// as it goes that every third byte is a space; anything else is split at
/// its spaces. Each group is looked up without a branch (see
/// [`vm_flag`]), so the loop costs the same whatever codes a line has.
/// The `match` on the codes it replaces took a branch or two a code, which
/// depended on the codes: of the 10 mispredictions an `smaps` record that
/// callgrind's branch simulation counted, 2.6 went with it.
#[inline]
pub(crate) fn parse_vm_flags(codes: &[u8]) -> VmFlags {
    let (groups, rest) = codes.as_chunks::<3>();
    let mut spaced = true;
    let mut flags = VmFlags::default();
    for &[space, a, b] in groups {
        spaced &= space == b' ';
        flags = flags.with(vm_flag(a, b));
    }
    if spaced && matches!(rest, [] | [b' ']) {
        return flags;
    }
    codes
        .split(|&b| b == b' ')
        .fold(VmFlags::default(), |flags, code| match code {
            &[a, b] => flags.with(vm_flag(a, b)),
            _ => flags,
        })
}

/// The flag a `VmFlags` code stands for; none for the codes not read.
///
/// The code picks a slot of [`VM_FLAG_SLOTS`] by a multiplicative hash
/// under which the seven codes read fall in seven different slots; the
/// code stored in the slot says whether it is the one there.
#[inline]
fn vm_flag(a: u8, b: u8) -> VmFlags {
    let code = u16::from_le_bytes([a, b]);
    let slot = VM_FLAG_SLOTS[vm_flag_slot(code)];
    let flag = (slot >> 16) as u8;
    // The flag kept by arithmetic alone: `other` is 0 when the codes
    // match, and otherwise under 2^16, so `other - 1` borrows only on a
    // match. (An `if`, or a mask from `==`, became a branch.) An empty slot
    // holds the code 0 and no flag, so a match there adds nothing either.
    let other = (slot ^ u32::from(code)) & 0xffff;
    let hit = (other.wrapping_sub(1) >> 16) as u8;
    VmFlags(flag & hit)
}

/// The slot of [`VM_FLAG_SLOTS`] a code hashes to. The multiplier and the
/// shift were searched for as the first to part the seven codes read;
/// `vm_flag_slots` refuses to build a table where they do not.
const fn vm_flag_slot(code: u16) -> usize {
    ((code as u32).wrapping_mul(99) >> 8) as usize % VM_FLAG_SLOT_COUNT
}

const VM_FLAG_SLOT_COUNT: usize = 8;

/// Each code read, in the slot it hashes to: the code in the low 16 bits,
/// its flag above them.
const VM_FLAG_SLOTS: [u32; VM_FLAG_SLOT_COUNT] = vm_flag_slots();

const fn vm_flag_slots() -> [u32; VM_FLAG_SLOT_COUNT] {
    let codes = [
        (MR, VmFlags::MAY_READ),
        (MW, VmFlags::MAY_WRITE),
        (ME, VmFlags::MAY_EXEC),
        (GD, VmFlags::GROWS_DOWN),
        (LO, VmFlags::LOCKED),
        (DD, VmFlags::DONT_DUMP),
        (HT, VmFlags::HUGETLB),
    ];
    let mut slots = [0u32; VM_FLAG_SLOT_COUNT];
    let mut i = 0;
    while i < codes.len() {
        let (code, flag) = codes[i];
        let at = vm_flag_slot(code);
        assert!(slots[at] == 0, "two VmFlags codes hash to one slot");
        slots[at] = code as u32 | (flag.0 as u32) << 16;
        i += 1;
    }
    slots
}

const fn code(name: &[u8; 2]) -> u16 {
    u16::from_le_bytes(*name)
}
const MR: u16 = code(b"mr");
const MW: u16 = code(b"mw");
const ME: u16 = code(b"me");
const GD: u16 = code(b"gd");
const LO: u16 = code(b"lo");
const DD: u16 = code(b"dd");
const HT: u16 = code(b"ht");

/// How much of a path [`unescape_path`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unescaped {
    /// Bytes written before the NUL.
    pub len: usize,
    /// The path did not fit and was cut short.
    pub truncated: bool,
    /// At least one `\012` was turned into a newline.
    pub decoded: bool,
}

/// The kernel's one escape in a `maps` path: `seq_file_path(m, file, "\n")`
/// writes a newline as the octal `\012` and leaves every other byte,
/// backslashes included, as it is.
const ESCAPED_NEWLINE: &[u8] = b"\\012";

/// Copies a name into `out`, NUL-terminated, cutting it short to
/// `out.len() - 1` bytes when it does not fit; with `decode`, each `\012`
/// becomes the newline it stands for.
///
/// Since the kernel does not escape the backslash itself, a name holding a
/// literal `\012` reads the same as one holding a newline: the caller
/// settles which file it is by `stat`, trying the name without `decode`
/// when the decoded one is not the mapped file.
#[inline]
pub(crate) fn unescape_path(name: &[u8], out: &mut [u8], decode: bool) -> Unescaped {
    let Some(room) = out.len().checked_sub(1) else {
        return Unescaped {
            len: 0,
            truncated: !name.is_empty(),
            decoded: false,
        };
    };
    let mut len = 0;
    let mut decoded = false;
    let mut rest = name;
    let truncated = loop {
        // Copy the run up to the next backslash in one go.
        let run = if decode {
            memchr::memchr(b'\\', rest).unwrap_or(rest.len())
        } else {
            rest.len()
        };
        let (plain, tail) = rest.split_at(run);
        let fits = plain.len().min(room - len);
        if let (Some(dst), Some(src)) = (out.get_mut(len..len + fits), plain.get(..fits)) {
            dst.copy_from_slice(src);
        }
        len += fits;
        if fits < plain.len() {
            break true;
        }
        let (byte, tail) = match tail.strip_prefix(ESCAPED_NEWLINE) {
            Some(tail) => {
                decoded = true;
                (b'\n', tail)
            }
            None => match tail {
                [] => break false,
                [byte, tail @ ..] => (*byte, tail),
            },
        };
        match out.get_mut(len) {
            Some(slot) if len < room => *slot = byte,
            _ => break true,
        }
        len += 1;
        rest = tail;
    };
    if let Some(nul) = out.get_mut(len) {
        *nul = 0;
    }
    Unescaped {
        len,
        truncated,
        decoded,
    }
}

/// The fields of `/proc/PID/stat` this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(any(target_os = "linux", feature = "internals")), allow(dead_code))]
pub(crate) struct ProcStat {
    /// The state letter: `R`, `S`, `D`, `Z` (zombie), `X` (dead), ...
    pub state: u8,
    /// The task's `PF_*` flags.
    pub flags: u64,
}

/// Parses `/proc/PID/stat`: `pid (comm) state ppid pgrp session tty_nr
/// tpgid flags ...`. The command name may hold spaces and parentheses, so
/// the fields are counted from the last `)`.
#[cfg_attr(not(any(target_os = "linux", feature = "internals")), allow(dead_code))]
pub(crate) fn parse_stat(text: &[u8]) -> Option<ProcStat> {
    let close = text.iter().rposition(|&b| b == b')')?;
    let mut fields = text
        .get(close + 1..)?
        .split(|&b| b == b' ' || b == b'\n')
        .skip(1);
    let state = match fields.next()? {
        &[state] => state,
        _ => return None,
    };
    // ppid, pgrp, session, tty_nr and tpgid come before the flags.
    let flags = fields.nth(5)?;
    let mut c = Columns(flags);
    let value = c.decimal()?;
    c.0.is_empty().then_some(ProcStat {
        state,
        flags: value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_newlines_agrees_with_a_plain_count() {
        for len in [0, 1, 63, 64, 65, 127, 128, 200] {
            let text: Vec<u8> = (0..len)
                .map(|i| if i % 7 == 3 { b'\n' } else { b'a' })
                .collect();
            let want = text.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&text), want, "{len} bytes");
        }
    }

    fn map(line: &str) -> MapLine<'_> {
        parse_map_line(line.as_bytes()).unwrap()
    }

    /// The fields of every record of an `smaps` text, or `None` when any
    /// line is malformed or the text does not end in a newline.
    fn parse_smaps(text: &str) -> Option<Vec<(MapLine<'_>, SmapsCounts)>> {
        let mut lines = Lines::new(text.as_bytes());
        let mut records: Vec<(MapLine<'_>, SmapsCounts)> = Vec::new();
        for line in &mut lines {
            match parse_smaps_line(line)? {
                SmapsLine::Map(map) => records.push((map, SmapsCounts::default())),
                other => records.last_mut()?.1.record(other),
            }
        }
        lines.rest().is_empty().then_some(records)
    }

    fn unescape(name: &str, room: usize) -> (Vec<u8>, bool) {
        let mut out = vec![0xff; room];
        let got = unescape_path(name.as_bytes(), &mut out, true);
        if room > 0 {
            assert_eq!(out[got.len], 0, "NUL-terminated");
        }
        out.truncate(got.len);
        (out, got.truncated)
    }

    #[test]
    fn lines_are_found_across_blocks_of_every_shape() {
        for len in 0..200 {
            for every in [1, 2, 7, 31, 63, 64, 65, 130] {
                let text: Vec<u8> = (0..len)
                    .map(|i| if i % every == every - 1 { b'\n' } else { b'x' })
                    .collect();
                let want: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
                let (want_lines, want_rest) = want.split_at(want.len() - 1);
                let mut lines = Lines::new(&text);
                let got: Vec<&[u8]> = lines.by_ref().collect();
                assert_eq!(got, want_lines, "len {len} every {every}");
                assert_eq!(lines.rest(), want_rest[0]);
                assert_eq!(lines.next(), None);
            }
        }
    }

    /// A number read from the front of a column, and its digits.
    type Number = Option<(u64, usize)>;

    /// The columns of `text` as a plain byte-at-a-time reader takes them:
    /// a hex number, a decimal number, and the spaces after it.
    fn plain_columns(text: &[u8]) -> (Number, Number, usize) {
        let run = |is: fn(&u8) -> bool| text.iter().take_while(|b| is(b)).count();
        let hex = run(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
        let hex = (1..=16).contains(&hex).then(|| {
            let digits = core::str::from_utf8(&text[..hex]).unwrap();
            (u64::from_str_radix(digits, 16).unwrap(), hex)
        });
        let dec = run(u8::is_ascii_digit);
        let dec = core::str::from_utf8(&text[..dec])
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|_| (1..=20).contains(&dec))
            .map(|value| (value, dec));
        (hex, dec, run(|&b| b == b' '))
    }

    /// `count` numbers from Marsaglia's xorshift, seeded with `seed`.
    fn xorshift(seed: u64, count: usize) -> impl Iterator<Item = u64> {
        let mut x = seed;
        (0..count).map(move |_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
    }

    #[test]
    fn the_word_readers_of_columns_match_a_plain_reader() {
        let alphabet = b"0123456789abcdef -:/\x00\x7f\xff";
        for x in xorshift(0x9e37_79b9_7f4a_7c15, 200_000) {
            let len = (x % 26) as usize;
            let leading = ((x >> 8) % 22) as usize;
            let mut y = x;
            let text: Vec<u8> = (0..len)
                .map(|i| {
                    y = y.rotate_left(5) ^ (i as u64);
                    if i >= leading {
                        alphabet[(y % alphabet.len() as u64) as usize]
                    } else if (x >> 16).is_multiple_of(3) {
                        b' '
                    } else {
                        b"0123456789"[(y % 10) as usize]
                    }
                })
                .collect();
            let (hex, dec, spaces) = plain_columns(&text);
            let mut c = Columns(&text);
            assert_eq!(c.hex().map(|v| (v, len - c.0.len())), hex, "hex {text:?}");
            let mut c = Columns(&text);
            assert_eq!(
                c.decimal().map(|v| (v, len - c.0.len())),
                dec,
                "decimal {text:?}"
            );
            let mut c = Columns(&text);
            c.skip_spaces();
            assert_eq!(len - c.0.len(), spaces, "spaces {text:?}");
        }
    }

    #[test]
    fn the_common_map_line_read_at_fixed_columns_is_read_as_column_by_column() {
        let lines: [&[u8]; 4] = [
            b"7f2ef8148000-7f2ef816e000 r-xp 00026000 fe:00 326279    /usr/lib/x",
            b"55c5c1686000-55c5c1688000 rw-s 00000000 00:00 0 ",
            b"7ffd23bcf000-7ffd23bf0000 rw-p 00000000 00:00 0                          [stack]",
            b"7f0000000000-7f0000400000 ---p 0000abcd 1a:2f 12345678901234567890",
        ];
        let alphabet = *b"0789afg-: rwxsp\x00\xff";
        let mut taken = 0;
        for line in lines {
            assert!(map_line_head(line).is_some(), "{}", line.escape_ascii());
            for at in 0..47.min(line.len()) {
                for &byte in &alphabet {
                    let mut changed = line.to_vec();
                    changed[at] = byte;
                    // Both ways of judging the shape, taken or not.
                    if let Some(head) = changed.first_chunk::<46>() {
                        assert_eq!(
                            common_head_shape(head),
                            common_head_shape_swar(head),
                            "{}",
                            changed.escape_ascii()
                        );
                    }
                    let Some(fast) = map_line_head(&changed) else {
                        continue;
                    };
                    taken += 1;
                    let general = map_line_head_by_column(&changed);
                    assert_eq!(Some(fast), general, "{}", changed.escape_ascii());
                }
            }
        }
        assert!(taken > 4 * 36 * 4, "only {taken} variants taken");
        // Other widths are the general reader's.
        assert!(map_line_head(b"00400000-00452000 r-xp 00000000 08:02 173521      /bin").is_none());
        assert!(
            map_line_head(b"7f2ef8148000-7f2ef816e000 r-xp 00026000 103:1a 326279 /x").is_none()
        );
    }

    #[test]
    fn wide_hex_matches_the_plain_parser() {
        let alphabet = b"0123456789abcdefABCDEFg -:/\x00\x7f\x80\xb0\xe6\xff";
        for x in xorshift(0x2545_f491_4f6c_dd1d, 200_000) {
            let digits = (x % 19) as usize;
            let mut text = [0u8; 17];
            let mut y = x;
            for (i, b) in text.iter_mut().enumerate() {
                y = y.rotate_left(5) ^ (i as u64);
                *b = if i < digits {
                    b"0123456789abcdef"[(y % 16) as usize]
                } else {
                    alphabet[(y % alphabet.len() as u64) as usize]
                };
            }
            let words: &[u8; 16] = text[..16].try_into().unwrap();
            let (plain_value, plain_digits) = hex_prefix(&text);
            let (value, digits) = hex_prefix_wide(words, Some(text[16])).unwrap();
            assert_eq!(digits.min(17), plain_digits, "{text:?}");
            if plain_digits <= 16 {
                assert_eq!(value, plain_value, "{text:?}");
            }
        }
        assert_eq!(
            hex_prefix_wide(b"ffffffffffffffff", Some(b' ')),
            Some((u64::MAX, 16))
        );
        assert_eq!(
            hex_prefix_wide(b"0000000000000000", Some(b'0')).unwrap().1,
            17
        );
        assert_eq!(
            hex_prefix_wide(b"7f2ef8148000-7f2", None),
            Some((0x7f2e_f814_8000, 12))
        );
    }

    #[test]
    fn a_file_line() {
        let line = map(
            "7f2ef8148000-7f2ef816e000 r-xp 00026000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6",
        );
        assert_eq!(
            line,
            MapLine {
                start: 0x7f2e_f814_8000,
                end: 0x7f2e_f816_e000,
                perms: Perms {
                    read: true,
                    write: false,
                    exec: true,
                    shared: false,
                },
                offset: 0x26000,
                major: 0xfe,
                minor: 0,
                inode: 326_279,
                name: b"/usr/lib/x86_64-linux-gnu/libc.so.6",
            }
        );
    }

    #[test]
    fn anonymous_memory_has_an_empty_name() {
        let line = map("7f2ef80c3000-7f2ef80e5000 rw-s 00000000 00:00 0 ");
        assert_eq!(line.name, b"");
        assert!(line.perms.shared && line.perms.write);
        assert_eq!(map("1000-2000 ---p 00000000 00:00 0").name, b"");
    }

    #[test]
    fn pseudo_names_are_kept() {
        for name in ["[heap]", "[stack]", "[vdso]", "[vvar]", "[anon:my buffer]"] {
            let text = format!(
                "55c5c1686000-55c5c1688000 rw-p 00000000 00:00 0                          {name}"
            );
            assert_eq!(map(&text).name, name.as_bytes());
        }
        let vsyscall = map(
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
        );
        assert_eq!(vsyscall.end, 0xffff_ffff_ff60_1000);
        assert!(vsyscall.perms.exec && !vsyscall.perms.read);
    }

    #[test]
    fn a_path_with_spaces_stays_whole() {
        let line = map(
            "7f0409d56000-7f0409d57000 r--s 00000000 fe:00 10045727                   /tmp/a dir/ spaced  name ",
        );
        assert_eq!(line.name, b"/tmp/a dir/ spaced  name ");
    }

    #[test]
    fn a_name_past_the_padding_column_still_parses() {
        // A long inode pushes the name past the kernel's padding width;
        // only the one separating space remains.
        let line = map("7f0409d56000-7f0409d57000 r--s 00000000 103:1a 123456789012345678 /x");
        assert_eq!(
            (line.major, line.minor, line.inode),
            (0x103, 0x1a, 123_456_789_012_345_678)
        );
        assert_eq!(line.name, b"/x");
    }

    #[test]
    fn a_deleted_file_keeps_the_kernels_suffix() {
        let line = map(
            "7f0409d55000-7f0409d56000 r--p 00000000 fe:00 10045728                   /tmp/x (deleted)",
        );
        assert_eq!(line.name, b"/tmp/x (deleted)");
    }

    #[test]
    fn malformed_map_lines_are_rejected() {
        for bad in [
            "",
            "garbage",
            "7f00-",
            "7f00-7f01",
            "7f00-7f01 rw-p",
            "7f00-7f01 rw-q 00000000 00:00 0 ",
            "7f00-7f01 rwxp 0000000g 00:00 0 ",
            "7f00-7f01 rwxp 00000000 00-00 0 ",
            "7f00-7f01 rwxp 00000000 00:00 x ",
            "7f00-7f01 rwxp 00000000 00:00 0x",
            "7F00-7f01 rwxp 00000000 00:00 0 ",
            "7f00 7f01 rwxp 00000000 00:00 0 ",
            "10000000000000000-1 rwxp 00000000 00:00 0 ",
            "0-1 r--p 0 100000000:0 0 ",
            "0-1 r--p 0 0:0 99999999999999999999 ",
            "\u{ff}\u{fe}",
        ] {
            assert_eq!(parse_map_line(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn only_the_newline_escape_is_decoded() {
        assert_eq!(
            unescape("/tmp/new\\012line\\012", 1024),
            (b"/tmp/new\nline\n".to_vec(), false)
        );
        // The kernel escapes nothing else, so other backslashes are bytes
        // of the name.
        for kept in ["/a\\040b\\134c", "/a\\01", "/a\\000", "/a\\", "\\\\"] {
            assert_eq!(
                unescape(kept, 1024),
                (kept.as_bytes().to_vec(), false),
                "{kept}"
            );
        }
        assert_eq!(unescape("\\\\012", 1024), (b"\\\n".to_vec(), false));
    }

    #[test]
    fn a_literal_copy_keeps_the_escape_and_reports_decoding() {
        let mut out = [0xffu8; 32];
        let got = unescape_path(b"/a\\012b", &mut out, false);
        assert_eq!(
            (&out[..got.len], got.decoded, out[got.len]),
            (&b"/a\\012b"[..], false, 0)
        );
        let got = unescape_path(b"/a\\012b", &mut out, true);
        assert_eq!((&out[..got.len], got.decoded), (&b"/a\nb"[..], true));
        let got = unescape_path(b"/a\\01b", &mut out, true);
        assert!(!got.decoded);
    }

    #[test]
    fn long_paths_are_cut_to_fit_with_a_nul() {
        let long = "/".repeat(2000);
        let (got, truncated) = unescape(&long, 1024);
        assert_eq!((got.len(), truncated), (1023, true));
        let exact = "/".repeat(1023);
        assert_eq!(unescape(&exact, 1024), (exact.as_bytes().to_vec(), false));
        // An escape that would land past the end is not written either.
        let edge = format!("{}\\012", "/".repeat(1023));
        assert!(unescape(&edge, 1024).1);
        let edge = format!("{}\\012", "/".repeat(1022));
        let (got, truncated) = unescape(&edge, 1024);
        assert_eq!((got.last(), truncated), (Some(&b'\n'), false));
        assert_eq!(unescape("/x", 1), (Vec::new(), true));
        assert_eq!(unescape("", 1), (Vec::new(), false));
        assert_eq!(unescape("/x", 0), (Vec::new(), true));
    }

    const SMAPS: &str = "\
55c5c1686000-55c5c1688000 r--p 00000000 fe:00 247282                     /usr/bin/head
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   8 kB
Pss:                   8 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         8 kB
Private_Dirty:         0 kB
Referenced:            8 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
ProtectionKey:         0
VmFlags: rd mr mw me 
7f0000000000-7f0000400000 rw-p 00000000 00:00 0 
Size:               4096 kB
Rss:                4096 kB
Private_Clean:        12 kB
Private_Dirty:      4084 kB
AnonHugePages:      4096 kB
VmFlags: rd wr mr mw me ac lo dd hg 
7ffd23bcf000-7ffd23bf0000 rw-p 00000000 00:00 0                          [stack]
Rss:                 132 kB
Private_Dirty:       132 kB
VmFlags: rd wr mr mw me gd ac 
";

    /// The layout learned from the first record of `SMAPS`, and the text
    /// of that record's field lines.
    fn learned_layout() -> (RecordLayout, String) {
        let mut layout = RecordLayout::new();
        // The field lines of the first record, up to its `VmFlags`.
        let fields: String = SMAPS
            .lines()
            .skip(1)
            .take(24)
            .map(|l| format!("{l}\n"))
            .collect();
        for line in fields.lines().chain([VM_FLAGS_LINE]) {
            assert!(!layout.take_record(fields.as_bytes(), &mut SmapsCounts::default()));
            layout.learn(line.as_bytes(), &parse_smaps_line(line.as_bytes()).unwrap());
        }
        layout.complete();
        (layout, fields)
    }

    const VM_FLAGS_LINE: &str = "VmFlags: rd mr mw me ";

    /// The counts of `text`'s lines, parsed one by one.
    fn counts_line_by_line(text: &[u8]) -> Option<SmapsCounts> {
        let mut counts = SmapsCounts::default();
        let mut lines = Lines::new(text);
        for line in &mut lines {
            counts.record(parse_smaps_line(line)?);
        }
        Some(counts)
    }

    #[test]
    fn a_layout_takes_the_field_lines_it_learned_whole() {
        let (layout, fields) = learned_layout();
        assert_eq!(layout.lines(), (24, fields.len()));
        let record = format!("{fields}{VM_FLAGS_LINE}\n");
        let mut counts = SmapsCounts::default();
        assert!(layout.take_record(record.as_bytes(), &mut counts));
        assert_eq!(Some(counts), counts_line_by_line(fields.as_bytes()));
        assert_eq!((counts.rss_kb, counts.private_clean_kb), (8, 8));
        // Cut short, or with a line missing, it is not the layout's.
        let cut = &fields.as_bytes()[..fields.len() - 1];
        assert!(!layout.take_record(cut, &mut counts));
        let missing: String = fields.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert!(!layout.take_record(format!("{missing}{record}").as_bytes(), &mut counts));
    }

    #[test]
    fn what_a_layout_takes_is_what_the_full_parse_says() {
        let (layout, fields) = learned_layout();
        let mut taken = 0;
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for i in 0..fields.len() {
            for byte in [b' ', b'\n', b'0', b'9', b'x', b':', b'P', b'V', 0xff] {
                let mut changed = fields.clone().into_bytes();
                changed[i] = byte;
                variants.push(changed);
            }
        }
        let longer = fields.replacen(
            "Rss:                   8 kB",
            "Rss:           123456789 kB",
            1,
        );
        variants.push(longer.into_bytes());
        for variant in &variants {
            let untouched = SmapsCounts {
                rss_kb: 77,
                ..SmapsCounts::default()
            };
            let mut counts = untouched;
            if layout.take_record(variant, &mut counts) {
                taken += 1;
                assert_eq!(
                    Some(counts),
                    counts_line_by_line(variant),
                    "{:?}",
                    variant.escape_ascii()
                );
            } else {
                assert_eq!(counts, untouched, "nothing recorded");
            }
        }
        // Digits changed in place, and padding turned into digits, are taken.
        assert!(taken > fields.len(), "only {taken} variants taken");
    }

    #[test]
    fn layouts_compared_a_block_at_a_time_agree_with_a_byte_at_a_time() {
        let mut words = xorshift(0xb10c_5eed, 1_000_000);
        let mut next = || words.next().unwrap();
        let mut differing = 0;
        for _ in 0..2000 {
            let len = (next() % 200) as usize;
            // As a layout is: the counts' columns (about one byte in
            // eight) not fixed, expecting a newline there.
            let fixed: Vec<u8> = (0..len)
                .map(|_| if next() % 8 == 0 { 0 } else { FIXED })
                .collect();
            let mut text: Vec<u8> = (0..len).map(|_| b" 0a:"[next() as usize % 4]).collect();
            let expect: Vec<u8> = text
                .iter()
                .zip(&fixed)
                .map(|(&b, &f)| match f {
                    FIXED if next() % 128 == 0 => b ^ 1,
                    FIXED => b,
                    _ => b'\n',
                })
                .collect();
            // Now and then, a newline in a count's columns.
            for (byte, _) in text.iter_mut().zip(&fixed).filter(|(_, f)| **f == 0) {
                if next() % 64 == 0 {
                    *byte = b'\n';
                }
            }
            let by_byte = differs_by_byte(&text, &expect, &fixed);
            differing += usize::from(by_byte);
            assert_eq!(differs(&text, &expect, &fixed), by_byte, "{len} bytes");
            #[cfg(target_arch = "x86_64")]
            if len >= 16 {
                assert_eq!(differs_16(&text, &expect, &fixed), by_byte, "{len} bytes");
            }
            #[cfg(all(target_arch = "x86_64", not(miri)))]
            if len >= 32 && avx2::available() {
                // SAFETY: the CPU has AVX2.
                let by_32 = unsafe { avx2::differs(&text, &expect, &fixed) };
                assert_eq!(by_32, by_byte, "{len} bytes");
            }
        }
        // Both answers were met often.
        assert!(
            (500..1500).contains(&differing),
            "{differing} of 2000 differ"
        );
    }

    #[test]
    fn a_layout_stops_learning_at_a_line_it_cannot_take() {
        let mut layout = RecordLayout::new();
        for line in [
            &b"Size:                  8 kB"[..],
            b"Short: 1",
            b"Rss:                   8 kB",
        ] {
            layout.learn(line, &parse_smaps_line(line).unwrap());
        }
        layout.complete();
        assert_eq!(layout.lines(), (1, 28));
        let mut counts = SmapsCounts::default();
        assert!(layout.take_record(b"Size:                 16 kB\nShort: 1\n", &mut counts));
        assert_eq!(counts, SmapsCounts::default());
    }

    #[test]
    fn the_eight_columns_read_as_a_word_agree_with_digit_by_digit() {
        let mut values: Vec<Vec<u8>> = Vec::new();
        for number in [
            "0",
            "7",
            "12",
            "4096",
            "1234567",
            "12345678",
            "99999999",
            "123456789",
        ] {
            for width in [0, 1, 8, 12, 20] {
                let padded = format!("{number:>width$}");
                values.push(format!("{padded} kB").into_bytes());
                values.push(padded.into_bytes());
            }
        }
        for odd in [
            "        kB",
            "         kB",
            "    12 3 kB",
            "   1 2 3 kB",
            "  -12345 kB",
            "    12x4 kB",
            "x     123 kB",
            "\t      123 kB",
            "       123 KB",
            "       123kB ",
            "0000000000 kB",
            "   +1234 kB",
            "        0 kB",
            "       /9 kB",
            "       :0 kB",
        ] {
            values.push(odd.as_bytes().to_vec());
        }
        for value in &values {
            assert_eq!(
                parse_kb(value),
                parse_kb_by_digit(value),
                "{:?}",
                value.escape_ascii()
            );
        }
        // Every 8 columns of spaces, digits and their neighbours.
        let alphabet = *b" 09/:";
        let mut columns = [0u8; 8];
        for n in 0..alphabet.len().pow(8) {
            let mut rest = n;
            for column in &mut columns {
                *column = alphabet[rest % alphabet.len()];
                rest /= alphabet.len();
            }
            let value = [&b"  "[..], &columns, b" kB"].concat();
            assert_eq!(
                parse_kb(&value),
                parse_kb_by_digit(&value),
                "{:?}",
                value.escape_ascii()
            );
        }
        assert_eq!(parse_kb(b"            12345678 kB"), Some(12_345_678));
        assert_eq!(parse_kb(b"         1 kB"), Some(1));
    }

    #[test]
    fn every_field_is_read_by_its_name() {
        for field in [
            Field::Rss,
            Field::PrivateClean,
            Field::PrivateDirty,
            Field::AnonHugePages,
            Field::ShmemPmdMapped,
            Field::FilePmdMapped,
        ] {
            let line = [field.name(), b"       1 kB"].concat();
            assert_eq!(parse_smaps_line(&line), Some(SmapsLine::Field(field, 1)));
        }
    }

    #[test]
    fn smaps_records_collect_their_fields() {
        let records = parse_smaps(SMAPS).unwrap();
        assert_eq!(records.len(), 3);
        let (head, counts) = records[0];
        assert_eq!(head.name, b"/usr/bin/head");
        assert_eq!(
            counts,
            SmapsCounts {
                rss_kb: 8,
                private_clean_kb: 8,
                vm_flags: Some(
                    VmFlags::MAY_READ
                        .with(VmFlags::MAY_WRITE)
                        .with(VmFlags::MAY_EXEC)
                ),
                ..SmapsCounts::default()
            }
        );
        assert!(!counts.huge_pages());
        let (_, counts) = records[1];
        assert_eq!(
            (
                counts.rss_kb,
                counts.private_clean_kb,
                counts.private_dirty_kb
            ),
            (4096, 12, 4084)
        );
        let flags = counts.vm_flags.unwrap();
        assert!(flags.contains(VmFlags::LOCKED) && flags.contains(VmFlags::DONT_DUMP));
        assert!(!flags.contains(VmFlags::GROWS_DOWN));
        assert!(counts.huge_pages());
        let (stack, counts) = records[2];
        assert_eq!(stack.name, b"[stack]");
        assert!(counts.vm_flags.unwrap().contains(VmFlags::GROWS_DOWN));
        assert_eq!((counts.rss_kb, counts.private_dirty_kb), (132, 132));
    }

    #[test]
    fn every_vm_flag_code_is_read() {
        let all = parse_vm_flags(b" rd wr ex mr mw me gd lo dd ht xx abc ");
        assert_eq!(
            parse_vm_flags(b"mr  mw\tme gd lo dd ht"),
            parse_vm_flags(b"mr gd lo dd ht")
        );
        assert_eq!(parse_vm_flags(b" x mr mw me gd lo dd ht "), all);
        // Spacing broken after a few groups: the codes are split at the
        // spaces, so the groups read three bytes at a time before the break
        // count for nothing (`mwxme` is no code).
        assert_eq!(parse_vm_flags(b" mr mwxme "), parse_vm_flags(b" mr "));
        assert_eq!(parse_vm_flags(b" mr mw mex"), parse_vm_flags(b" mr mw "));
        for flag in [
            VmFlags::MAY_READ,
            VmFlags::MAY_WRITE,
            VmFlags::MAY_EXEC,
            VmFlags::GROWS_DOWN,
            VmFlags::LOCKED,
            VmFlags::DONT_DUMP,
            VmFlags::HUGETLB,
        ] {
            assert!(all.contains(flag));
            assert!(!parse_vm_flags(b" rd wr ex ").contains(flag));
        }
        let hugetlb = SmapsCounts {
            vm_flags: Some(parse_vm_flags(b" rd ht ")),
            ..SmapsCounts::default()
        };
        assert!(hugetlb.huge_pages());
    }

    #[test]
    fn only_the_codes_read_have_a_flag_among_every_pair_of_bytes() {
        for a in 0..=u8::MAX {
            for b in 0..=u8::MAX {
                let want = match &[a, b] {
                    b"mr" => VmFlags::MAY_READ,
                    b"mw" => VmFlags::MAY_WRITE,
                    b"me" => VmFlags::MAY_EXEC,
                    b"gd" => VmFlags::GROWS_DOWN,
                    b"lo" => VmFlags::LOCKED,
                    b"dd" => VmFlags::DONT_DUMP,
                    b"ht" => VmFlags::HUGETLB,
                    _ => VmFlags::default(),
                };
                assert_eq!(vm_flag(a, b), want, "{:?}", [a, b].escape_ascii());
            }
        }
    }

    #[test]
    fn either_pmd_count_means_huge_pages() {
        for line in [
            "ShmemPmdMapped:  2048 kB",
            "FilePmdMapped:  2048 kB",
            "AnonHugePages: 2048 kB",
        ] {
            let mut counts = SmapsCounts::default();
            counts.record(parse_smaps_line(line.as_bytes()).unwrap());
            assert!(counts.huge_pages(), "{line}");
        }
    }

    #[test]
    fn field_values_parse_from_the_end() {
        for (line, want) in [
            ("Rss:                   8 kB", Some(8)),
            ("Rss:0 kB", Some(0)),
            (
                "Rss: 9999999999999999999 kB",
                Some(9_999_999_999_999_999_999),
            ),
            ("Rss:    12", Some(12)),
            ("Rss:", None),
            ("Rss: kB", None),
            ("Rss:  1 2 kB", None),
            ("Rss: -1 kB", None),
        ] {
            let got = match parse_smaps_line(line.as_bytes()) {
                Some(SmapsLine::Field(Field::Rss, kb)) => Some(kb),
                None => None,
                other => panic!("{line}: {other:?}"),
            };
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn missing_fields_count_as_zero() {
        let records = parse_smaps("1000-2000 r--p 00000000 00:00 0 \nSize: 4 kB\n").unwrap();
        assert_eq!(records[0].1, SmapsCounts::default());
        assert_eq!(records[0].1.vm_flags, None);
    }

    #[test]
    fn unknown_fields_are_skipped_but_garbage_is_not() {
        let text =
            "1000-2000 r--p 00000000 00:00 0 \nNewField2030: 1 kB\nRssAnon: 4 kB\nRss: 4 kB\n";
        assert_eq!(parse_smaps(text).unwrap()[0].1.rss_kb, 4);
        for bad in [
            "1000-2000 r--p 00000000 00:00 0 \n\n",
            "1000-2000 r--p 00000000 00:00 0 \ngarbage\n",
            "1000-2000 r--p 00000000 00:00 0 \nRss: many kB\n",
            "1000-2000 r--p 00000000 00:00 0 \nRss: 4 MB\n",
            "1000-2000 r--p 00000000 00:00 0 \nRss: x 4 kB\n",
            "1000-2000 r--p 00000000 00:00 0 \nRss:4 4 kB\n",
            "1000-2000 r--p 00000000 00:00 0 \nRss:           \t4 kB\n",
            "1000-2000 r--p 00000000 00:00 0 \nRss: 4 kB \n",
            "1000-2000 r--p 00000000 00:00 0 \nPrivate_Dirty:\n",
            "1000-2000 r--p 00000000 00:00 0 \nAnonHugePages: 99999999999999999999 kB\n",
            "1000-2000 r--p 00000000 00:00 0 \nAnonHugePages: 10000000000000000000 kB\n",
            "1000-2000 r--p 00000000 00:00 0 \n\u{1}Rss: 4 kB\n",
            "fff-zzz r--p 00000000 00:00 0 \n",
            // A field before any map line belongs to nothing.
            "Rss: 4 kB\n1000-2000 r--p 00000000 00:00 0 \n",
        ] {
            assert_eq!(parse_smaps(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn both_newline_masks_mark_exactly_the_newlines() {
        let mut block = [0u8; BLOCK];
        for seed in 0..2_000u64 {
            let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            for b in block.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Newlines, and bytes one bit away from one, often.
                *b = [b'\n', 0x0b, 0x8a, 0x4a, 0x0e, 0, 0xff, x as u8][(x >> 40) as usize % 8];
            }
            let want = block
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &b)| m | (u64::from(b == b'\n') << i));
            assert_eq!(newline_mask(&block), want, "{block:?}");
            assert_eq!(newline_mask_swar(&block), want, "{block:?}");
        }
    }

    #[test]
    fn lines_split_as_the_obvious_split_does() {
        // Lines of every length 0 to 20 around every word boundary, and
        // bytes that differ from '\n' by one bit (0x0b, 0x8a, 0x4a...).
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for a in 0..20usize {
            for b in 0..20usize {
                let mut text = vec![b'x'; a];
                text.push(b'\n');
                text.extend(std::iter::repeat_n(0x8a, b));
                text.push(b'\n');
                text.extend([0x0b, 0x4a, 0x0a ^ 0x80, 0x0e, 0]);
                texts.push(text.clone());
                text.push(b'\n');
                texts.push(text);
            }
        }
        texts.push(b"\n\n\n\n\n\n\n\n\n\n".to_vec());
        texts.push(Vec::new());
        for text in &texts {
            let mut lines = Lines::new(text);
            let got: Vec<&[u8]> = lines.by_ref().collect();
            let mut want: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            let rest = want.pop().unwrap();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(lines.rest(), rest, "{text:?}");
            assert_eq!(lines.next(), None);
        }
    }

    #[test]
    fn a_truncated_last_line_is_left_over() {
        let text = "1000-2000 r--p 00000000 00:00 0 \nRss: 4 kB\n3000-4000 r--p 0000";
        let mut lines = Lines::new(text.as_bytes());
        assert_eq!(lines.by_ref().count(), 2);
        assert_eq!(lines.rest(), b"3000-4000 r--p 0000");
        assert_eq!(parse_smaps(text), None);
        let mut lines = Lines::new(b"a\n");
        assert_eq!(lines.next(), Some(&b"a"[..]));
        assert_eq!(lines.next(), None);
        assert_eq!(lines.rest(), b"");
    }

    #[test]
    fn no_input_makes_the_parsers_panic() {
        // Every prefix and every single-byte corruption of a real text.
        let text = SMAPS.as_bytes();
        let mut out = [0u8; 64];
        for cut in 0..text.len() {
            let mut corrupt = text.to_vec();
            for byte in [0u8, b' ', b'\\', b'\n', b'-', b':', 0xff] {
                corrupt[cut] = byte;
                for line in Lines::new(&corrupt).chain([&text[..cut], &corrupt[cut..]]) {
                    let _ = parse_smaps_line(line);
                    let _ = parse_map_line(line);
                    let _ = parse_stat(line);
                    let _ = unescape_path(line, &mut out, true);
                }
            }
        }
    }

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let kthreadd = b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 21 0 0\n";
        assert_eq!(
            parse_stat(kthreadd),
            Some(ProcStat {
                state: b'S',
                flags: 2_129_984,
            })
        );
        let odd = b"77 (a) Z (b) Z 1 77 77 0 -1 4194560 0 0\n";
        assert_eq!(
            parse_stat(odd).map(|s| (s.state, s.flags)),
            Some((b'Z', 4_194_560))
        );
        // The flags ending the text, with or without its newline.
        for text in [&b"9 (a) R 1 9 9 0 -1 41\n"[..], b"9 (a) R 1 9 9 0 -1 41"] {
            assert_eq!(
                parse_stat(text),
                Some(ProcStat {
                    state: b'R',
                    flags: 41
                })
            );
        }
        for bad in [
            &b""[..],
            b"77 (a",
            b"77 (a) ZZ 1 2 3 4 5 6",
            b"77 (a) Z 1 2 3 4 5",
            b"77 (a) Z 1 2 3 4 5 x",
        ] {
            assert_eq!(parse_stat(bad), None);
        }
    }
}
