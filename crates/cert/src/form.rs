//! The application form (申请表) as a document: number, applicant, employer, specialties, hours
//! and both declarations, with the two signing places. The applicant signs it first, then the
//! enterprise seals the signed package.

use crate::art::Op;
use chrono::NaiveDate;
use erjian_ofd::writer::{Color, Document, Metadata};

pub const APPLICANT_BOX: [f64; 4] = [40.0, 228.0, 36.0, 18.0];
pub const ENTERPRISE_BOX: [f64; 4] = [128.0, 214.0, 40.0, 40.0];

/// Serialisable: a kept form (a cancellation's) is drawn again as PDF from the data it was made of.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FormData {
    pub number: String,
    pub kind: String,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub id_number: String,
    pub mobile: String,
    pub enterprise: String,
    pub credit_code: String,
    /// (specialty, qualification certificate number)
    pub specialties: Vec<(String, String)>,
    pub ce_compulsory: i64,
    pub ce_elective: i64,
    pub date: NaiveDate,
    /// How the specialties row is named for this procedure (申请注册专业, 延续注册专业, 增加注册专业 …).
    pub specialty_label: String,
    /// A follow-up's current registration, as rows: (label, value) — its number, then each
    /// registered specialty with its validity.
    pub current: Vec<(String, String)>,
    /// What the application changes: (item, from, to).
    pub changes: Vec<(String, String, String)>,
    /// The materials filed with it: (label, SM3 hex of the file as kept). The form lists them, so
    /// the two signatures cover them.
    pub attachments: Vec<(String, String)>,
    /// A cancellation's reason (注销注册申请表): the form then carries no hours and the Gansu
    /// manual's wording of both opinions (“同意该同志申报注销注册”).
    pub cancellation_reason: Option<String>,
    /// The province's own wording of the two opinions (甘肃's 申请人意见 and 聘用企业意见), in place
    /// of the standard declarations.
    #[serde(default)]
    pub opinions: Option<(String, String)>,
    /// The profession's name, in the title (二级注册建筑师初始注册申请表); empty in forms kept
    /// before it was recorded, which were all the constructor's.
    #[serde(default)]
    pub profession: String,
}

const DARK: Color = Color(40, 40, 40);
const GREY: Color = Color(110, 110, 110);
const LINE: (Color, f64) = (Color(90, 90, 90), 0.3);

fn row(ops: &mut Vec<Op>, y: f64, label: &str, value: &str) {
    ops.push(Op::Rect { x: 20.0, y, w: 170.0, h: 10.0, fill: None, stroke: Some(LINE) });
    ops.push(Op::Rect { x: 20.0, y, w: 42.0, h: 10.0, fill: Some(Color(244, 246, 249)), stroke: Some(LINE) });
    ops.push(Op::Text { x: 23.0, y: y + 6.8, size: 3.6, text: label.into(), bold: false, color: GREY });
    ops.push(Op::Text { x: 66.0, y: y + 6.8, size: 3.8, text: value.into(), bold: false, color: DARK });
}

pub fn form_ops(d: &FormData) -> Vec<Op> {
    let mut ops = vec![
        Op::centred(
            105.0,
            28.0,
            6.5,
            &format!("{}{}申请表", if d.profession.is_empty() { "二级注册建造师" } else { &d.profession }, d.kind),
            true,
            DARK,
        ),
        Op::Text { x: 20.0, y: 40.0, size: 3.4, text: format!("申请表编号：{}", d.number), bold: false, color: GREY },
        Op::Text { x: 140.0, y: 40.0, size: 3.4, text: format!("填表日期：{}", d.date), bold: false, color: GREY },
    ];
    let mut y = 45.0;
    for (l, v) in [
        ("姓名", d.name.as_str()),
        ("性别 / 出生日期", &format!("{} / {}", d.gender, d.birth_date)),
        ("身份证号", &d.id_number),
        ("手机号码", &d.mobile),
        ("聘用企业", &d.enterprise),
        ("统一社会信用代码", &d.credit_code),
    ] {
        row(&mut ops, y, l, v);
        y += 10.0;
    }
    for (label, value) in &d.current {
        row(&mut ops, y, label, value);
        y += 10.0;
    }
    for (spec, cert) in &d.specialties {
        let shown = if cert.is_empty() { spec.clone() } else { format!("{spec}（资格证书管理号 {cert}）") };
        row(&mut ops, y, &d.specialty_label, &shown);
        y += 10.0;
    }
    for (item, from, to) in &d.changes {
        row(&mut ops, y, &format!("变更{item}"), &format!("{} → {to}", if from.is_empty() { "—" } else { from }));
        y += 10.0;
    }
    for (label, sm3) in &d.attachments {
        row(&mut ops, y, &format!("附件：{label}"), &format!("SM3 {}", &sm3[..sm3.len().min(40)]));
        y += 10.0;
    }
    let (applicant, enterprise) = match &d.cancellation_reason {
        Some(reason) => {
            row(&mut ops, y, "注销原因", reason);
            (
                "本人已核对上述内容，对申请表内容及申报材料的真实性负责。如有虚报，愿承担由此产生的一切法律责任。".to_owned(),
                format!("我单位聘用的{}，其申报材料真实，同意该同志申报注销注册。", d.name),
            )
        }
        None => {
            row(&mut ops, y, "继续教育学时", &format!("必修 {} 学时，选修 {} 学时", d.ce_compulsory, d.ce_elective));
            (
                "本人承诺所填信息及上传材料真实、有效，如有虚假，愿承担相应法律责任，一年内不再申请。".to_owned(),
                "经核实，申请人与本单位签订了劳动合同，所填信息属实，同意申请。".to_owned(),
            )
        }
    };
    let (applicant, enterprise) = match (&d.opinions, &d.cancellation_reason) {
        (Some((a, e)), None) => (a.clone(), e.clone()),
        _ => (applicant, enterprise),
    };
    y += 16.0;
    let heading = if d.cancellation_reason.is_some() || d.opinions.is_some() { "申请人意见" } else { "申请人承诺" };
    ops.push(Op::Text { x: 20.0, y, size: 4.0, text: heading.into(), bold: true, color: DARK });
    // Long wording wraps inside the page (a line 5 mm below the last).
    let mut at = y + 7.0;
    for line in crate::notice::lines(&applicant, 3.4, 170.0) {
        ops.push(Op::Text { x: 20.0, y: at, size: 3.4, text: line, bold: false, color: DARK });
        at += 5.0;
    }
    let at_enterprise = (y + 24.0).max(at + 4.0);
    ops.push(Op::Text { x: 20.0, y: at_enterprise, size: 4.0, text: "聘用企业意见".into(), bold: true, color: DARK });
    let mut at = at_enterprise + 7.0;
    for line in crate::notice::lines(&enterprise, 3.4, 170.0) {
        ops.push(Op::Text { x: 20.0, y: at, size: 3.4, text: line, bold: false, color: DARK });
        at += 5.0;
    }
    ops.push(Op::Text { x: 20.0, y: 240.0, size: 3.8, text: "申请人签名：".into(), bold: false, color: DARK });
    ops.push(Op::Text { x: 100.0, y: 240.0, size: 3.8, text: "聘用企业（盖章）：".into(), bold: false, color: DARK });
    ops.push(Op::centred(
        105.0,
        280.0,
        2.8,
        "本签署事项共有 2 个签署方：申请人（个人签名）、聘用企业（电子印章），依次签署。",
        false,
        GREY,
    ));
    ops
}

pub fn form_document(d: &FormData) -> Document {
    let mut doc = Document::new(Metadata {
        doc_id: d.number.clone(),
        title: format!("二级注册建造师{}申请表 {}", d.kind, d.name),
        author: d.name.clone(),
        creation_date: Some(d.date),
        custom: [("申请表编号".to_owned(), d.number.clone()), ("申请人".into(), d.name.clone()), ("聘用企业".into(), d.enterprise.clone())]
            .into_iter()
            // Each material's whole SM3 digest, inside the signed package.
            .chain(d.attachments.iter().map(|(label, sm3)| (format!("附件SM3：{label}"), sm3.clone())))
            .collect(),
    });
    let font = doc.add_font("宋体", None);
    let page = crate::art::to_ofd_page(&mut doc, font, 210.0, 297.0, form_ops(d));
    doc.pages.push(page);
    doc
}

/// A personal name stamp (人名章) drawn as an OFD picture: the name in a red square.
pub fn name_stamp_ofd(name: &str) -> Vec<u8> {
    let red = Color::RED;
    let chars: Vec<char> = name.chars().collect();
    let size = 16.0;
    let mut ops = vec![Op::Rect { x: 1.0, y: 1.0, w: size - 2.0, h: size - 2.0, fill: None, stroke: Some((red, 0.8)) }];
    let g = (size - 4.0) / chars.len().clamp(1, 4) as f64;
    for (i, ch) in chars.iter().take(4).enumerate() {
        ops.push(Op::Glyph { cx: size / 2.0, cy: 2.0 + g * (i as f64 + 0.5), size: g * 0.9, ch: *ch, angle: 0.0, color: red });
    }
    let mut doc = Document::new(Metadata { doc_id: "stamp".into(), title: name.into(), ..Default::default() });
    let font = doc.add_font("宋体", None);
    let page = crate::art::to_ofd_page(&mut doc, font, size, size, ops);
    doc.pages.push(page);
    doc.to_package().to_bytes()
}

/// The PDF view of a form: the same page, with each signature that was applied drawn in place
/// (the applicant's handwritten signature or name stamp, the enterprise's seal). The PDF is a view;
/// the signed original is the OFD.
pub fn form_pdf(
    d: &FormData,
    applicant_signed: bool,
    enterprise_sealed: bool,
    signature_image: Option<&[u8]>,
) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let mut ops = form_ops(d);
    if applicant_signed {
        let [x, y, w, h] = APPLICANT_BOX;
        match signature_image {
            Some(img) => ops.push(Op::Image { x, y, w, h, bytes: img.to_vec() }),
            None => {
                ops.push(Op::Rect { x: x + 10.0, y, w: 16.0, h: 16.0, fill: None, stroke: Some((Color::RED, 0.8)) });
                ops.push(Op::centred(x + 18.0, y + 10.0, 3.6, &d.name, true, Color::RED));
            }
        }
    }
    let seal = match enterprise_sealed {
        true => {
            let [x, y, w, _] = ENTERPRISE_BOX;
            crate::seal_art::seal_ops(&d.enterprise, "企业公章", x, y, w)
        }
        false => Vec::new(),
    };
    let font = crate::pdf::font_for(&(crate::art::chars_of(&ops) + &crate::art::chars_of(&seal)))?;
    crate::pdf::render_sealed(210.0, 297.0, &ops, &seal, &font)
}
