//! A sample certificate's data, shared by the certificate tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use erjian_cert::CertificateData;

fn photo() -> Vec<u8> {
    let (w, h) = (295u32, 413u32);
    let data: Vec<u8> = (0..w * h).flat_map(|i| [220u8, 225, (i % 251) as u8]).collect();
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(png::ColorType::Rgb);
        e.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

pub fn sample(licence_id: &str) -> CertificateData {
    CertificateData {
        profession: "二级建造师".into(),
        name: "张伟".into(),
        gender: "男".into(),
        birth_date: "1988-03-12".into(),
        id_number: "340104198803120037".into(),
        registration_number: "皖2342024202600001".into(),
        certificate_number: "34202600000001".into(),
        employer: "安徽建工集团股份有限公司".into(),
        employer_credit_code: "91340100MA2T50123P".into(),
        specialties: vec![
            ("建筑工程".into(), "2026-11-25".into(), "2029-11-24".into()),
            ("市政公用工程".into(), "2026-11-25".into(), "2029-11-24".into()),
        ],
        qualification_number: "2024120030".into(),
        issuer: "安徽省住房和城乡建设厅".into(),
        issue_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        use_until: None,
        photo: Some(photo()),
        signature_image: None,
        verify_url: format!("http://127.0.0.1:8080/verify/{licence_id}"),
        licence_id: licence_id.into(),
        usage_copy: None,
    }
}
