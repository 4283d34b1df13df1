//! The license engine: the knowledge base (`licenses/`, embedded), text
//! matching, clause reading, lineage and the decision.

pub mod base_models;
pub mod clauses;
pub mod clauses_zh;
pub mod decide;
pub mod derive;
pub mod detect;
pub mod kb;
pub mod lineage;
pub mod spdx_facts;
pub mod text;
pub mod verdict;

pub use decide::{
    decide, resolve_license, BaseLicense, LicenseFile, LicenseInputs, LicenseReport, Obligation,
};
pub use verdict::{ObligationKind, Verdict};
