//! Writes a sample notice as PDF (for looking at it): `cargo run -p erjian-cert --example notice_pdf -- OUT.pdf`.
fn main() {
    use erjian_cert::notice::{notice_pdf, NoticeData, NoticeKind};
    let d = NoticeData {
        kind: NoticeKind::Correction,
        number: "皖建注补〔2026〕1号".into(),
        authority: "安徽省住房和城乡建设厅".into(),
        applicant: "张伟".into(),
        enterprise: "安徽建工集团股份有限公司".into(),
        application_number: "W2026112500000001".into(),
        procedure: "初始注册".into(),
        specialties: "建筑工程".into(),
        grounds: "劳动合同缺少第2页，请上传完整的劳动合同扫描件".into(),
        registration_number: None,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    };
    let out = std::env::args().nth(1).unwrap_or_else(|| "notice.pdf".into());
    std::fs::write(&out, notice_pdf(&d).expect("fonts-wqy-microhei")).unwrap();
}
