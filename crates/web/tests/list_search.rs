//! Search on the enterprise's lists (本单位人员, 业务记录: name, ID number, registration or
//! application number, with pages and the same rows in the CSV) and on the administrator's
//! account list (login, name or document number, by role, in pages — never the whole table).

use crate::common;
use common::*;
use erjian_store::testing::TestDb;

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn enterprise_and_account_lists_are_searched(db: TestDb) {
    let app = spawn(db).await;
    let (first, first_no) = app.file_initial("张伟", "10401001").await;
    let (second, second_no) = app.file_initial("刘洋", "10401002").await;
    app.review_and_announce(first, "city1").await;
    let liu_id = app.person_id_number("刘洋");
    let zhang_id = app.person_id_number("张伟");

    let ent = app.page_login(&app.enterprise_login(ENTERPRISE_A), "Qiye2026").await;
    let get = |path: String| {
        let ent = ent.clone();
        let url = format!("{}{path}", app.url);
        async move { ent.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // 业务记录: by name, by ID number, by application number; the CSV keeps the search.
    let html = get(format!("/portal?tab=history&q={}", urlencode("刘洋"))).await;
    assert!(html.contains(&second_no) && !html.contains(&first_no), "{html}");
    assert!(html.contains("value=\"刘洋\""), "the box keeps what was typed");
    let html = get(format!("/portal?tab=history&q={zhang_id}")).await;
    assert!(html.contains(&first_no) && !html.contains(&second_no), "{html}");
    let html = get(format!("/portal?tab=history&q={second_no}")).await;
    assert!(html.contains(&second_no) && !html.contains(&first_no), "{html}");
    let csv = get(format!("/export/applications.csv?q={liu_id}")).await;
    assert!(csv.contains(&second_no) && !csv.contains(&first_no), "{csv}");
    // Another enterprise's search finds nothing of A's.
    let other = app.page_login(&app.enterprise_login(ENTERPRISE_B), "Qiye2026").await;
    let html = other.get(format!("{}/portal?tab=history&q={second_no}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(&format!("/applications/{second}\"")), "{html}");

    // 本单位人员: the announced 张伟 is found by name and by ID number; 刘洋 (not registered) not.
    let all = get("/portal?tab=people".into()).await;
    let html = get(format!("/portal?tab=people&q={zhang_id}")).await;
    assert!(html.contains("查找结果：1 人") && html.contains("张伟"), "{html}");
    let regno = html.split("<td>").nth(3).and_then(|c| c.split("</td>").next()).unwrap().to_owned();
    assert!(all.contains(&regno));
    let html = get(format!("/portal?tab=people&q={}", urlencode(&regno))).await;
    assert!(html.contains("查找结果：1 人"), "{html}");
    let html = get(format!("/portal?tab=people&q={liu_id}")).await;
    assert!(html.contains("查找结果：0 人"), "{html}");
    let csv = get(format!("/export/people.csv?q={zhang_id}")).await;
    assert_eq!(csv.lines().count(), 2, "{csv}");

    // The administrator's accounts: one page, found by login, by name, by ID number (shown masked).
    let admin = app.page_login("admin", "Admin2026").await;
    let rows = |html: &str| html.matches("class=\"account-row\"").count();
    let html = admin.get(format!("{}/admin?q=city1", app.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&html), 1, "{html}");
    let html = admin.get(format!("{}/admin?q={liu_id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&html), 1, "{html}");
    let row = html.split("class=\"account-row\"").nth(1).and_then(|r| r.split("</tr>").next()).unwrap();
    assert!(row.contains("刘洋") && !row.contains(&liu_id) && row.contains(&liu_id[liu_id.len() - 2..]), "masked: {row}");
    let html = admin.get(format!("{}/admin?q={}", app.url, urlencode("刘洋"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&html), 1, "{html}");
    let html = admin.get(format!("{}/admin?role=city", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(rows(&html) >= 2 && !html.contains("刘洋") && html.contains("市级主管部门"), "{html}");
    let html = admin.get(format!("{}/admin?role=individual&after=999999999", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("没有符合条件的账号"), "{html}");
    // Only the administrator lists accounts.
    let province = app.page_login("province", "Shenhe2026").await;
    let html = province.get(format!("{}/admin?q=city1", app.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&html), 0);
    app.finish().await;
}
on_both_databases!(enterprise_and_account_lists_are_searched);
