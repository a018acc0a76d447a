//! Personal data at rest, on SQLite and PostgreSQL: a database written before sealing (mobiles,
//! pictures and ID numbers in the clear) is converted in place once the master key is set; reads give the same
//! values back; no clear mobile stays in the SQLite file; a changed byte or another key is an
//! error, never wrong data.

use erjian_store::testing::{fresh_database, TestDb};
use erjian_store::Store;

const KEY: &[u8] = b"sealing test master key, 32+ chars long";
const MOBILE: &str = "13912345678";
const ID: &str = "340104197906110056";

async fn converted_in_place(kind: TestDb) {
    let url = fresh_database(kind).await.unwrap();
    // As an earlier version left it: in the clear.
    let plain = Store::connect(&url).await.unwrap();
    let photo = b"\x89PNG a photo, stored as sent by an earlier version".to_vec();
    let (pid,): (i64,) = sqlx::query_as(
        "INSERT INTO persons (id_number, name, gender, birth_date, mobile, photo, photo_mime, created_at)
         VALUES ('340104197906110056', '赵磊', '男', '1979-06-11', $1, $2, 'image/png', '2026-01-01T00:00:00Z') RETURNING id",
    )
    .bind(MOBILE)
    .bind(photo.clone())
    .fetch_one(plain.pool())
    .await
    .unwrap();
    let (eid,): (i64,) = sqlx::query_as(
        "INSERT INTO enterprises (name, credit_code, city_code, legal_rep, status, contact_name, contact_mobile, licence_scan, licence_scan_mime, created_at)
         VALUES ('安徽建工集团股份有限公司', '91340100MA2T50123X', '340100', '周建国', 'active', '王芳', $1, $2, 'image/png', '2026-01-01T00:00:00Z') RETURNING id",
    )
    .bind("13955100001")
    .bind(b"scan bytes".to_vec())
    .fetch_one(plain.pool())
    .await
    .unwrap();
    // The ID number in the clear too: the person, a qualification record, the login name and
    // a lock-out row under the typed number.
    sqlx::query(
        "INSERT INTO qualifications (name, id_number, profession, specialty_code, certificate_no, pass_year, issue_date, imported_at)
         VALUES ('赵磊', $1, 'constructor2', '10401001', '2019000001', 2019, '2019-11-20', '2026-01-01T00:00:00Z')",
    )
    .bind(ID)
    .execute(plain.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO users (username, password_hash, role, display_name, person_id, failed_logins, created_at)
         VALUES ($1, $2, 'individual', '赵磊', $3, 0, '2026-01-01T00:00:00Z')",
    )
    .bind(ID)
    .bind(erjian_store::accounts::hash_password("Geren2026"))
    .bind(pid)
    .execute(plain.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO login_throttle (username, address, failures, updated_at) VALUES ($1, '10.0.0.1', 1, '2026-01-01T00:00:00Z')")
        .bind(ID)
        .execute(plain.pool())
        .await
        .unwrap();
    drop(plain);

    let store = Store::connect(&url).await.unwrap().with_master_key(KEY).await.unwrap();
    let (mobile, stored_photo): (String, Vec<u8>) =
        sqlx::query_as("SELECT mobile, photo FROM persons WHERE id = $1").bind(pid).fetch_one(store.pool()).await.unwrap();
    assert!(mobile.starts_with("ejs1:") && !mobile.contains(MOBILE), "{mobile}");
    assert!(erjian_store::sealing::Sealer::is_sealed(&stored_photo) && !stored_photo.windows(10).any(|w| w == &photo[..10]));
    let (contact, scan): (String, Vec<u8>) = sqlx::query_as("SELECT contact_mobile, licence_scan FROM enterprises WHERE id = $1")
        .bind(eid)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(contact.starts_with("ejs1:") && erjian_store::sealing::Sealer::is_sealed(&scan));
    // The number: sealed, with its blind index and masked form; the login name is the index.
    let (id_number, id_masked): (String, String) =
        sqlx::query_as("SELECT id_number, id_masked FROM persons WHERE id = $1").bind(pid).fetch_one(store.pool()).await.unwrap();
    assert!(id_number.starts_with("ejs1:") && !id_number.contains(ID), "{id_number}");
    assert_eq!(id_masked, "340104**********56");
    let (login,): (String,) =
        sqlx::query_as("SELECT username FROM users WHERE person_id = $1").bind(pid).fetch_one(store.pool()).await.unwrap();
    assert!(login.starts_with("id:") && !login.contains(ID), "{login}");
    let (throttled,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_throttle").fetch_one(store.pool()).await.unwrap();
    assert_eq!(throttled, 0, "no lock-out row keeps a typed number");
    // Found by the number as before: sign-in (either case), the qualification register.
    let actor = store.login(&ID.to_lowercase(), "Geren2026", chrono::Utc::now()).await.unwrap();
    assert_eq!(actor.person_id, Some(pid));
    let quals = store.qualifications_of(ID).await.unwrap();
    assert_eq!((quals.len(), quals[0].id_number.as_str()), (1, ID));
    // Read back as they were.
    assert_eq!(store.person(pid).await.unwrap().unwrap().id_number, ID);
    assert_eq!(store.person(pid).await.unwrap().unwrap().mobile, MOBILE);
    assert_eq!(store.enterprise(eid).await.unwrap().unwrap().contact_mobile, "13955100001");
    // Once only: a second start changes nothing.
    let again = Store::connect(&url).await.unwrap().with_master_key(KEY).await.unwrap();
    let (still,): (String,) = sqlx::query_as("SELECT mobile FROM persons WHERE id = $1").bind(pid).fetch_one(again.pool()).await.unwrap();
    assert_eq!(still, mobile);
    // No clear copy left in the SQLite file.
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap();
        for f in [path.to_owned(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&f) {
                assert!(!bytes.windows(MOBILE.len()).any(|w| w == MOBILE.as_bytes()), "{f} still holds the mobile in the clear");
                assert!(!bytes.windows(ID.len()).any(|w| w == ID.as_bytes()), "{f} still holds the ID number in the clear");
            }
        }
    }
    // Another deployment's key opens nothing; a changed byte is an error.
    let other = Store::connect(&url).await.unwrap().with_master_key(b"another deployment's master key, 32+ ch").await.unwrap();
    assert!(other.person(pid).await.is_err());
    let mut bytes = mobile.into_bytes();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    sqlx::query("UPDATE persons SET mobile = $2 WHERE id = $1")
        .bind(pid)
        .bind(String::from_utf8(bytes).unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    assert!(store.person(pid).await.is_err(), "a tampered value is refused");
}

#[tokio::test]
async fn converted_in_place_sqlite() {
    converted_in_place(TestDb::Sqlite).await;
}

#[tokio::test]
async fn converted_in_place_postgres() {
    converted_in_place(TestDb::Postgres).await;
}
