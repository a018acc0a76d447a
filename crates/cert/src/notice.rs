//! The authority's written decisions on an application (文书): 受理通知书, 不予受理通知书, 补正通知书,
//! 不予注册决定书 and 准予注册决定书, each numbered (文号), addressed to the applicant and the
//! enterprise, with the grounds or opinion, and sealed with the authority's seal in the box at
//! the foot ([`NOTICE_SEAL_BOX`]). The PDF rendition draws the seal's picture there.

use crate::art::Op;
use chrono::NaiveDate;
use erjian_ofd::writer::{text_width, Color, Document, Metadata};

/// Where the authority's seal is placed (x, y, width, height in mm on A4).
pub const NOTICE_SEAL_BOX: [f64; 4] = [132.0, 196.0, 42.0, 42.0];

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Accepted,
    NotAccepted,
    Correction,
    Refused,
    Approved,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 5] =
        [NoticeKind::Accepted, NoticeKind::NotAccepted, NoticeKind::Correction, NoticeKind::Refused, NoticeKind::Approved];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Accepted => "accepted",
            NoticeKind::NotAccepted => "not_accepted",
            NoticeKind::Correction => "correction",
            NoticeKind::Refused => "refused",
            NoticeKind::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::Accepted => "受理通知书",
            NoticeKind::NotAccepted => "不予受理通知书",
            NoticeKind::Correction => "补正材料通知书",
            NoticeKind::Refused => "不予注册决定书",
            NoticeKind::Approved => "准予注册决定书",
        }
    }

    /// The short word in the document number (皖建注受〔2026〕1号).
    pub fn word(self) -> &'static str {
        match self {
            NoticeKind::Accepted => "受",
            NoticeKind::NotAccepted => "不受",
            NoticeKind::Correction => "补",
            NoticeKind::Refused => "不准",
            NoticeKind::Approved => "准",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NoticeData {
    pub kind: NoticeKind,
    /// 文号.
    pub number: String,
    /// The authority that decided (its name is on the seal).
    pub authority: String,
    pub applicant: String,
    pub enterprise: String,
    pub application_number: String,
    /// The procedure, e.g. 初始注册.
    pub procedure: String,
    /// The specialties applied for, joined.
    pub specialties: String,
    /// The grounds (refusals, corrections) or the reviewer's opinion; may be empty.
    pub grounds: String,
    /// The registration number, for an approval.
    pub registration_number: Option<String>,
    pub date: NaiveDate,
}

const DARK: Color = Color(30, 30, 30);
const GREY: Color = Color(110, 110, 110);

/// Breaks text into lines no wider than `width` mm at `size`: between any two Chinese
/// characters, never inside a number or code (a run of ASCII letters and digits).
pub(crate) fn lines(text: &str, size: f64, width: f64) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut tokens: Vec<String> = Vec::new();
        for ch in para.chars() {
            match tokens.last_mut() {
                Some(t) if ch.is_ascii_alphanumeric() && t.chars().all(|c| c.is_ascii_alphanumeric()) => t.push(ch),
                _ => tokens.push(ch.to_string()),
            }
        }
        let mut line = String::new();
        for t in tokens {
            if !line.is_empty() && text_width(&format!("{line}{t}"), size) > width {
                out.push(std::mem::take(&mut line));
            }
            line.push_str(&t);
        }
        out.push(line);
    }
    out
}

fn body(d: &NoticeData) -> String {
    let what = format!("你（单位）申请的二级注册建造师{}（申请表编号 {}，专业：{}）", d.procedure, d.application_number, d.specialties);
    let grounds = if d.grounds.trim().is_empty() { String::new() } else { format!("\n意见：{}", d.grounds.trim()) };
    match d.kind {
        NoticeKind::Accepted => format!("{what}，申请材料齐全、符合法定形式，本机关决定予以受理，并将在法定期限内作出决定。{grounds}"),
        NoticeKind::NotAccepted => format!("{what}，经审查，决定不予受理。{grounds}\n如不服本决定，可依法申请行政复议或者提起行政诉讼。"),
        NoticeKind::Correction => {
            format!("{what}，申请材料不齐全或者不符合法定形式，请按下列意见补正后重新提交。{grounds}\n补正期间不计入审查期限。")
        }
        NoticeKind::Refused => {
            format!("{what}，经审查，不符合注册条件，决定不予注册。{grounds}\n如不服本决定，可依法申请行政复议或者提起行政诉讼。")
        }
        NoticeKind::Approved => format!(
            "{what}，经审查并公示，符合注册条件，决定准予注册。{}\n电子注册证书已签发，可登录系统下载。{grounds}",
            d.registration_number.as_deref().map(|n| format!("\n注册编号：{n}")).unwrap_or_default()
        ),
    }
}

pub fn notice_ops(d: &NoticeData) -> Vec<Op> {
    let mut ops = vec![
        Op::centred(105.0, 34.0, 7.0, d.kind.title(), true, DARK),
        Op::centred(105.0, 44.0, 3.8, &d.number, false, GREY),
        Op::Text { x: 24.0, y: 62.0, size: 4.2, text: format!("{}、{}：", d.applicant, d.enterprise), bold: false, color: DARK },
    ];
    let mut y = 74.0;
    for line in lines(&body(d), 4.2, 162.0) {
        ops.push(Op::Text { x: 32.0, y, size: 4.2, text: line, bold: false, color: DARK });
        y += 8.0;
    }
    ops.push(Op::Text { x: 128.0, y: 214.0, size: 4.2, text: d.authority.clone(), bold: false, color: DARK });
    let date = format!("{}年{}月{}日", chrono::Datelike::year(&d.date), chrono::Datelike::month(&d.date), chrono::Datelike::day(&d.date));
    ops.push(Op::Text { x: 136.0, y: 224.0, size: 4.2, text: date, bold: false, color: DARK });
    ops.push(Op::centred(105.0, 280.0, 2.8, "本文书由电子印章签章，可在系统“证书核验”中校验签章；与纸质文书具有同等效力。", false, GREY));
    ops
}

pub fn notice_document(d: &NoticeData) -> Document {
    let mut doc = Document::new(Metadata {
        doc_id: d.number.clone(),
        title: format!("{} {}", d.kind.title(), d.number),
        author: d.authority.clone(),
        creation_date: Some(d.date),
        custom: vec![("文号".into(), d.number.clone()), ("申请表编号".into(), d.application_number.clone())],
    });
    let font = doc.add_font("宋体", None);
    let page = crate::art::to_ofd_page(&mut doc, font, 210.0, 297.0, notice_ops(d));
    doc.pages.push(page);
    doc
}

/// The PDF rendition, the seal's picture in its box.
pub fn notice_pdf(d: &NoticeData) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let ops = notice_ops(d);
    let [x, y, w, _] = NOTICE_SEAL_BOX;
    let seal = crate::seal_art::seal_ops(&d.authority, "电子印章", x, y, w);
    let font = crate::pdf::font_for(&(crate::art::chars_of(&ops) + &crate::art::chars_of(&seal)))?;
    crate::pdf::render_sealed(210.0, 297.0, &ops, &seal, &font)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_grounds_wrap_inside_the_page() {
        let ls = lines(&"未达到注册建造师继续教育要求".repeat(6), 4.2, 162.0);
        assert!(ls.len() > 1 && ls.iter().all(|l| text_width(l, 4.2) <= 162.0), "{ls:?}");
        assert_eq!(ls.concat(), "未达到注册建造师继续教育要求".repeat(6));
        // A number is never cut.
        let text = format!("{}W2026112500000001。", "申请".repeat(35));
        let ls = lines(&text, 4.2, 162.0);
        assert!(ls.iter().any(|l| l.contains("W2026112500000001")), "{ls:?}");
    }
}
