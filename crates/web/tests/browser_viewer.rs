//! The OFD viewers in a real browser at 1366 px and on a 390 px phone: the reviewer's view of an
//! OFD material (first page on the application, every page on its own page) and the public file
//! check's first-page picture under the verdict. The pictures load and decode in the browser and
//! nothing scrolls sideways. Screenshots 70–72.

use crate::common;
use crate::ui;

use common::*;
use erjian_domain::materials::MaterialRule;
use erjian_store::testing::{fresh_database, TestDb};
use fantoccini::Locator;
use serde_json::json;
use ui::{browser, start_driver, Ui};

fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../testdata/ofd-thirdparty/{name}.ofd")).canonicalize().unwrap()
}

/// Waits until the picture `css` has loaded and decoded in the browser; its natural width.
async fn loaded(ui: &Ui, css: &str) -> i64 {
    let js = format!("const i = document.querySelector(\"{css}\"); return i && i.complete ? i.naturalWidth : -1;");
    for _ in 0..100 {
        let w = ui.c.execute(&js, vec![]).await.unwrap().as_i64().unwrap_or(-1);
        if w > 0 {
            return w;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} did not load");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ofd_pictures_for_reviewers_and_the_public() {
    let url = fresh_database(TestDb::Sqlite).await.unwrap();
    let app = spawn_with(&url, erjian_web::clock::Clock::manual(t0()), true, Some(0)).await;
    app.require_materials(&[MaterialRule { kind: "initial", slot: "labour_contract", required: true }]);
    // 张伟 files an initial application with an OFD labour contract (a landscape, clipped,
    // composite-object document); the city reviews it.
    let zhang = app.signup("张伟").await;
    let id = zhang.apply(ENTERPRISE_A, &["10401001"], false).await.body["application"]["id"].as_i64().unwrap();
    use base64::Engine;
    let file = base64::engine::general_purpose::STANDARD.encode(std::fs::read(sample("ofdrw-converter--testPathClip")).unwrap());
    let r = zhang.post(&format!("/api/applications/{id}/materials"), json!({ "slot": "labour_contract", "file_base64": file })).await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{:?}", r.body);
    zhang.act_ok(id, "submit", None).await;
    zhang.sign_ok(id).await;
    app.enterprise(ENTERPRISE_A).await.sign_ok(id).await;

    let driver = start_driver();
    let (tmp, shots) = ui::dirs("erjian-browser-viewer");
    for (width, tag) in [(1366, "desktop"), (390, "phone")] {
        let ui = Ui { c: browser(&driver, &tmp.join(tag), width).await, base: app.url.clone(), shots: shots.clone() };
        ui.login("city1", "Shenhe2026").await;
        ui.go(&format!("/applications/{id}")).await;
        ui.c.execute("document.getElementById('attachments').scrollIntoView();", vec![]).await.unwrap();
        assert!(loaded(&ui, "#attachments .ofd-preview img").await > 400, "the first page is drawn");
        assert!(ui.text("#attachments").await.contains("查看全部页"));
        assert_eq!(ui.overflow_x().await, 0, "the materials fit a {width} px screen");
        ui.shot(&format!("70-material-preview-{tag}")).await;
        ui.click_nav("#attachments .view-all").await;
        assert!(loaded(&ui, "#ofd-pages img").await > 1000, "the whole page, sharp");
        assert!(ui.body().await.contains("OFD 文件共 1 页"));
        assert_eq!(ui.overflow_x().await, 0, "the page view fits a {width} px screen");
        ui.shot(&format!("71-material-pages-{tag}")).await;
        ui.logout().await;

        // The public file check: the verdict, then the upload's first page.
        ui.go("/check").await;
        ui.c.find(Locator::Css("#file")).await.unwrap().send_keys(sample("ofdrw-sign--v4signed").to_str().unwrap()).await.unwrap();
        ui.click_nav("#check-submit").await;
        assert!(!ui.text("#check-summary").await.is_empty());
        ui.c.execute("document.getElementById('check-preview').scrollIntoView();", vec![]).await.unwrap();
        assert!(loaded(&ui, "#check-preview img").await > 400);
        assert!(ui.text("#check-result").await.contains("核验结论以上方为准"));
        assert_eq!(ui.overflow_x().await, 0, "the check page fits a {width} px screen");
        ui.shot(&format!("72-check-preview-{tag}")).await;
        ui.c.close().await.unwrap();
    }
    app.finish().await;
}
