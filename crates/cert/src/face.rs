//! The certificate face (A4 portrait): title, holder, numbers, employer, specialties with their
//! validity, qualification number, issuer and date, photo, signature image, verification QR code
//! and the seal's place, laid out like a government certificate.

use crate::art::{qr_modules, Op};
use chrono::NaiveDate;
use erjian_ofd::writer::Color;
use serde::{Deserialize, Serialize};

/// Everything printed on a certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertificateData {
    pub profession: String,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub id_number: String,
    pub registration_number: String,
    pub certificate_number: String,
    pub employer: String,
    pub employer_credit_code: String,
    /// (specialty, valid from, valid until)
    pub specialties: Vec<(String, String, String)>,
    pub qualification_number: String,
    pub issuer: String,
    pub issue_date: NaiveDate,
    pub use_until: Option<NaiveDate>,
    #[serde(skip)]
    pub photo: Option<Vec<u8>>,
    #[serde(skip)]
    pub signature_image: Option<Vec<u8>>,
    pub verify_url: String,
    pub licence_id: String,
    /// Set on a time-limited usage copy (使用件): the copy's purpose and last day.
    #[serde(default)]
    pub usage_copy: Option<UsageCopyMark>,
}

/// What a usage copy (使用件) prints over the certificate face.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UsageCopyMark {
    pub purpose: String,
    pub valid_until: NaiveDate,
}

pub const WIDTH: f64 = 210.0;
pub const HEIGHT: f64 = 297.0;
/// Where the authority's seal is stamped: x, y, w, h.
pub const SEAL_BOX: [f64; 4] = [128.0, 218.0, 42.0, 42.0];

const DARK: Color = Color(40, 40, 40);
const MAROON: Color = Color(150, 28, 36);
const GREY: Color = Color(110, 110, 110);

/// The labels on the left, in row order, and their rows' first baseline and spacing.
const LABELS: [&str; 9] =
    ["姓　　名", "性　　别", "出生日期", "身份证号", "注册编号", "证书编号", "聘用企业", "统一社会信用代码", "资格证书管理号"];
const ROW_TOP: f64 = 78.0;
const ROW_STEP: f64 = 10.0;

/// What every certificate of a profession shares: frame, titles, labels, boxes, table header
/// and the footer note. Written once per document as its template page, so every certificate
/// of the profession carries the same template bytes.
pub fn template_ops(profession: &str) -> Vec<Op> {
    let mut ops = crate::guilloche::background(WIDTH, HEIGHT, 11.0);
    ops.extend([
        Op::Rect { x: 8.0, y: 8.0, w: 194.0, h: 281.0, fill: None, stroke: Some((MAROON, 1.6)) },
        Op::Rect { x: 11.0, y: 11.0, w: 188.0, h: 275.0, fill: None, stroke: Some((Color(196, 160, 90), 0.5)) },
        Op::centred(WIDTH / 2.0, 36.0, 6.0, "中华人民共和国", true, MAROON),
        Op::centred(WIDTH / 2.0, 50.0, 8.5, &certificate_title(profession), true, MAROON),
        Op::centred(WIDTH / 2.0, 57.0, 3.0, english_title(profession), false, GREY),
    ]);
    for (i, label) in LABELS.iter().enumerate() {
        let lsize = if label.chars().count() > 4 { 3.4 } else { 4.2 };
        ops.push(Op::Text { x: 24.0, y: ROW_TOP + ROW_STEP * i as f64, size: lsize, text: (*label).to_owned(), bold: false, color: GREY });
    }
    ops.push(Op::Rect { x: 150.0, y: 68.0, w: 30.0, h: 40.0, fill: None, stroke: Some((GREY, 0.3)) });
    ops.push(Op::Text { x: 150.0, y: 118.0, size: 3.2, text: "本人签名".into(), bold: false, color: GREY });
    ops.push(Op::Rect { x: 150.0, y: 121.0, w: 30.0, h: 12.0, fill: None, stroke: Some((GREY, 0.3)) });
    let top = table_top();
    ops.push(Op::Rect { x: 24.0, y: top, w: 162.0, h: 9.0, fill: Some(Color(246, 238, 230)), stroke: Some((MAROON, 0.3)) });
    ops.push(Op::Text { x: 28.0, y: top + 6.3, size: 4.2, text: "注册专业".into(), bold: true, color: MAROON });
    ops.push(Op::Text { x: 100.0, y: top + 6.3, size: 4.2, text: "有效期".into(), bold: true, color: MAROON });
    ops.push(Op::Text { x: 24.0, y: 258.0, size: 3.0, text: "扫码核验证书状态".into(), bold: false, color: GREY });
    ops.push(Op::centred(
        WIDTH / 2.0,
        281.0,
        2.6,
        "本证书为电子证书，与纸质证书具有同等法律效力；请扫描二维码或上传文件核验。",
        false,
        GREY,
    ));
    ops
}

/// The title of a profession's certificate (二级注册结构工程师注册执业证书 after C0252-2021).
fn certificate_title(profession: &str) -> String {
    match erjian_domain::profession::Profession::by_certificate_name(profession) {
        Some(p) => p.certificate_title.to_owned(),
        None => format!("{}注册证书", profession.trim_end_matches("（临时）")),
    }
}

fn english_title(profession: &str) -> &'static str {
    if profession.contains("建筑师") {
        "Registration Certificate of Second-Class Architect"
    } else if profession.contains("结构") {
        "Registration Certificate of Second-Class Structural Engineer"
    } else {
        "Registration Certificate of Second-Class Constructor"
    }
}

/// The issuer's name and the date, as GB/T 9704-2012 §7.3.5.1 places them under a seal: centred
/// on the seal and a little below its centre (the seal presses on both, 骑年盖月), the date in
/// Arabic numerals with the year in full and no leading zeros (2026年1月5日).
pub fn issuer_block(issuer: &str, day: NaiveDate) -> Vec<Op> {
    use chrono::Datelike;
    let cx = SEAL_BOX[0] + SEAL_BOX[2] / 2.0;
    let cy = SEAL_BOX[1] + SEAL_BOX[3] / 2.0;
    let date = format!("{}年{}月{}日", day.year(), day.month(), day.day());
    vec![Op::centred(cx, cy + 2.5, 4.4, issuer, false, DARK), Op::centred(cx, cy + 8.8, 4.4, &date, false, DARK)]
}

fn table_top() -> f64 {
    ROW_TOP + ROW_STEP * LABELS.len() as f64 + 2.0
}

/// The whole face: the template beneath the holder's own items.
pub fn all_ops(d: &CertificateData) -> Vec<Op> {
    let mut ops = template_ops(&d.profession);
    ops.extend(face_ops(d));
    ops
}

/// What is particular to this certificate: the holder's data, photo and signature, the
/// specialties, QR code, issuer, date, usage-copy mark and the e-licence identifier.
pub fn face_ops(d: &CertificateData) -> Vec<Op> {
    let mut ops = Vec::with_capacity(24);
    let values: [&str; 9] = [
        &d.name,
        &d.gender,
        &d.birth_date,
        &d.id_number,
        &d.registration_number,
        &d.certificate_number,
        &d.employer,
        &d.employer_credit_code,
        &d.qualification_number,
    ];
    for (i, value) in values.into_iter().enumerate() {
        ops.push(Op::Text { x: 62.0, y: ROW_TOP + ROW_STEP * i as f64, size: 4.6, text: value.to_owned(), bold: false, color: DARK });
    }
    // Photo and the holder's signature on the right.
    match &d.photo {
        Some(p) => ops.push(Op::Image { x: 150.0, y: 68.0, w: 30.0, h: 40.0, bytes: p.clone() }),
        None => ops.push(Op::centred(165.0, 89.0, 3.5, "照片", false, GREY)),
    }
    if let Some(s) = &d.signature_image {
        ops.push(Op::Image { x: 151.0, y: 122.0, w: 28.0, h: 10.0, bytes: s.clone() });
    }
    // Specialties and validity.
    let mut sy = table_top() + 9.0;
    for (spec, from, until) in &d.specialties {
        ops.push(Op::Rect { x: 24.0, y: sy, w: 162.0, h: 9.0, fill: None, stroke: Some((MAROON, 0.3)) });
        ops.push(Op::Text { x: 28.0, y: sy + 6.3, size: 4.4, text: spec.clone(), bold: false, color: DARK });
        ops.push(Op::Text { x: 100.0, y: sy + 6.3, size: 4.4, text: format!("{from} 至 {until}"), bold: false, color: DARK });
        sy += 9.0;
    }
    if let Some(u) = d.use_until {
        ops.push(Op::Text { x: 24.0, y: sy + 7.0, size: 3.6, text: format!("使用有效期至 {u}"), bold: false, color: DARK });
    }
    // Verification QR code on a clear ground (its quiet zone), issuer and date, the e-licence
    // identifier.
    ops.push(Op::Rect { x: 22.0, y: 216.0, w: 38.0, h: 38.0, fill: Some(Color(255, 255, 255)), stroke: None });
    ops.push(Op::Qr { x: 24.0, y: 218.0, size: 34.0, modules: qr_modules(&d.verify_url) });
    ops.extend(issuer_block(&d.issuer, d.issue_date));
    if let Some(copy) = &d.usage_copy {
        ops.push(Op::Rect { x: 150.0, y: 16.0, w: 40.0, h: 12.0, fill: None, stroke: Some((MAROON, 0.8)) });
        ops.push(Op::centred(170.0, 25.0, 7.0, "使用件", true, MAROON));
        let line = format!("本使用件仅用于：{}；有效期至 {}，逾期作废", copy.purpose, copy.valid_until.format("%Y年%m月%d日"));
        ops.push(Op::centred(WIDTH / 2.0, 268.0, 3.4, &line, true, MAROON));
    }
    ops.push(Op::centred(WIDTH / 2.0, 276.0, 2.6, &format!("证照标识：{}", d.licence_id), false, GREY));
    ops
}
