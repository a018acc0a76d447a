//! OFD materials and uploads shown as pictures, on both databases: an OFD material on the
//! application page shows its first page drawn by erjian-render, and “查看全部页” every page — to
//! whoever may see the application; another applicant and strangers get no picture. The public
//! file check shows the uploaded file's first page under its verdict, saying that the picture is
//! not the verdict; a file that is not OFD gets the verdict alone.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../testdata/ofd-thirdparty/{name}.ofd", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Red pixels (a seal's ink) in a PNG.
fn red_pixels(png: &[u8]) -> usize {
    let img = image::load_from_memory(png).expect("a PNG").to_rgb8();
    img.pixels().filter(|p| p[0] > 150 && p[1] < 110 && p[2] < 110).count()
}

async fn ofd_materials_are_shown_to_who_may_see_them(db: TestDb) {
    let app = spawn(db).await;
    app.require_contract_and_diploma();
    let zhang = app.signup("张伟").await;
    let id = zhang.apply(ENTERPRISE_A, &["10401001"], false).await.body["application"]["id"].as_i64().unwrap();
    let path = format!("/api/applications/{id}/materials");
    // A sealed e-invoice (one A4 page with its seal) as the contract, a picture as the diploma.
    let r = zhang.post(&path, json!({ "slot": "labour_contract", "file_base64": b64(&sample("ofdrw-sign--v4signed")) })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let aid = r.body["id"].as_i64().unwrap();
    let r = zhang.post(&path, json!({ "slot": "diploma", "file_base64": b64(&photo_png()) })).await;
    let picture = r.body["id"].as_i64().unwrap();

    let page = app.page_login(&app.person_id_number("张伟"), "Geren2026").await;
    let get = |c: &reqwest::Client, p: String| {
        let url = format!("{}{p}", app.url);
        let c = c.clone();
        async move { c.get(url).send().await.unwrap() }
    };
    let html = get(&page, format!("/applications/{id}")).await.text().await.unwrap();
    assert!(html.contains(&format!("/applications/{id}/attachments/{aid}/pages/1")), "first page shown: {html}");
    assert!(html.contains("查看全部页"), "{html}");

    // The first page, drawn: a page-sized picture with the seal's red on it.
    let r = get(&page, format!("/applications/{id}/attachments/{aid}/pages/1")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let png = r.bytes().await.unwrap();
    let img = image::load_from_memory(&png).unwrap();
    assert!(img.width() > 400 && img.height() > 200, "{}×{}", img.width(), img.height());
    assert!(red_pixels(&png) > 300, "the seal is drawn");
    // Pages that do not exist.
    for n in [0, 2, 51] {
        assert_eq!(get(&page, format!("/applications/{id}/attachments/{aid}/pages/{n}")).await.status(), StatusCode::NOT_FOUND, "page {n}");
    }
    // Every page, one under another.
    let view = get(&page, format!("/applications/{id}/attachments/{aid}/view")).await;
    assert_eq!(view.status(), StatusCode::OK);
    let view = view.text().await.unwrap();
    assert!(view.contains("OFD 文件共 1 页") && view.contains("第 1 页") && view.contains("劳动合同"), "{view}");
    // A picture material has no OFD view.
    let r = get(&page, format!("/applications/{id}/attachments/{picture}/view")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("该材料不是 OFD 文件"));

    // Another applicant and a stranger: no picture.
    let li = app.page_login(&app.person_id_number("李娜"), "Geren2026").await;
    for p in [format!("/applications/{id}/attachments/{aid}/pages/1"), format!("/applications/{id}/attachments/{aid}/view")] {
        let r = get(&li, p.clone()).await;
        assert!(r.status() == StatusCode::NOT_FOUND || r.status() == StatusCode::FORBIDDEN, "{p}: {}", r.status());
        assert_ne!(r.headers()["content-type"], "image/png");
        let stranger = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = get(&stranger, p.clone()).await;
        assert!(r.status().is_redirection() || r.status() == StatusCode::UNAUTHORIZED, "{p}: {}", r.status());
    }
    app.finish().await;
}
on_both_databases!(ofd_materials_are_shown_to_who_may_see_them);

async fn the_file_check_shows_the_first_page_under_the_verdict(db: TestDb) {
    let app = spawn(db).await;
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let check = |file: Vec<u8>, name: &'static str| {
        let c = c.clone();
        let url = app.url.clone();
        async move {
            let csrf = csrf_of(&c.get(format!("{url}/check")).send().await.unwrap().text().await.unwrap());
            let form =
                reqwest::multipart::Form::new().text("csrf", csrf).part("file", reqwest::multipart::Part::bytes(file).file_name(name));
            c.post(format!("{url}/check")).multipart(form).send().await.unwrap().text().await.unwrap()
        }
    };
    let html = check(sample("ofdrw-sign--v4signed"), "invoice.ofd").await;
    assert!(html.contains("id=\"check-summary\""), "{html}");
    let i = html.find("id=\"check-preview\"").unwrap_or_else(|| panic!("a preview: {html}"));
    assert!(html.contains("图上的印章图案不能证明真伪，核验结论以上方为准"));
    assert!(html.find("id=\"check-summary\"").unwrap() < i, "the verdict comes first");
    let start = html[i..].find("data:image/png;base64,").unwrap() + i + 22;
    let end = start + html[start..].find('"').unwrap();
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD.decode(&html[start..end]).unwrap();
    assert!(red_pixels(&png) > 200, "the uploaded page with its seal");
    // Not an OFD: the verdict, no picture.
    let html = check(b"%PDF-1.4 not an ofd".to_vec(), "x.pdf").await;
    assert!(html.contains("id=\"check-summary\"") && !html.contains("id=\"check-preview\""), "{html}");
    app.finish().await;
}
on_both_databases!(the_file_check_shows_the_first_page_under_the_verdict);
