//! Verdicts for commercial use and the kinds of obligation a license imposes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// May this model be used commercially?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No use at all is granted.
    Prohibited,
    /// Research only: no commercial, production or most other use.
    ResearchOnly,
    /// The grant excludes commercial use.
    NonCommercial,
    /// Commercial use needs something from the licensor first.
    RequiresApproval,
    /// Granted now, subject to obligations and size thresholds.
    PermittedWithConditions,
    /// Granted with no more than the usual notice duties.
    Permitted,
    /// Could not be decided; treated as failing.
    Unknown,
}

impl Verdict {
    /// Every verdict, strictest first.
    pub const ALL: [Verdict; 7] = [
        Verdict::Prohibited,
        Verdict::ResearchOnly,
        Verdict::NonCommercial,
        Verdict::RequiresApproval,
        Verdict::Unknown,
        Verdict::PermittedWithConditions,
        Verdict::Permitted,
    ];

    /// Position on the strictness scale: lower is stricter. `unknown` sits
    /// between `requires-approval` and `permitted-with-conditions`, so that
    /// doubt never makes anything more permissive, while a known exclusion
    /// (non-commercial) is still reported as such.
    pub fn rank(self) -> u8 {
        match self {
            Verdict::Prohibited => 0,
            Verdict::ResearchOnly => 1,
            Verdict::NonCommercial => 2,
            Verdict::RequiresApproval => 3,
            Verdict::Unknown => 4,
            Verdict::PermittedWithConditions => 5,
            Verdict::Permitted => 6,
        }
    }

    /// The stricter of two verdicts.
    pub fn stricter(self, other: Verdict) -> Verdict {
        if other.rank() < self.rank() {
            other
        } else {
            self
        }
    }

    /// True when commercial use is granted (with or without conditions).
    pub fn allows_commercial_use(self) -> bool {
        matches!(self, Verdict::Permitted | Verdict::PermittedWithConditions)
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Prohibited => "prohibited",
            Verdict::ResearchOnly => "research-only",
            Verdict::NonCommercial => "non-commercial",
            Verdict::RequiresApproval => "requires-approval",
            Verdict::PermittedWithConditions => "permitted-with-conditions",
            Verdict::Permitted => "permitted",
            Verdict::Unknown => "unknown",
        }
    }

    /// Parses a kebab-case name.
    pub fn from_name(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a license asks of the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObligationKind {
    /// Display a credit such as "Built with Llama".
    Attribution,
    /// Derivative names must begin with a prefix.
    NamePrefix,
    /// Follow an acceptable-use policy.
    AcceptableUsePolicy,
    /// A separate license above a number of monthly active users.
    UserThreshold,
    /// A separate license above a revenue.
    RevenueThreshold,
    /// Regions where the license does not apply.
    TerritoryExclusion,
    /// Do not use the model or its outputs to improve other models.
    NoTrainingOtherModels,
    /// Pass use restrictions on to downstream users (RAIL).
    UseRestrictionsPassdown,
    /// Register or apply before commercial use.
    Registration,
    /// Ship a copy of the agreement.
    LicenseCopy,
    /// Keep a NOTICE file or notice text.
    NoticeFile,
    /// Derivatives must be shared under the same terms (copyleft, share-alike).
    ShareAlike,
    /// Non-commercial use only.
    NonCommercial,
    /// Research use only.
    ResearchOnly,
    /// Fields the model may not be used in (military, medical diagnosis,
    /// surveillance, a competing product, ...).
    FieldOfUseBan,
}

impl ObligationKind {
    /// Every kind.
    pub const ALL: [ObligationKind; 15] = [
        ObligationKind::Attribution,
        ObligationKind::NamePrefix,
        ObligationKind::AcceptableUsePolicy,
        ObligationKind::UserThreshold,
        ObligationKind::RevenueThreshold,
        ObligationKind::TerritoryExclusion,
        ObligationKind::NoTrainingOtherModels,
        ObligationKind::UseRestrictionsPassdown,
        ObligationKind::Registration,
        ObligationKind::LicenseCopy,
        ObligationKind::NoticeFile,
        ObligationKind::ShareAlike,
        ObligationKind::NonCommercial,
        ObligationKind::ResearchOnly,
        ObligationKind::FieldOfUseBan,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObligationKind::Attribution => "attribution",
            ObligationKind::NamePrefix => "name-prefix",
            ObligationKind::AcceptableUsePolicy => "acceptable-use-policy",
            ObligationKind::UserThreshold => "user-threshold",
            ObligationKind::RevenueThreshold => "revenue-threshold",
            ObligationKind::TerritoryExclusion => "territory-exclusion",
            ObligationKind::NoTrainingOtherModels => "no-training-other-models",
            ObligationKind::UseRestrictionsPassdown => "use-restrictions-passdown",
            ObligationKind::Registration => "registration",
            ObligationKind::LicenseCopy => "license-copy",
            ObligationKind::NoticeFile => "notice-file",
            ObligationKind::ShareAlike => "share-alike",
            ObligationKind::NonCommercial => "non-commercial",
            ObligationKind::ResearchOnly => "research-only",
            ObligationKind::FieldOfUseBan => "field-of-use-ban",
        }
    }

    /// Parses a kebab-case name.
    pub fn from_name(s: &str) -> Option<ObligationKind> {
        ObligationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The most permissive verdict a text carrying this clause can have.
    pub fn verdict_cap(self) -> Verdict {
        match self {
            ObligationKind::NonCommercial => Verdict::NonCommercial,
            ObligationKind::ResearchOnly => Verdict::ResearchOnly,
            ObligationKind::Registration => Verdict::RequiresApproval,
            ObligationKind::LicenseCopy | ObligationKind::NoticeFile => Verdict::Permitted,
            _ => Verdict::PermittedWithConditions,
        }
    }
}

impl fmt::Display for ObligationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_is_total_and_unknown_never_loosens() {
        assert_eq!(
            Verdict::Permitted.stricter(Verdict::Unknown),
            Verdict::Unknown
        );
        assert_eq!(
            Verdict::NonCommercial.stricter(Verdict::Unknown),
            Verdict::NonCommercial
        );
        assert_eq!(
            Verdict::PermittedWithConditions.stricter(Verdict::ResearchOnly),
            Verdict::ResearchOnly
        );
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_name(v.as_str()), Some(v));
        }
        for k in ObligationKind::ALL {
            assert_eq!(ObligationKind::from_name(k.as_str()), Some(k));
        }
    }
}
