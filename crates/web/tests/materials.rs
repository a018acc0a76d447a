//! Application materials, on both databases: slots per kind from the province profile (here a
//! profile requiring 劳动合同 for an initial application, as 湖南's manual has the enterprise
//! “把其他详细信息及附件材料补充完整后在点上报”), files checked by their content (a picture decoded,
//! a PDF's cross-reference found, an OFD opened), listed with SM3 on the form the two parties
//! sign, replaceable until the seal (an earlier signature is then void), locked after it, and
//! served to the reviewer sandboxed.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

/// A small, well-formed PDF (one empty page) with a correct cross-reference table.
fn pdf(tag: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Title ({tag}) >>"),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn materials_from_slot_to_signed_form(db: TestDb) {
    let app = spawn(db).await;
    app.require_contract_and_diploma();

    let zhang = app.signup("张伟").await;
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], false).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["application"]["id"].as_i64().unwrap();
    let slots = zhang.get(&format!("/api/applications/{id}/materials")).await;
    let codes: Vec<(&str, bool)> =
        slots.body["slots"].as_array().unwrap().iter().map(|s| (s["code"].as_str().unwrap(), s["required"].as_bool().unwrap())).collect();
    assert_eq!(codes, [("labour_contract", true), ("diploma", false)]);
    // Submitting without the required one is refused, saying which.
    let r = zhang.post(&format!("/api/applications/{id}/actions"), json!({ "action": "submit" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.to_string().contains("请先上传：劳动合同"), "{:?}", r.body);
    // Files are told by their content.
    let path = format!("/api/applications/{id}/materials");
    let put = |slot: &str, bytes: &[u8]| zhang.post(&path, json!({ "slot": slot, "file_base64": b64(bytes) }));
    let r = put("labour_contract", b"GIF89a not accepted").await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.to_string().contains("只接受 PDF、JPG、PNG、OFD"), "{:?}", r.body);
    let r = put("labour_contract", b"%PDF-1.4\nno cross reference at all\n%%EOF").await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.to_string().contains("不是完整的 PDF"), "{:?}", r.body);
    let r = put("licence", &pdf("x")).await;
    assert!(r.body.to_string().contains("该业务不需要此类材料"), "{:?}", r.body);
    let contract = pdf("labour contract");
    let r = put("labour_contract", &contract).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = put("diploma", &photo_png()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    // Submitted: the form lists both with their SM3, inside what the parties sign.
    zhang.act_ok(id, "submit", None).await;
    let sm3 = |b: &[u8]| erjian_ofd::crypto::sm3(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    let form_text = |who: &Api| {
        let req = who.http.get(format!("{}/api/applications/{id}/form", who.base)).bearer_auth(&who.token);
        async move {
            let pkg = erjian_ofd::Package::from_bytes(&req.send().await.unwrap().bytes().await.unwrap()).unwrap();
            (erjian_ofd::reader::read(&pkg).unwrap().pages[0].text(), String::from_utf8_lossy(pkg.get("OFD.xml").unwrap()).into_owned())
        }
    };
    let (text, ofd_xml) = form_text(&zhang).await;
    assert!(text.contains("附件：劳动合同") && text.contains(&sm3(&contract)[..40]) && text.contains("附件：学历证书"), "{text}");
    assert!(ofd_xml.contains(&sm3(&contract)), "the whole digest in the signed package: {ofd_xml}");
    // Replaced after signing: the form is made again and must be signed again.
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    let newer = pdf("labour contract, page 2 added");
    assert_eq!(put("labour_contract", &newer).await.status, StatusCode::CREATED);
    let d = zhang.get(&format!("/api/applications/{id}")).await;
    assert_eq!(d.body["application"]["state"], "awaiting_signature", "the earlier signature is void");
    let (text, _) = form_text(&zhang).await;
    assert!(text.contains(&sm3(&newer)[..40]) && !text.contains(&sm3(&contract)[..40]), "{text}");
    // Only the applicant; after the seal, nobody.
    let ent = app.enterprise(ENTERPRISE_A).await;
    assert_eq!(
        ent.post(&format!("/api/applications/{id}/materials"), json!({ "slot": "diploma", "file_base64": b64(&photo_png()) })).await.status,
        StatusCode::NOT_FOUND,
        "not yet signed: the enterprise does not see it"
    );
    assert_eq!(zhang.sign_ok(id).await, "awaiting_enterprise");
    assert_eq!(ent.sign_ok(id).await, "filed");
    let r = put("diploma", &photo_png()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);

    // The reviewer opens the PDF as it was filed, sandboxed.
    let city = app.city().await;
    let list = city.get(&format!("/api/applications/{id}/attachments")).await;
    let aid = list.body["attachments"].as_array().unwrap().iter().find(|a| a["kind"] == "labour_contract").unwrap()["id"].as_i64().unwrap();
    let r = city.http.get(format!("{}/api/applications/{id}/attachments/{aid}", city.base)).bearer_auth(&city.token).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.ends_with("; sandbox") && csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(r.bytes().await.unwrap().to_vec(), newer);
    // Accepted with both materials on the form.
    city.act_ok(id, "accept", None).await;
    app.finish().await;
}
on_both_databases!(materials_from_slot_to_signed_form);

async fn upload_in_the_page(db: TestDb) {
    let app = spawn(db).await;
    let zhang = app.signup("张伟").await;
    let r = zhang.apply(ENTERPRISE_A, &["10401001"], false).await;
    let id = r.body["application"]["id"].as_i64().unwrap();
    let page = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let html = page.get(format!("{}/applications/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"materials\"") && html.contains("id=\"upload-labour_contract\""), "{html}");
    let form = |bytes: Vec<u8>, name: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf_of(&html))
            .text("slot", "labour_contract")
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()))
    };
    let r = page
        .post(format!("{}/applications/{id}/materials", app.url))
        .multipart(form(b"plain text".to_vec(), "合同.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"upload-error\"") && body.contains("劳动合同只接受"), "said on the page: {body}");
    let r = page.post(format!("{}/applications/{id}/materials", app.url)).multipart(form(pdf("ok"), "合同.pdf")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page.get(format!("{}/applications/{id}?done=uploaded", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已完成“上传材料”") && html.contains("打开 PDF"), "{html}");
    app.finish().await;
}
on_both_databases!(upload_in_the_page);
