//! 注册信息查询, on both databases: an authority finds one person by document number or
//! registration number and reads registrations, every certificate version and applications; a
//! city outside the person's enterprise and filings gets the same "not found" as for nobody;
//! enterprises and people have no such look-up.

use crate::common;
use common::*;
use erjian_store::testing::TestDb;
use reqwest::StatusCode;

async fn authorities_read_one_person(kind: TestDb) {
    let app = spawn(kind).await;
    let id = app.person_id_number("赵磊");
    let zhao = app.login(&id, "Geren2026").await;
    let regno = zhao.get("/api/registrations").await.body["registrations"][0]["registration_number"].as_str().unwrap().to_owned();
    let city1 = app.city().await;
    for term in [id.as_str(), regno.as_str()] {
        let r = city1.get(&format!("/api/lookup?q={term}")).await;
        assert_eq!(r.status, StatusCode::OK, "{term}: {:?}", r.body);
        assert_eq!(r.body["person"]["name"], "赵磊");
        let regs = r.body["registrations"].as_array().unwrap();
        assert_eq!(regs[0][0]["registration_number"], regno.as_str());
        assert!(!regs[0][1].as_array().unwrap().is_empty(), "certificate versions listed");
        assert!(!r.body["applications"].as_array().unwrap().is_empty());
    }
    // Not Wuhu's: the same answer as for nobody.
    let city2 = app.login("city2", "Shenhe2026").await;
    let other = city2.get(&format!("/api/lookup?q={id}")).await;
    let nobody = city2.get("/api/lookup?q=11010519491231002X").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.body, nobody.body);
    assert_eq!(app.province().await.get(&format!("/api/lookup?q={id}")).await.status, StatusCode::OK);
    assert_eq!(app.enterprise(ENTERPRISE_A).await.get(&format!("/api/lookup?q={id}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(zhao.get(&format!("/api/lookup?q={id}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(city1.get("/api/lookup?q=").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page.
    let c = app.page_login("city1", "Shenhe2026").await;
    let html = c.get(format!("{}/lookup?q={regno}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"lookup-person\"") && html.contains(&regno) && html.contains("第1版"), "{html}");
    let portal = c.get(format!("{}/portal", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(portal.contains("href=\"/lookup\""), "in the menu");
    app.finish().await;
}
on_both_databases!(authorities_read_one_person);
