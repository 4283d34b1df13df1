//! SPDX licenses: facts from the `spdx` crate, and what they mean for
//! commercial use. The non-commercial and no-derivatives Creative Commons
//! licenses have knowledge-base entries and never reach this table.

use super::verdict::{ObligationKind, Verdict};
use serde::Serialize;

/// What SPDX says of a license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpdxFacts {
    /// The SPDX id.
    pub id: String,
    /// Its full name.
    pub name: String,
    /// OSI approved.
    pub osi_approved: bool,
    /// FSF free/libre.
    pub fsf_libre: bool,
    /// Copyleft.
    pub copyleft: bool,
    /// Deprecated id.
    pub deprecated: bool,
}

/// Facts for an SPDX id (exact, or an imprecise spelling such as `apache-2.0`).
pub fn facts(id: &str) -> Option<SpdxFacts> {
    let lic = spdx::license_id(id)
        .or_else(|| {
            // a different case (`apache-2.0`): the exact id, case-insensitively
            spdx::identifiers::LICENSES
                .iter()
                .find(|l| l.name.eq_ignore_ascii_case(id))
                .and_then(|l| spdx::license_id(l.name))
        })
        .or_else(|| {
            // an imprecise spelling, but only when it is the whole text
            spdx::imprecise_license_id(id)
                .filter(|(_, consumed)| *consumed == id.len())
                .map(|(l, _)| l)
        })?;
    Some(SpdxFacts {
        id: lic.name.to_string(),
        name: lic.full_name.to_string(),
        osi_approved: lic.is_osi_approved(),
        fsf_libre: lic.is_fsf_free_libre(),
        copyleft: lic.is_copyleft(),
        deprecated: lic.is_deprecated(),
    })
}

/// Permissive licenses that are neither OSI- nor FSF-listed (data, content
/// and public-domain dedications).
const PERMISSIVE_OTHER: &[&str] = &[
    "CC0-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "PDDL-1.0",
    "ODC-By-1.0",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "WTFPL",
    "Unlicense",
    "AML",
    "etalab-2.0",
    "MIT-0",
];
/// Share-alike licenses that are neither OSI- nor FSF-listed as copyleft.
const SHARE_ALIKE_OTHER: &[&str] = &[
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "ODbL-1.0",
    "CDLA-Sharing-1.0",
    "LPPL-1.3c",
    "OFL-1.1",
];
/// Dedications with no duties at all.
const NO_DUTIES: &[&str] = &["CC0-1.0", "PDDL-1.0", "Unlicense", "WTFPL", "MIT-0", "0BSD"];

/// The commercial-use verdict of an SPDX license and the obligations it implies.
pub fn verdict(f: &SpdxFacts) -> (Verdict, Vec<ObligationKind>) {
    let id = f.id.as_str();
    let share_alike = f.copyleft || SHARE_ALIKE_OTHER.contains(&id);
    let known = f.osi_approved || f.fsf_libre || PERMISSIVE_OTHER.contains(&id) || share_alike;
    if !known {
        return (Verdict::Unknown, Vec::new());
    }
    let mut duties = Vec::new();
    if !NO_DUTIES.contains(&id) {
        duties.push(ObligationKind::LicenseCopy);
    }
    if id.starts_with("Apache-") {
        duties.push(ObligationKind::NoticeFile);
    }
    if id.starts_with("CC-BY") {
        duties.push(ObligationKind::Attribution);
    }
    if share_alike {
        duties.push(ObligationKind::ShareAlike);
        (Verdict::PermittedWithConditions, duties)
    } else {
        (Verdict::Permitted, duties)
    }
}

/// Phrases (normalised, as in the knowledge base's `locate`) that find the
/// clause of an implied duty in the standard texts, in order of preference.
/// A phrase belongs to one license's text, so whichever occurs in the user's
/// file is that file's clause.
pub fn duty_locate(kind: ObligationKind) -> Vec<String> {
    let phrases: &[&str] = match kind {
        ObligationKind::LicenseCopy => &[
            // MIT (and MIT-like)
            "the above copyright notice and this permission notice shall be included",
            // ISC
            "the above copyright notice and this permission notice appear in all copies",
            // BSD
            "redistributions of source code must retain the above copyright notice",
            // Apache-2.0 4(a)
            "you must give any other recipients of the work or derivative works a copy of this license",
            // GPL / LGPL / AGPL section 4
            "give all recipients a copy of this license along with the program",
            // MPL-2.0 3.1
            "how they can obtain a copy of this license",
            // CC BY 4.0 family 3(a)(1)(C)
            "and include the text of, or the uri or hyperlink to, this public license",
        ],
        ObligationKind::NoticeFile => &[
            // Apache-2.0 4(d)
            "if the work includes a \"notice\" text file as part of its distribution",
        ],
        ObligationKind::Attribution => &[
            // CC BY 4.0 family, Section 3(a)
            "if you share the licensed material (including in modified form), you must",
            "if you share licensed material (including in modified form), you must",
        ],
        ObligationKind::ShareAlike => &[
            // GPL / LGPL / AGPL section 5(c)
            "you must license the entire work, as a whole, under this license",
            // MPL-2.0 3.1
            "including any modifications that you create or to which you contribute, must be under the terms of this license",
            // CC BY-SA 4.0 3(b)
            "the adapter's license you apply must be a creative commons license with the same license elements",
        ],
        _ => &[],
    };
    phrases.iter().map(|p| p.to_string()).collect()
}

/// What each implied duty means, for a person.
pub fn duty_summary(kind: ObligationKind, id: &str) -> String {
    match kind {
        ObligationKind::LicenseCopy => format!("Keep the {id} license text and copyright notices with copies."),
        ObligationKind::NoticeFile => "Keep the NOTICE file's attributions in redistributions, and state changes made.".into(),
        ObligationKind::Attribution => "Give appropriate credit to the licensor and indicate changes.".into(),
        ObligationKind::ShareAlike => format!("Derivatives must be distributed under {id} (or compatible) terms, with their source where the license requires it."),
        other => other.as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissive_copyleft_and_unknown() {
        let mit = facts("MIT").unwrap();
        assert_eq!(verdict(&mit).0, Verdict::Permitted);
        let gpl = facts("GPL-3.0-only").unwrap();
        assert!(gpl.copyleft);
        assert_eq!(verdict(&gpl).0, Verdict::PermittedWithConditions);
        let cc = facts("CC-BY-4.0").unwrap();
        assert_eq!(verdict(&cc).0, Verdict::Permitted);
        assert!(verdict(&cc).1.contains(&ObligationKind::Attribution));
        let apache = facts("apache-2.0").unwrap();
        assert_eq!(apache.id, "Apache-2.0");
        assert!(facts("not-a-license").is_none());
    }

    #[test]
    fn implied_duties_are_found_in_the_standard_texts() {
        let text = |id: &str| {
            crate::license::kb::kb()
                .spdx_texts()
                .iter()
                .find(|(f, _)| *f == format!("{id}.txt"))
                .map(|(_, t)| crate::license::text::NormText::new(t))
                .unwrap()
        };
        let line = |id: &str, kind: ObligationKind| {
            let t = text(id);
            duty_locate(kind)
                .iter()
                .find_map(|p| t.find(p))
                .map(|at| t.line_at(at))
        };
        assert_eq!(line("MIT", ObligationKind::LicenseCopy), Some(11));
        assert_eq!(line("Apache-2.0", ObligationKind::LicenseCopy), Some(35));
        assert_eq!(line("CC-BY-4.0", ObligationKind::Attribution), Some(79));
        assert_eq!(line("CC-BY-SA-4.0", ObligationKind::ShareAlike), Some(111));
        assert_eq!(line("GPL-3.0-only", ObligationKind::ShareAlike), Some(87));
        assert_eq!(line("MPL-2.0", ObligationKind::ShareAlike), Some(162));
        // every implied duty of these licenses has its clause
        for id in [
            "MIT",
            "Apache-2.0",
            "BSD-3-Clause",
            "ISC",
            "GPL-3.0-only",
            "MPL-2.0",
            "CC-BY-4.0",
            "CC-BY-SA-4.0",
        ] {
            let f = facts(id).unwrap();
            for kind in verdict(&f).1 {
                assert!(line(id, kind).is_some(), "{id}: {kind}");
            }
        }
    }
}
