//! Systems with no backend: every call fails with ENOSYS.

use crate::error::Error;
use crate::vmmap::VmMap;

pub(crate) fn vmmap(_pid: i32) -> Result<VmMap, Error> {
    Err(Error::Unsupported)
}
