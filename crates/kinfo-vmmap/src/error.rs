//! The error type of every call, and its `errno` for the C face.
//!
//! Each variant is a failure a caller can cause or meet, with the errno that
//! FreeBSD's kernel or libutil would give for it, so the C face can report
//! any error without losing what it means.

use core::fmt;

/// Why packed records were rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// `kve_structsize` is smaller than the fixed head of a record (136).
    TooSmall(i32),
    /// `kve_structsize` is larger than `sizeof(struct kinfo_vmentry)` (1160).
    TooLarge(i32),
    /// The record claims more bytes than the buffer has left.
    PastEnd { structsize: i32, remaining: usize },
    /// Fewer bytes are left than a `kve_structsize` needs.
    TrailingFragment(usize),
    /// The kernel reported more bytes than the buffer it was given.
    LengthBeyondBuffer { reported: usize, capacity: usize },
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooSmall(size) => {
                write!(f, "kve_structsize {size} is below the 136-byte record head")
            }
            Self::TooLarge(size) => write!(
                f,
                "kve_structsize {size} exceeds sizeof(struct kinfo_vmentry)"
            ),
            Self::PastEnd {
                structsize,
                remaining,
            } => {
                write!(
                    f,
                    "kve_structsize {structsize} runs past the end ({remaining} bytes left)"
                )
            }
            Self::TrailingFragment(len) => {
                write!(f, "{len}-byte fragment cannot hold kve_structsize")
            }
            Self::LengthBeyondBuffer { reported, capacity } => {
                write!(
                    f,
                    "kernel reported {reported} bytes for a {capacity}-byte buffer"
                )
            }
        }
    }
}

/// A failure of `vmmap` or `unpack`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No such process, or it is exiting (`ESRCH`).
    #[error("no such process")]
    NoSuchProcess,
    /// The caller may not inspect the process (`EPERM`).
    #[error("operation not permitted")]
    PermissionDenied,
    /// An allocation failed, or the map kept outgrowing every buffer (`ENOMEM`).
    #[error("out of memory")]
    OutOfMemory,
    /// Packed records failed validation (`EINVAL`).
    #[error("malformed record at byte {offset}: {reason}")]
    Malformed { offset: usize, reason: Malformed },
    /// A line of `/proc/PID/smaps`, `maps` or `stat` text did not parse
    /// (`EIO` from C: the kernel never writes such a line, so a read that
    /// gives one gave bad data). `line` counts from 1.
    #[error("malformed /proc text at line {line}")]
    MalformedText { line: usize },
    /// This operating system has no backend (`ENOSYS`).
    #[error("not supported on this operating system")]
    Unsupported,
    /// Any other errno the system returned, passed through unchanged.
    #[error("{}", OsMessage(*.0))]
    Os(i32),
}

impl Error {
    /// The error for an errno the system returned.
    pub fn from_errno(errno: i32) -> Self {
        match errno {
            libc::ESRCH => Self::NoSuchProcess,
            libc::EPERM => Self::PermissionDenied,
            libc::ENOMEM => Self::OutOfMemory,
            libc::ENOSYS => Self::Unsupported,
            other => Self::Os(other),
        }
    }

    /// The errno the C face reports for this error.
    pub fn errno(&self) -> i32 {
        match *self {
            Self::NoSuchProcess => libc::ESRCH,
            Self::PermissionDenied => libc::EPERM,
            Self::OutOfMemory => libc::ENOMEM,
            Self::Malformed { .. } => libc::EINVAL,
            Self::MalformedText { .. } => libc::EIO,
            Self::Unsupported => libc::ENOSYS,
            Self::Os(errno) => errno,
        }
    }
}

/// The system's message for an errno: std's where there is std, the
/// number alone where there is not.
struct OsMessage(i32);

impl fmt::Display for OsMessage {
    #[cfg(feature = "std")]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&std::io::Error::from_raw_os_error(self.0), f)
    }

    #[cfg(not(feature = "std"))]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "os error {}", self.0)
    }
}

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(error: Error) -> Self {
        std::io::Error::from_raw_os_error(error.errno())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_round_trips_through_from_errno() {
        for errno in [
            libc::ESRCH,
            libc::EPERM,
            libc::ENOMEM,
            libc::ENOSYS,
            libc::EACCES,
            libc::EFAULT,
        ] {
            assert_eq!(Error::from_errno(errno).errno(), errno);
        }
    }

    #[test]
    fn malformed_records_are_einval_and_malformed_text_eio() {
        let malformed = Error::Malformed {
            offset: 8,
            reason: Malformed::TooSmall(4),
        };
        assert_eq!(malformed.errno(), libc::EINVAL);
        assert_eq!(
            malformed.to_string(),
            "malformed record at byte 8: kve_structsize 4 is below the 136-byte record head"
        );
        assert_eq!(Error::MalformedText { line: 3 }.errno(), libc::EIO);
    }

    #[test]
    fn passed_through_errno_displays_the_system_message() {
        let expected = std::io::Error::from_raw_os_error(libc::EACCES).to_string();
        assert_eq!(Error::Os(libc::EACCES).to_string(), expected);
    }
}
