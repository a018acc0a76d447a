//! The `erjian` command line as an operator uses it: exit codes and the lines it prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn erjian(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_erjian")).arg("--data").arg(data).args(args).env("RUST_LOG", "error").output().expect("run erjian")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn samples() -> PathBuf {
    // Kept in the repository (licence and source in its README): a fresh clone has all it needs.
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    p.join("testdata/ofd-thirdparty")
}

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("erjian-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn ofd_verify_exit_codes_and_failed_checks() {
    let data = tmp("verify");
    let good = samples().join("ofdrw-sign--v4signed.ofd");
    let o = erjian(&["ofd", "verify", good.to_str().unwrap()], &data);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("有效"));

    // Tamper with one protected file: non-zero exit and a line naming the check and the file.
    let pkg = erjian_ofd::Package::from_bytes(&std::fs::read(&good).unwrap()).unwrap();
    let mut bad = pkg.clone();
    bad.tamper("Doc_0/Pages/Page_0/Content.xml", 100);
    let bad_file = data.join("bad.ofd");
    std::fs::write(&bad_file, bad.to_bytes()).unwrap();
    let o = erjian(&["ofd", "verify", bad_file.to_str().unwrap()], &data);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("reference_digest") && text(&o).contains("Doc_0/Pages/Page_0/Content.xml"), "{}", text(&o));

    // A bare signature is not verifiable: non-zero exit.
    let bare = samples().join("ofdrw-sign--DigitalSign.ofd");
    let o = erjian(&["ofd", "verify", bare.to_str().unwrap()], &data);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("无法验证"), "{}", text(&o));

    // JSON output for machines.
    let o = erjian(&["ofd", "verify", "--json", good.to_str().unwrap()], &data);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["signatures"][0]["verdict"], "Valid");

    // Not an OFD file: a clear error, non-zero exit.
    let junk = data.join("junk.ofd");
    std::fs::write(&junk, b"hello").unwrap();
    let o = erjian(&["ofd", "verify", junk.to_str().unwrap()], &data);
    assert!(!o.status.success());
    assert!(text(&o).contains("not an OFD package"), "{}", text(&o));
}

#[test]
fn ofd_info_lists_pages_text_and_signatures() {
    let data = tmp("info");
    let o = erjian(&["ofd", "info", samples().join("ofdrw-sign--v4signed.ofd").to_str().unwrap()], &data);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("第1页") && t.contains("发票号码") && t.contains("签章 1"), "{t}");
}

/// `erjian ofd render`: a PNG per page (decodable, A4 at the asked resolution) and one PDF with
/// as many pages; a file that is not OFD is refused with a non-zero exit.
#[test]
fn ofd_render_writes_pages_and_a_pdf() {
    let data = tmp("render");
    let out = data.join("pages");
    let file = samples().join("ofdrw-converter--y.ofd");
    let o = erjian(&["ofd", "render", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--dpi", "50"], &data);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("第 3 页") && text(&o).contains("PDF"), "{}", text(&o));
    for n in 1..=3 {
        let png = std::fs::read(out.join(format!("page-{n}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // 204 × 264 mm at 50 dpi.
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert!((400..=403).contains(&w), "page {n} is {w} px wide");
    }
    assert!(!out.join("page-4.png").exists());
    let pdf = std::fs::read(out.join("document.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let info = Command::new("pdfinfo").arg(out.join("document.pdf")).output().expect("pdfinfo (poppler-utils)");
    assert!(String::from_utf8_lossy(&info.stdout).contains("Pages:           3"), "{}", String::from_utf8_lossy(&info.stdout));
    let junk = data.join("junk.ofd");
    std::fs::write(&junk, b"hello").unwrap();
    let o = erjian(&["ofd", "render", junk.to_str().unwrap(), "--out", out.to_str().unwrap()], &data);
    assert!(!o.status.success(), "{}", text(&o));
}

#[test]
fn import_reports_every_bad_row_and_imports_nothing() {
    let data = tmp("import");
    let csv = data.join("q.csv");
    std::fs::write(&csv, "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n王芳,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n李四,110105194912310021,二级注册建造师,建筑,2,2021,2021-10-20\n").unwrap();
    let o = erjian(&["import-qualifications", csv.to_str().unwrap()], &data);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("第3行") && text(&o).contains("校验位"), "{}", text(&o));
    std::fs::write(
        &csv,
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n王芳,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n",
    )
    .unwrap();
    let o = erjian(&["import-qualifications", csv.to_str().unwrap()], &data);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已导入 1 条"));
}

#[test]
fn bench_issuance_writes_verifiable_files() {
    let data = tmp("bench");
    let out = data.join("out");
    let o = erjian(&["bench", "issuance", "--count", "3", "--out", out.to_str().unwrap(), "--json"], &data);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["count"], 3);
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 3);
    assert!(files[0].file_name().unwrap().to_str().unwrap().starts_with("1.2.156.3005.2."), "named by the e-licence identifier");
    let o = erjian(&["ofd", "verify", files[0].to_str().unwrap()], &data);
    assert!(o.status.success(), "{}", text(&o));

    // The same file with its signature list taken out: `info` says the list is missing, `verify`
    // fails with that verdict (it used to abort, while `info` showed the file as unsigned).
    let mut pkg = erjian_ofd::Package::from_bytes(&std::fs::read(&files[0]).unwrap()).unwrap();
    let list = erjian_ofd::seal::signatures_path(&pkg).unwrap().unwrap();
    assert!(pkg.remove(&list));
    let stripped = data.join("stripped.ofd");
    std::fs::write(&stripped, pkg.to_bytes()).unwrap();
    let o = erjian(&["ofd", "info", stripped.to_str().unwrap()], &data);
    assert!(o.status.success() && text(&o).contains("签章列表缺失"), "{}", text(&o));
    let o = erjian(&["ofd", "verify", stripped.to_str().unwrap()], &data);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("签章列表缺失") && !text(&o).contains("Error"), "{}", text(&o));
}

#[tokio::test]
async fn verify_qr_offline_accepts_a_real_payload_and_rejects_any_change() {
    let data = tmp("qr");
    let url = format!("sqlite://{}", data.join("erjian.db").display());
    let store = erjian_store::Store::connect(&url).await.unwrap();
    let profile = *erjian_domain::province::preset("皖").unwrap();
    let issuer =
        store.issuer(&profile, b"cli test master key, 32 bytes min", "https://erjian.example".into(), chrono::Utc::now()).await.unwrap();
    store.seed_demo(&issuer, chrono::Utc::now()).await.unwrap();
    let (face,): (String,) = sqlx::query_as("SELECT face_json FROM certificates LIMIT 1").fetch_one(store.pool()).await.unwrap();
    // Stored sealed (it carries the ID number).
    let face = erjian_store::sealing::Sealer::new(b"cli test master key, 32 bytes min").open_text(&face).unwrap();
    let face: serde_json::Value = serde_json::from_str(&face).unwrap();
    let qr_url = face["verify_url"].as_str().unwrap().to_owned();
    let regno = face["registration_number"].as_str().unwrap().to_owned();
    store.close().await;
    let key = data.join("qr-key.pem");
    std::fs::write(&key, issuer.qr_key.cert_pem()).unwrap();

    // With the key file (as downloaded from /api/public/keys), and from the database.
    let o = erjian(&["verify-qr", &qr_url, "--key", key.to_str().unwrap()], &data);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("二维码签名有效") && text(&o).contains(&regno), "{}", text(&o));
    let o = erjian(&["verify-qr", &qr_url], &data);
    assert!(o.status.success(), "{}", text(&o));

    // With a saved bitstring status list: the status at the statement's index, offline.
    let store = erjian_store::Store::connect(&url).await.unwrap();
    let (version, length, bytes) = store.status_bitstring().await.unwrap();
    let (index,): (i64,) = sqlx::query_as("SELECT status_index FROM certificates LIMIT 1").fetch_one(store.pool()).await.unwrap();
    store.close().await;
    let save = |name: &str, bytes: &[u8], signer: &erjian_ofd::crypto::KeyPair| {
        let text = erjian_cert::statement::bitstring_list_text("某厅", version, "2026-12-04T00:00:00Z", length, bytes);
        let signature = erjian_cert::statement::sign_status_list(&text, signer);
        let file = data.join(name);
        std::fs::write(&file, serde_json::json!({ "list": text, "signature": signature }).to_string()).unwrap();
        file
    };
    let list_key = data.join("list-key.pem");
    std::fs::write(&list_key, issuer.list_key.cert_pem()).unwrap();
    let with_list = |file: &std::path::Path| {
        erjian(&["verify-qr", &qr_url, "--list", file.to_str().unwrap(), "--list-key", list_key.to_str().unwrap()], &data)
    };
    let o = with_list(&save("list.json", &bytes, &issuer.list_key.key));
    assert!(o.status.success(), "{}", text(&o));
    // Cross-checked with OpenSSL (SM2/SM3 over the list's text) and gzip (the encoded bits).
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(data.join("list.json")).unwrap()).unwrap();
    let list_text = saved["list"].as_str().unwrap();
    std::fs::write(data.join("list.txt"), list_text).unwrap();
    let b64 = |s: &str| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s).unwrap();
    std::fs::write(data.join("list.sig"), b64(saved["signature"].as_str().unwrap())).unwrap();
    let x = Command::new("openssl")
        .args(["x509", "-in"])
        .arg(&list_key)
        .args(["-pubkey", "-noout", "-out"])
        .arg(data.join("list.pub"))
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", text(&x));
    let v = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(data.join("list.pub"))
        .args(["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in"])
        .arg(data.join("list.txt"))
        .arg("-sigfile")
        .arg(data.join("list.sig"))
        .output()
        .unwrap();
    assert!(v.status.success() && text(&v).contains("Verified Successfully"), "openssl: {}", text(&v));
    let encoded = list_text.lines().find_map(|l| l.strip_prefix("encoded-list: ")).unwrap();
    std::fs::write(data.join("list.gz"), b64(encoded)).unwrap();
    let gz = Command::new("gzip").arg("-dc").arg(data.join("list.gz")).output().unwrap();
    assert!(gz.status.success());
    assert_eq!(gz.stdout, bytes, "gzip reads back the bits");
    assert!(text(&o).contains("状态列表（离线）：有效"), "{}", text(&o));
    let mut ended = bytes.clone();
    erjian_cert::statement::set_entry(&mut ended, index as usize, erjian_cert::statement::BitStatus::Ended);
    let o = with_list(&save("ended.json", &ended, &issuer.list_key.key));
    assert!(!o.status.success() && text(&o).contains("已失效"), "{}", text(&o));
    let forged = save("forged.json", &bytes, &erjian_ofd::crypto::KeyPair::generate());
    let o = with_list(&forged);
    assert!(!o.status.success() && text(&o).contains("状态列表核验未通过"), "{}", text(&o));

    // Any changed character of the payload is refused.
    let payload = qr_url.rsplit_once("/V/").unwrap().1.to_owned();
    assert!(qr_url.starts_with("HTTPS://ERJIAN.EXAMPLE/V/"), "the compact address: {qr_url}");
    for i in [0, payload.len() / 3, payload.len() / 2, payload.len() - 1] {
        let mut b = payload.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(b).unwrap();
        let o = erjian(&["verify-qr", &changed, "--key", key.to_str().unwrap()], &data);
        assert!(!o.status.success(), "changed at {i} accepted");
        assert!(text(&o).contains("核验未通过"), "{}", text(&o));
    }
}

#[test]
fn synthetic_people_fill_an_empty_database() {
    let data = tmp("synthetic");
    let o = erjian(&["demo", "--synthetic", "600"], &data);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已生成 600 名注册人员"), "{}", text(&o));
    let again = erjian(&["demo", "--synthetic", "10"], &data);
    assert!(!again.status.success(), "a second run into the same database is refused");
    assert!(text(&again).contains("已有合成数据"), "{}", text(&again));
}

/// Counts that tell old from new after a rename: valid certificates per registration, and how
/// many of those were issued by the rename batch.
async fn rename_state(url: &str) -> (i64, i64, i64, i64) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url).await.unwrap();
    let (regs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM registrations WHERE status = 'active'").fetch_one(&mut c).await.unwrap();
    let (bad,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM registrations r WHERE r.status = 'active' AND (SELECT COUNT(*) FROM certificates c WHERE c.registration_id = r.id AND c.status = 'valid') <> 1",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    let (renewed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM certificates c JOIN rename_job_items i ON i.certificate_id = c.id WHERE c.status = 'valid'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    let (items,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rename_job_items").fetch_one(&mut c).await.unwrap();
    (regs, bad, renewed, items)
}

#[tokio::test]
async fn enterprise_rename_of_1000_people_survives_a_kill_and_resumes() {
    let data = tmp("rename");
    let url = format!("sqlite://{}", data.join("erjian.db").display());
    // 1053 synthetic people, of whom 53 (5 %) are cancelled: 1000 registered people in one enterprise.
    let o = erjian(&["demo", "--synthetic", "1053", "--per-enterprise", "2000"], &data);
    assert!(o.status.success(), "{}", text(&o));
    let credit = {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
        let (code,): (String,) = sqlx::query_as("SELECT credit_code FROM enterprises").fetch_one(&mut c).await.unwrap();
        code
    };
    let new_name = "安徽新华建设集团有限公司";
    let args = ["--data", data.to_str().unwrap(), "enterprise", "rename", "--credit-code", &credit, "--name", new_name];
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_erjian")).args(args).env("RUST_LOG", "error").stdout(std::process::Stdio::null()).spawn().unwrap();
    // Kill the process (SIGKILL, no clean-up) once part of the batch is done.
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let (_, _, _, items) = rename_state(&url).await;
        if items >= 100 {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the batch finished before it could be interrupted");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (regs, bad, renewed, items) = rename_state(&url).await;
    assert_eq!(regs, 1000);
    assert_eq!(bad, 0, "every person has exactly one valid certificate: the old or the new, never both or none");
    assert_eq!(renewed, items, "every finished item is a complete new certificate");
    assert!(items < 1000, "interrupted part-way ({items})");

    // Running it again finishes exactly the rest, in the same batch.
    let o = Command::new(env!("CARGO_BIN_EXE_erjian")).args(args).env("RUST_LOG", "error").output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("换发 1000 / 1000 张证书"), "{}", text(&o));
    let (_, bad, renewed, items) = rename_state(&url).await;
    assert_eq!((bad, renewed, items), (0, 1000, 1000));
    use sqlx::Connection;
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    let (superseded,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM certificates WHERE status = 'superseded' AND status_reason LIKE '企业名称变更%'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(superseded, 1000);
    let (face,): (String,) =
        sqlx::query_as("SELECT c.face_json FROM certificates c JOIN rename_job_items i ON i.certificate_id = c.id LIMIT 1")
            .fetch_one(&mut c)
            .await
            .unwrap();
    // Sealed under the key the CLI created in the data directory.
    let sealer = erjian_store::sealing::Sealer::new(&std::fs::read(data.join("master.key")).unwrap());
    assert!(!face.contains(new_name), "stored sealed");
    assert!(sealer.open_text(&face).unwrap().contains(new_name));
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action IN ('enterprise_rename', 'enterprise_rename_done')")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(audited, 2, "one audited batch: its start and its end");
}

/// `ofd info` and `ofd verify` read a file and touch nothing else: no `./erjian-data` appears in
/// the working directory (it did before: the database URL was worked out for every command).
#[test]
fn ofd_commands_create_no_data_directory() {
    let cwd = tmp("nodata");
    let file = samples().join("ofdrw-sign--v4signed.ofd");
    let pages = cwd.join("pages");
    for cmd in [vec!["info"], vec!["verify"], vec!["render", "--out", pages.to_str().unwrap(), "--dpi", "30"]] {
        let o = Command::new(env!("CARGO_BIN_EXE_erjian"))
            .arg("ofd")
            .arg(cmd[0])
            .arg(&file)
            .args(&cmd[1..])
            .current_dir(&cwd)
            .env_remove("ERJIAN_DATA")
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert!(!cwd.join("erjian-data").exists(), "ofd {} created ./erjian-data", cmd[0]);
    }
}

/// Output into a pipe that is already closed (`| head`) ends quietly, without a panic.
#[test]
fn a_closed_pipe_does_not_panic() {
    let data = tmp("pipe");
    let file = samples().join("ofdrw-reader--keyword.ofd");
    let mut child = Command::new(env!("CARGO_BIN_EXE_erjian"))
        .arg("--data")
        .arg(&data)
        .args(["ofd", "info", file.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before anything is written
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.status.code().is_some(), "ended by a signal");
}

/// A seal listed twice in `Signatures.xml` is not two valid seals: exit 1, the reason printed.
#[test]
fn ofd_verify_refuses_an_edited_signature_list() {
    let data = tmp("list");
    let pkg = erjian_ofd::Package::from_bytes(&std::fs::read(samples().join("ofdrw-sign--v4signed.ofd")).unwrap()).unwrap();
    let path = erjian_ofd::seal::signatures_path(&pkg).unwrap().unwrap();
    let list = pkg.text(&path).unwrap();
    let start = list.find("<ofd:Signature ").unwrap();
    let end = start + list[start..].find("/>").unwrap() + 2;
    let entry = &list[start..end];
    let mut bad = pkg.clone();
    bad.put(&path, list.replacen(entry, &format!("{entry}{}", entry.replacen("ID=\"", "ID=\"x", 1)), 1).into_bytes());
    let file = data.join("twice.ofd");
    std::fs::write(&file, bad.to_bytes()).unwrap();
    let o = erjian(&["ofd", "verify", file.to_str().unwrap()], &data);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("签章列表无效"), "{}", text(&o));
}

/// `erjian audit verify`: exit 0 on an untouched log; editing one row in the database makes it
/// exit 1 and name that row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_an_edited_row() {
    let data = tmp("audit");
    let csv = data.join("q.csv");
    std::fs::write(
        &csv,
        "姓名,身份证号,专业类别,专业,资格证书管理号,取得年份,发证日期\n孙红,11010519491231002X,二级注册建造师,建筑,1,2021,2021-10-20\n",
    )
    .unwrap();
    for file in [&csv, &csv] {
        let _ = erjian(&["import-qualifications", file.to_str().unwrap()], &data);
    }
    let o = erjian(&["audit", "verify"], &data);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("审计日志完整"), "{}", text(&o));

    let url = format!("sqlite://{}", data.join("erjian.db").display());
    let store = erjian_store::Store::connect(&url).await.unwrap();
    let (id,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM audit_log").fetch_one(store.pool()).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = '导入 0 条' WHERE id = $1").bind(id).execute(store.pool()).await.unwrap();
    store.close().await;
    let o = erjian(&["audit", "verify"], &data);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains(&format!("第 {id} 号记录")), "{}", text(&o));
}

/// The data directory is its owner's alone and the database file 0600; a master key kept outside
/// it (`ERJIAN_MASTER_KEY_FILE`) must be readable by its owner only, and is used when it is.
#[cfg(unix)]
#[test]
fn data_files_and_the_master_key_file_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let data = tmp("private");
    let key = tmp("keydir").join("master.key");
    std::fs::write(&key, "k".repeat(40)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_erjian"))
            .arg("--data")
            .arg(&data)
            .args(["enterprise", "rename", "--credit-code", "91340100MA2T50123X", "--name", "安徽新名称建设有限公司"])
            .env("RUST_LOG", "error")
            .env("ERJIAN_MASTER_KEY_FILE", &key)
            .env_remove("ERJIAN_MASTER_KEY")
            .output()
            .unwrap()
    };
    let o = run();
    assert!(!o.status.success());
    assert!(text(&o).contains("权限过宽") && text(&o).contains("chmod 600"), "{}", text(&o));
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run();
    assert!(text(&o).contains("未找到统一社会信用代码"), "the key was taken and the database opened: {}", text(&o));
    assert!(!data.join("master.key").exists(), "no key written into the data directory");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("erjian.db")), 0o600);
}

/// `erjian export national`: the registration events as the national platform receives them,
/// continuing from the previous report's last version; the manifest's SM3s match the files and
/// its SM2 signature verifies with the status-list key; the files are the owner's only.
#[tokio::test]
async fn national_export_continues_where_the_last_one_ended() {
    let data = tmp("national");
    let url = format!("sqlite://{}", data.join("erjian.db").display());
    let master = "national export test master key, 32+ bytes";
    let store = erjian_store::Store::connect(&url).await.unwrap().with_master_key(master.as_bytes()).await.unwrap();
    let profile = *erjian_domain::province::preset("皖").unwrap();
    let issuer = store.issuer(&profile, master.as_bytes(), "https://erjian.example".into(), chrono::Utc::now()).await.unwrap();
    let accounts = store.seed_demo(&issuer, chrono::Utc::now()).await.unwrap();
    let zhao = accounts.iter().find(|a| a.note.starts_with("赵磊")).unwrap().username.clone();
    store.close().await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_erjian"))
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("ERJIAN_MASTER_KEY", master)
            .env("RUST_LOG", "error")
            .output()
            .expect("run erjian")
    };
    let out = data.join("report-1");
    let o = run(&["export", "national", "--since", "0", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let manifest_text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
    let until = manifest["until"].as_i64().unwrap();
    assert!(until > 0 && text(&o).contains(&format!("--since {until}")), "{}", text(&o));
    let jsonl = std::fs::read(out.join("registrations.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> =
        jsonl.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    assert_eq!(lines.len() as i64, manifest["files"][0]["rows"].as_i64().unwrap());
    let row = lines.iter().find(|l| l["id_number"] == zhao.as_str()).expect("赵磊's registration, full ID number");
    assert_eq!((row["event"].as_str(), row["name"].as_str()), (Some("initial"), Some("赵磊")));
    assert!(row["licence_id"].as_str().is_some_and(|l| l.starts_with("1.2.156.")), "{row}");
    let hex = |b: &[u8]| erjian_ofd::crypto::sm3(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(manifest["files"][0]["sm3"], hex(&jsonl));
    assert_eq!(manifest["files"][1]["sm3"], hex(&std::fs::read(out.join("registrations.csv")).unwrap()));
    let csv = std::fs::read_to_string(out.join("registrations.csv")).unwrap();
    assert!(csv.contains("证件号码") && csv.contains(&zhao), "{csv}");
    // The signature verifies over the manifest's exact bytes, with the published key; a changed
    // manifest does not.
    use base64::Engine;
    let sig =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(std::fs::read_to_string(out.join("manifest.sig")).unwrap().trim()).unwrap();
    let public = issuer.list_key.key.public();
    assert!(erjian_ofd::crypto::verify(&public, manifest_text.as_bytes(), &sig));
    assert!(!erjian_ofd::crypto::verify(&public, manifest_text.replace("\"since\": 0", "\"since\": 1").as_bytes(), &sig));
    // OpenSSL agrees, from the shipped signer.pem (SM2 with the standard user ID).
    let sig_der = out.join("manifest.sig.der");
    std::fs::write(&sig_der, &sig).unwrap();
    let pubkey = out.join("signer.pub.pem");
    let x = Command::new("openssl")
        .args(["x509", "-in"])
        .arg(out.join("signer.pem"))
        .args(["-pubkey", "-noout", "-out"])
        .arg(&pubkey)
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", text(&x));
    let v = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(&pubkey)
        .args(["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in"])
        .arg(out.join("manifest.json"))
        .arg("-sigfile")
        .arg(&sig_der)
        .output()
        .unwrap();
    assert!(v.status.success() && text(&v).contains("Verified Successfully"), "openssl: {}", text(&v));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("registrations.jsonl")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "carries ID numbers: the owner's only");
    }
    // The next report starts after the last version: nothing new, nothing repeated.
    let next = data.join("report-2");
    let o = run(&["export", "national", "--since", &until.to_string(), "--out", next.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(next.join("manifest.json")).unwrap()).unwrap();
    assert_eq!((m["files"][0]["rows"].as_i64(), m["until"].as_i64()), (Some(0), Some(until)));
}

/// `erjian serve --log-format json`: one JSON object a line; every request gets its own id
/// (`X-Request-Id` on the answer and `request_id` in its log lines), and an id sent by the
/// caller is ignored, so nobody writes into the log.
#[test]
fn json_logs_carry_each_requests_own_id() {
    use std::io::{Read, Write};
    let data = tmp("jsonlog");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_erjian"))
        .arg("--data")
        .arg(&data)
        .args(["--log-format", "json", "serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("ERJIAN_MASTER_KEY", "json log test master key, 32+ bytes long")
        .env("RUST_LOG", "info,erjian_web=debug,sqlx=warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ask = || -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: evil\\ninjected\r\nConnection: close\r\n\r\n").ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let mut answer = None;
    for _ in 0..100 {
        answer = ask();
        if answer.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let answer = answer.expect("the server answers");
    let id = answer
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("x-request-id: ").map(|v| v.trim().to_owned()))
        .expect("an id on the answer");
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect();
    assert!(!lines.is_empty());
    let mine = lines.iter().find(|l| l["fields"]["request_id"] == id.as_str()).unwrap_or_else(|| panic!("no line of request {id}: {log}"));
    assert_eq!((mine["fields"]["route"].as_str(), mine["fields"]["status"].as_u64()), (Some("/healthz"), Some(200)), "{mine}");
    assert!(!log.contains("injected"), "the caller's id is not logged");
}

/// The deployment files name only settings erjian reads: every `ERJIAN_…` key in
/// `deploy/erjian.env.example` is an option's environment name in `--help`, or one of the few
/// read directly (the master key file, the metrics token, the SMS vendor's secrets).
#[test]
fn deployment_environment_is_what_erjian_reads() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let example = std::fs::read_to_string(root.join("deploy/erjian.env.example")).unwrap();
    let help = |args: &[&str]| text(&Command::new(env!("CARGO_BIN_EXE_erjian")).args(args).output().unwrap());
    let helps = format!("{}{}", help(&["--help"]), help(&["serve", "--help"]));
    let direct = ["ERJIAN_MASTER_KEY_FILE", "ERJIAN_METRICS_TOKEN"];
    let mut seen = 0;
    for line in example.lines().map(|l| l.trim_start_matches("# ").trim()) {
        let Some((key, _)) = line.split_once('=') else { continue };
        if !key.starts_with("ERJIAN_") || key.contains(' ') {
            continue;
        }
        seen += 1;
        assert!(direct.contains(&key) || helps.contains(&format!("env: {key}=")), "{key} is not a setting erjian reads");
    }
    assert!(seen >= 10, "{seen}");
    let unit = std::fs::read_to_string(root.join("deploy/erjian.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/erjian --log-format json serve") && unit.contains("UMask=0077"));
}
