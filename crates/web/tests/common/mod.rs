//! Test support: spawn the real server on port 0 against a fresh SQLite file or PostgreSQL
//! database, with a settable clock, and typed API helpers.
#![allow(dead_code)]

/// The master key of every test deployment (tests that reach into the database use it).
pub const MASTER_KEY: &[u8] = b"erjian test master key, not secret";

use chrono::{DateTime, Duration, Utc};
use erjian_store::testing::{drop_database, fresh_database, TestDb};
use erjian_web::clock::Clock;
pub use erjian_web::ratelimit::RateLimit;
use erjian_web::{start, Config, Server};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The signing PIN the tests use for everyone.
pub const PIN: &str = "Pin-2026!";
pub const ENTERPRISE_A: &str = "安徽建工集团股份有限公司";
pub const ENTERPRISE_B: &str = "安徽路桥工程有限公司";

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc)
}

pub struct TestApp {
    pub server: Server,
    pub url: String,
    pub database_url: String,
    pub clock: Clock,
    pub http: reqwest::Client,
}

/// Starts a server with the demo data, the 皖 profile (5-day publicity) and a manual clock.
pub async fn spawn(kind: TestDb) -> TestApp {
    let database_url = fresh_database(kind).await.expect("fresh database");
    spawn_on(&database_url, Clock::manual(t0()), true).await
}

pub async fn spawn_on(database_url: &str, clock: Clock, demo: bool) -> TestApp {
    spawn_with(database_url, clock, demo, None).await
}

/// A server on another province's profile (its own demo enterprises and numbering).
pub async fn spawn_in(kind: TestDb, province: &str) -> TestApp {
    let database_url = fresh_database(kind).await.expect("fresh database");
    spawn_config(&database_url, Clock::manual(t0()), true, None, province).await
}

/// As [`spawn_on`], overriding the publicity period.
pub async fn spawn_with(database_url: &str, clock: Clock, demo: bool, publicity_days: Option<i64>) -> TestApp {
    spawn_config(database_url, clock, demo, publicity_days, "皖").await
}

async fn spawn_config(database_url: &str, clock: Clock, demo: bool, publicity_days: Option<i64>, province: &str) -> TestApp {
    spawn_limited(database_url, clock, demo, publicity_days, province, RateLimit::default()).await
}

/// A server whose province comes from a profile file instead of a preset.
pub async fn spawn_profile_file(kind: TestDb, file: &std::path::Path) -> TestApp {
    let database_url = fresh_database(kind).await.expect("fresh database");
    let clock = Clock::manual(t0());
    let config = Config {
        database_url: database_url.clone(),
        addr: "127.0.0.1:0".parse().unwrap(),
        province: String::new(),
        publicity_days: None,
        demo: true,
        clock: clock.clone(),
        secure_cookies: false,
        master_key: MASTER_KEY.to_vec(),
        public_url: None,
        rate_limit: RateLimit::default(),
        holidays: None,
        profile_file: Some(file.to_owned()),
        sms: Default::default(),
    };
    let server = start(config).await.expect("server starts");
    let url = server.url();
    TestApp { server, url, database_url, clock, http: reqwest::Client::new() }
}

/// A server with its own public rate limit.
pub async fn spawn_limited(
    database_url: &str,
    clock: Clock,
    demo: bool,
    publicity_days: Option<i64>,
    province: &str,
    rate_limit: RateLimit,
) -> TestApp {
    let config = Config {
        database_url: database_url.to_owned(),
        addr: "127.0.0.1:0".parse().unwrap(),
        province: province.into(),
        publicity_days,
        demo,
        clock: clock.clone(),
        secure_cookies: false,
        master_key: MASTER_KEY.to_vec(),
        public_url: None,
        rate_limit,
        holidays: None,
        profile_file: None,
        sms: Default::default(),
    };
    let server = start(config).await.expect("server starts");
    let url = server.url();
    TestApp { server, url, database_url: database_url.to_owned(), clock, http: reqwest::Client::new() }
}

impl TestApp {
    /// Runs the server's profile with these material rules from now on.
    pub fn require_materials(&self, rules: &'static [erjian_domain::materials::MaterialRule]) {
        let mut profile = self.server.state.profile();
        profile.materials = rules;
        self.server.state.apply_profile(profile);
    }

    /// An initial application requiring a labour contract, a diploma optional.
    pub fn require_contract_and_diploma(&self) {
        use erjian_domain::materials::MaterialRule;
        self.require_materials(&[
            MaterialRule { kind: "initial", slot: "labour_contract", required: true },
            MaterialRule { kind: "initial", slot: "diploma", required: false },
        ]);
    }

    pub fn advance(&self, days: i64) {
        self.clock.advance(Duration::days(days));
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.clock.advance(Duration::minutes(minutes));
    }

    pub async fn finish(self) {
        let url = self.database_url.clone();
        self.server.stop().await;
        drop_database(&url).await;
    }

    /// The demo account of an enterprise by its name.
    pub fn enterprise_login(&self, name: &str) -> String {
        self.server.demo_accounts.iter().find(|a| a.note == name).map(|a| a.username.clone()).expect("demo enterprise")
    }

    pub fn person_id_number(&self, name: &str) -> String {
        self.server.demo_accounts.iter().find(|a| a.note.starts_with(name)).map(|a| a.username.clone()).expect("demo person")
    }

    pub async fn login(&self, username: &str, password: &str) -> Api {
        let r = self
            .http
            .post(format!("{}/api/login", self.url))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let v: Value = r.json().await.unwrap();
        Api { base: self.url.clone(), token: v["token"].as_str().unwrap().to_owned(), http: self.http.clone() }
    }

    pub async fn city(&self) -> Api {
        self.login("city1", "Shenhe2026").await
    }

    pub async fn province(&self) -> Api {
        self.login("province", "Shenhe2026").await
    }

    pub async fn enterprise(&self, name: &str) -> Api {
        self.login(&self.enterprise_login(name), "Qiye2026").await
    }

    /// Reviews, publicises and announces one filed application (the 皖 profile: 5 days of
    /// publicity), with the city authority given by its login name.
    pub async fn review_and_announce(&self, id: i64, city: &str) {
        let city = self.login(city, "Shenhe2026").await;
        city.act_ok(id, "accept", None).await;
        city.act_ok(id, "prelim_approve", None).await;
        let province = self.province().await;
        province.act_ok(id, "approve", None).await;
        let batch = province.post("/api/batches", json!({ "application_ids": [id] })).await;
        let batch_id = batch.body["id"].as_i64().unwrap();
        self.advance(6);
        let done = self.province().await.post(&format!("/api/batches/{batch_id}/announce"), json!({})).await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    }

    /// Signs (the applicant), seals (ENTERPRISE_A), reviews and announces one application.
    pub async fn through_review(&self, applicant: &Api, id: i64) {
        assert_eq!(applicant.sign_ok(id).await, "awaiting_enterprise");
        assert_eq!(self.enterprise(ENTERPRISE_A).await.sign_ok(id).await, "filed");
        self.review_and_announce(id, "city1").await;
    }

    /// A browser-like client (cookies kept, redirects not followed) signed in through the login
    /// page with its CSRF token.
    pub async fn page_login(&self, username: &str, password: &str) -> reqwest::Client {
        let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login = c.get(format!("{}/login", self.url)).send().await.unwrap().text().await.unwrap();
        let form = [("csrf", csrf_of(&login)), ("username", username.to_owned()), ("password", password.to_owned())];
        assert_eq!(c.post(format!("{}/login", self.url)).form(&form).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        c
    }

    /// Signs up a demo person, files an initial application for one specialty with
    /// ENTERPRISE_A (hours given), signs and seals it: filed now. Returns (id, number).
    pub async fn file_initial(&self, name: &str, specialty: &str) -> (i64, String) {
        let who = self.signup(name).await;
        let body = json!({ "enterprise_name": ENTERPRISE_A, "mobile": "13800138000", "specialties": [specialty], "declaration": true,
            "photo_base64": photo_base64(), "submit": true, "ce_compulsory": 60, "ce_elective": 60 });
        let r = who.post("/api/applications", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {:?}", r.body);
        let id = r.body["application"]["id"].as_i64().unwrap();
        who.sign_ok(id).await;
        self.enterprise(ENTERPRISE_A).await.sign_ok(id).await;
        (id, r.body["application"]["number"].as_str().unwrap().to_owned())
    }

    /// Signs up a demo person who has no account yet (张伟, 刘洋, 陈静).
    pub async fn signup(&self, name: &str) -> Api {
        self.signup_as(name, &self.person_id_number(name)).await
    }

    /// Signs up `name` with a resident ID number: a code to a mobile of their own (from the
    /// demo outbox), then the sign-up with it.
    pub async fn signup_as(&self, name: &str, id: &str) -> Api {
        let mobile = mobile_for(id);
        let body = json!({ "name": name, "id_number": id, "mobile": mobile, "password": "Geren2026" });
        let r = self.http.post(format!("{}/api/signup/code", self.url)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{:?}", r.text().await);
        let mut body = body;
        body["code"] = json!(self.newest_code_to(&mobile));
        let r = self.http.post(format!("{}/api/signup/individual", self.url)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
        let v: Value = r.json().await.unwrap();
        Api { base: self.url.clone(), token: v["token"].as_str().unwrap().to_owned(), http: self.http.clone() }
    }

    /// Fails when `needle` (an ID number, a mobile) is stored in the clear anywhere in the
    /// database: every row of every table, as text (PostgreSQL; byte columns as hex) or the whole
    /// file and its journal (SQLite). Files are compressed inside, so the files and signing
    /// certificates that carry numbers are also checked to be stored sealed.
    pub async fn assert_not_stored_in_clear(&self, needle: &str) {
        let hex_needle: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
        let store = erjian_store::Store::connect(&self.database_url).await.unwrap();
        if let Some(path) = self.database_url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap();
            for f in [path.to_owned(), format!("{path}-wal")] {
                if let Ok(bytes) = std::fs::read(&f) {
                    assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{f} holds {needle} in the clear");
                }
            }
        } else {
            let tables: Vec<(String,)> =
                sqlx::query_as("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()")
                    .fetch_all(store.pool())
                    .await
                    .unwrap();
            for (t,) in tables {
                let rows: Vec<(String,)> = sqlx::query_as(&format!("SELECT x::text FROM \"{t}\" x")).fetch_all(store.pool()).await.unwrap();
                for (row,) in rows {
                    assert!(!row.contains(needle) && !row.contains(&hex_needle), "table {t} holds {needle} in the clear: {row:.200}");
                }
            }
        }
        for (table, column) in [
            ("certificates", "ofd"),
            ("applications", "form_ofd"),
            ("usage_copies", "ofd"),
            ("signing_keys", "cert"),
            ("signing_keys", "seal"),
        ] {
            let rows: Vec<(Option<Vec<u8>>,)> =
                sqlx::query_as(&format!("SELECT {column} FROM {table}")).fetch_all(store.pool()).await.unwrap();
            for (b,) in rows.into_iter().filter_map(|r| r.0.map(|b| (b,))) {
                assert!(erjian_store::sealing::Sealer::is_sealed(&b), "{table}.{column} is stored unsealed");
            }
        }
        store.close().await;
    }

    /// The newest code texted to `mobile`, from the demo outbox.
    pub fn newest_code_to(&self, mobile: &str) -> String {
        let dir = self.server.state.outbox.clone().expect("the demo outbox");
        let (_, text) = erjian_web::sms::LogSms::outbox(&dir, 500)
            .into_iter()
            .find(|(name, _)| name.contains(&format!("-{mobile}.")))
            .unwrap_or_else(|| panic!("no message to {mobile}"));
        text.split("验证码为 ").nth(1).expect("a code")[..6].to_owned()
    }
}

/// A logged-in API caller.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

impl Api {
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}{}", self.base, path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        Reply { status, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// Sets this caller's signing PIN (once; a second call is refused and ignored here).
    pub async fn ensure_pin(&self, pin: &str) {
        let r = self.post("/api/signing/pin", json!({ "pin": pin })).await;
        assert!(r.status == StatusCode::CREATED || r.status == StatusCode::CONFLICT, "set PIN: {:?}", r.body);
    }

    /// Signs (applicant) or seals (enterprise) an application's form with the PIN.
    pub async fn sign(&self, id: i64, pin: &str) -> Reply {
        self.post(&format!("/api/applications/{id}/sign"), json!({ "pin": pin })).await
    }

    /// Sets the PIN if needed and signs or seals, expecting success; returns the new state.
    pub async fn sign_ok(&self, id: i64) -> String {
        self.ensure_pin(PIN).await;
        let r = self.sign(id, PIN).await;
        assert_eq!(r.status, StatusCode::OK, "sign {id}: {:?}", r.body);
        r.body["state"].as_str().unwrap().to_owned()
    }

    /// Performs a workflow action and expects success.
    pub async fn act_ok(&self, id: i64, action: &str, reason: Option<&str>) -> String {
        let r = self.post(&format!("/api/applications/{id}/actions"), json!({ "action": action, "reason": reason })).await;
        assert_eq!(r.status, StatusCode::OK, "{action} on {id}: {:?}", r.body);
        r.body["state"].as_str().unwrap().to_owned()
    }

    pub async fn apply(&self, enterprise: &str, specialties: &[&str], submit: bool) -> Reply {
        self.post(
            "/api/applications",
            json!({ "enterprise_name": enterprise, "mobile": "13800138000", "specialties": specialties, "declaration": true, "photo_base64": photo_base64(), "submit": submit }),
        )
        .await
    }
}

/// A real 300×400 PNG with noise (so it is well over the 2 KB minimum).
pub fn photo_png() -> Vec<u8> {
    let (w, h) = (300u32, 400u32);
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    let mut x: u32 = 12345;
    for i in 0..w * h {
        x = x.wrapping_mul(1103515245).wrapping_add(12345);
        let v = 200u8.saturating_add((x >> 27) as u8) ^ (i % 7) as u8;
        data.extend_from_slice(&[v, v, 255]);
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

pub fn photo_base64() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(photo_png())
}

/// A mobile number of a person's own, derived from the ID number (codes are limited per number).
pub fn mobile_for(id: &str) -> String {
    let n = id.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("137{:08}", n % 100_000_000)
}

/// Runs an async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(erjian_store::testing::TestDb::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name(erjian_store::testing::TestDb::Postgres).await
            }
        }
    };
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[i..i + 64].to_owned()
}

/// Whether two PNG files show the same pixels (uploads are stored re-encoded, not as sent).
pub fn same_picture(a: &[u8], b: &[u8]) -> bool {
    let pixels = |bytes: &[u8]| {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.to_vec())).read_info().ok()?;
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).ok()?;
        buf.truncate(info.buffer_size());
        Some((info.width, info.height, info.color_type, buf))
    };
    matches!((pixels(a), pixels(b)), (Some(x), Some(y)) if x == y)
}
