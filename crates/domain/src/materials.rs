//! Application materials (申请材料): the catalogue of slots (劳动合同, 学历证书, 继续教育证明, 遗失声明,
//! 身份证正反面, 营业执照), each with the file types it takes and its size limit, and which slots
//! each kind of application offers. A province profile may replace a kind's list and say which
//! are required (`materials` in the profile file); without one a kind offers its default slots,
//! none required. Pure: the store checks the files and keeps them.

/// A file type a slot accepts, told by its content, never its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
    Ofd,
}

impl FileType {
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Jpeg => "JPG",
            FileType::Png => "PNG",
            FileType::Ofd => "OFD",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Ofd => "application/ofd",
        }
    }

    /// The type a file's first bytes say it is.
    pub fn sniff(bytes: &[u8]) -> Option<FileType> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(FileType::Ofd)
        } else {
            None
        }
    }
}

/// One kind of material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Slot {
    pub code: &'static str,
    pub label: &'static str,
    pub types: &'static [FileType],
    pub max_bytes: usize,
}

const DOCS: &[FileType] = &[FileType::Pdf, FileType::Jpeg, FileType::Png, FileType::Ofd];
const PICTURES: &[FileType] = &[FileType::Jpeg, FileType::Png];
const MB: usize = 1024 * 1024;

/// Every slot erjian knows.
pub const CATALOGUE: &[Slot] = &[
    Slot { code: "labour_contract", label: "劳动合同", types: DOCS, max_bytes: 5 * MB },
    Slot { code: "diploma", label: "学历证书", types: DOCS, max_bytes: 5 * MB },
    Slot { code: "ce_proof", label: "继续教育证明", types: DOCS, max_bytes: 5 * MB },
    Slot { code: "loss_statement", label: "遗失声明", types: DOCS, max_bytes: 5 * MB },
    Slot { code: "id_front", label: "身份证人像面", types: PICTURES, max_bytes: 5 * MB },
    Slot { code: "id_back", label: "身份证国徽面", types: PICTURES, max_bytes: 5 * MB },
    Slot { code: "licence", label: "营业执照", types: DOCS, max_bytes: 5 * MB },
    Slot { code: "other", label: "其他材料", types: DOCS, max_bytes: 5 * MB },
];

pub fn slot(code: &str) -> Option<&'static Slot> {
    CATALOGUE.iter().find(|s| s.code == code)
}

/// A profile's word on one slot of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MaterialRule {
    pub kind: &'static str,
    pub slot: &'static str,
    pub required: bool,
}

/// The default slots of a kind (none required).
fn defaults(kind: &str) -> &'static [&'static str] {
    match kind {
        "initial" | "re_registration" => &["labour_contract", "diploma", "other"],
        "renewal" => &["ce_proof", "other"],
        "add_specialty" => &["ce_proof", "other"],
        "change_employer" => &["labour_contract", "other"],
        "change_personal" => &["id_front", "id_back"],
        "lost_reissue" => &["loss_statement"],
        "cancel_whole" | "cancel_partial" => &["other"],
        _ => &[],
    }
}

/// The slots a kind offers under a profile's rules: (slot, required).
pub fn slots_for(kind: &str, rules: &[MaterialRule]) -> Vec<(&'static Slot, bool)> {
    let listed: Vec<_> = rules.iter().filter(|r| r.kind == kind).filter_map(|r| Some((slot(r.slot)?, r.required))).collect();
    if !listed.is_empty() {
        return listed;
    }
    defaults(kind).iter().filter_map(|c| Some((slot(c)?, false))).collect()
}

/// The labels of required slots that have no file yet.
pub fn missing(kind: &str, rules: &[MaterialRule], present: &[String]) -> Vec<&'static str> {
    slots_for(kind, rules)
        .into_iter()
        .filter(|(s, required)| *required && !present.iter().any(|p| p == s.code))
        .map(|(s, _)| s.label)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_replaces_a_kinds_list_and_says_what_is_required() {
        assert_eq!(
            slots_for("renewal", &[]).iter().map(|(s, r)| (s.code, *r)).collect::<Vec<_>>(),
            [("ce_proof", false), ("other", false)]
        );
        let rules = [MaterialRule { kind: "initial", slot: "labour_contract", required: true }];
        assert_eq!(slots_for("initial", &rules).iter().map(|(s, r)| (s.code, *r)).collect::<Vec<_>>(), [("labour_contract", true)]);
        assert_eq!(missing("initial", &rules, &[]), ["劳动合同"]);
        assert!(missing("initial", &rules, &["labour_contract".into()]).is_empty());
        assert!(missing("renewal", &rules, &[]).is_empty(), "other kinds keep their defaults, none required");
    }

    #[test]
    fn types_are_told_by_content() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileType::Png));
        assert_eq!(FileType::sniff(b"GIF89a"), None);
    }
}
