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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// An argument was invalid, such as a NULL count pointer (`EINVAL`).
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// This operating system has no backend (`ENOSYS`).
    #[error("not supported on this operating system")]
    Unsupported,
    /// An internal invariant failed instead of unwinding into C (`EIO`).
    #[error("internal error")]
    Internal,
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
            Self::Malformed { .. } | Self::InvalidArgument(_) => libc::EINVAL,
            Self::Unsupported => libc::ENOSYS,
            Self::Internal => libc::EIO,
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
    fn malformed_data_and_bad_arguments_are_einval() {
        let malformed = Error::Malformed {
            offset: 8,
            reason: Malformed::TooSmall(4),
        };
        assert_eq!(malformed.errno(), libc::EINVAL);
        assert_eq!(
            malformed.to_string(),
            "malformed record at byte 8: kve_structsize 4 is below the 136-byte record head"
        );
        assert_eq!(Error::InvalidArgument("cntp is NULL").errno(), libc::EINVAL);
    }

    #[test]
    fn passed_through_errno_displays_the_system_message() {
        let expected = std::io::Error::from_raw_os_error(libc::EACCES).to_string();
        assert_eq!(Error::Os(libc::EACCES).to_string(), expected);
    }
}
