//! Systems with no backend: every call fails with ENOSYS.

use crate::error::Error;
use crate::sys::Resident;
use crate::vmmap::VmMap;

/// ENOSYS, whatever `resident` asks.
pub(crate) fn vmmap(_pid: i32, _resident: Resident) -> Result<VmMap, Error> {
    Err(Error::Unsupported)
}
