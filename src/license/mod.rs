//! The license engine: the knowledge base (`licenses/`, embedded), text
//! matching, clause reading, lineage and the decision.

pub mod base_models;
pub mod clauses;
pub mod clauses_zh;
pub mod datasets;
pub mod decide;
pub mod derive;
pub mod detect;
pub mod kb;
pub mod licensee;
pub mod lineage;
pub mod memo;
pub mod pattern;
pub mod spdx_facts;
pub mod text;
pub mod verdict;

pub use decide::{
    decide, resolve_license, AlsoCited, BaseLicense, LicenseFile, LicenseInputs, LicenseReport,
    Obligation,
};
pub use verdict::{ObligationKind, Verdict};

/// Largest license text read; a longer file is read this far, and the
/// decision fails closed on what it did not read.
pub const MAX_TEXT_BYTES: u64 = 2 * 1024 * 1024;
