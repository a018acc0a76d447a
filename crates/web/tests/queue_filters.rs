//! An authority's queues narrowed and ordered by what a reviewer needs, on both databases: kind,
//! city, overdue or due within two working days, soonest deadline first (with keyset pages),
//! the same rows in the page, the API and the CSV; and a decision taken on several at once,
//! each checked and recorded on its own.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn numbers(r: &Reply) -> Vec<String> {
    r.body["applications"].as_array().unwrap().iter().map(|a| a["number"].as_str().unwrap().to_owned()).collect()
}

async fn filters_sorting_and_batch_decisions(db: TestDb) {
    let app = spawn(db).await;
    // 2026-11-25 is a Wednesday: filed then, 受理 is due the next working day (Thursday).
    let (first, first_no) = app.file_initial("张伟", "10401001").await;
    app.advance(5); // Monday 11-30: the first is overdue.
    let (second, second_no) = app.file_initial("刘洋", "10401002").await;
    let (third, third_no) = app.file_initial("陈静", "10401007").await;
    let city = app.city().await;
    let filed = city.get("/api/applications?state=filed").await;
    assert_eq!(numbers(&filed), vec![third_no.clone(), second_no.clone(), first_no.clone()], "newest first");
    assert_eq!(numbers(&city.get("/api/applications?state=filed&due=overdue").await), vec![first_no.clone()]);
    assert_eq!(numbers(&city.get("/api/applications?state=filed&due=soon").await).len(), 3, "due tomorrow or earlier");
    // Soonest deadline first, one a page: the cursor carries the day.
    let page1 = city.get("/api/applications?state=filed&sort=deadline&limit=1").await;
    assert_eq!(numbers(&page1), vec![first_no.clone()]);
    let next = page1.body["next"].as_str().unwrap().to_owned();
    assert!(next.starts_with("2026-11-26~"), "{next}");
    let page2 = city.get(&format!("/api/applications?state=filed&sort=deadline&limit=1&after={}", urlencode(&next))).await;
    assert_eq!(numbers(&page2), vec![second_no.clone()]);
    // Kind and city: the province narrows to a city (none elsewhere).
    let city_code = filed.body["applications"][0]["city_code"].as_str().unwrap().to_owned();
    let province = app.province().await;
    assert_eq!(numbers(&province.get(&format!("/api/applications?state=filed&city={city_code}")).await).len(), 3);
    let other_city = if city_code == "340200" { "340100" } else { "340200" };
    assert!(numbers(&province.get(&format!("/api/applications?state=filed&city={other_city}")).await).is_empty());
    assert!(numbers(&city.get("/api/applications?state=filed&kind=renewal").await).is_empty());
    assert_eq!(numbers(&city.get("/api/applications?state=filed&kind=initial").await).len(), 3);

    // The page: the filters stay chosen, the CSV has the same rows.
    let page = app.page_login("city1", "Shenhe2026").await;
    let html = page.get(format!("{}/portal?tab=filed&due=overdue", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&first_no) && !html.contains(&second_no), "{html}");
    assert!(html.contains("<option value=\"overdue\" selected>"), "{html}");
    let csv = page.get(format!("{}/export/applications.csv?state=filed&due=overdue", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains(&first_no) && !csv.contains(&second_no), "{csv}");

    // 批量受理: the three, plus one the city may not see; each decided on its own, with the opinion.
    let html = page.get(format!("{}/portal?tab=filed", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"batch-form\"") && html.contains("申请材料齐全，符合法定形式，予以受理"), "{html}");
    let form = [
        ("csrf", csrf_of(&html)),
        ("action", "accept".into()),
        ("opinion", "材料齐全，予以受理（批量）".into()),
        ("ids", first.to_string()),
        ("ids", second.to_string()),
        ("ids", third.to_string()),
        ("ids", "999999".into()),
    ];
    let r = page.post(format!("{}/applications/batch-action", app.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("共 4 件，已办理 3 件，1 件未办理"), "{html}");
    assert!(html.contains("#999999"), "an unknown one is named by what was sent, nothing more");
    for id in [first, second, third] {
        let d = city.get(&format!("/api/applications/{id}")).await;
        assert_eq!(d.body["application"]["state"], "accepted");
        let last = d.body["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["action"].as_str(), last["reason"].as_str()), (Some("accept"), Some("材料齐全，予以受理（批量）")));
        // The next deadline is kept: 作出审查决定 in working days from acceptance.
        assert!(d.body["application"]["due_on"].as_str().unwrap() > "2026-12-01", "{:?}", d.body["application"]);
    }
    // Again: nothing is decided twice.
    let html = page.get(format!("{}/portal?tab=accepted", app.url)).send().await.unwrap().text().await.unwrap();
    let again = [("csrf", csrf_of(&html)), ("action", "accept".into()), ("ids", first.to_string())];
    let html = page.post(format!("{}/applications/batch-action", app.url)).form(&again).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("已办理 0 件"), "{html}");
    // Enterprises cannot.
    let ent = app.page_login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    let html = ent.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    let form = [("csrf", csrf_of(&html)), ("action", "prelim_approve".into()), ("ids", first.to_string())];
    assert_eq!(
        ent.post(format!("{}/applications/batch-action", app.url)).form(&form).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    app.finish().await;
}
on_both_databases!(filters_sorting_and_batch_decisions);
