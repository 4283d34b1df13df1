//! The library's error type: failures to run, as opposed to findings.

use crate::locate::LocateError;
use thiserror::Error;

/// Why `mri` could not make a report at all.
#[derive(Debug, Error)]
pub enum Error {
    /// The target could not be located or is not a model.
    #[error(transparent)]
    Locate(#[from] LocateError),
    /// An `hf://` target could not be fetched from the Hub.
    #[error(transparent)]
    Hub(#[from] crate::hub::HubError),
}
