//! `erjian export national --since V --out DIR`: the registration events after version V as the
//! province sends them to the national construction-market platform — `registrations.jsonl` and
//! `registrations.csv` (the same rows), and `manifest.json` (province, issuer, versions, each
//! file's rows and SM3) signed with the deployment's status-list key (SM2 over the manifest's
//! exact bytes: `manifest.sig`, URL-safe base64 without padding; the key's certificate in
//! `signer.pem`, also at `/api/public/keys`). Files are written readable by their owner only:
//! they carry full ID numbers.

use anyhow::Context;
use erjian_store::certificates::Issuer;
use erjian_store::national::NationalRow;
use erjian_store::Store;
use std::io::Write;
use std::path::Path;

/// What was written.
#[derive(Debug, serde::Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub province: String,
    pub issuer: String,
    pub since: i64,
    /// The last version written: the next export's `--since`.
    pub until: i64,
    pub generated_at: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, serde::Serialize)]
pub struct FileEntry {
    pub name: &'static str,
    pub rows: usize,
    pub sm3: String,
}

const CSV_HEADER: &[&str] = &[
    "版本",
    "日期",
    "事项",
    "注册编号",
    "注册类别",
    "姓名",
    "证件号码",
    "聘用企业",
    "统一社会信用代码",
    "专业",
    "注册状态",
    "证照标识",
    "证书编号",
    "证书状态",
];

fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_line(r: &NationalRow) -> String {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        r.version.to_string(),
        r.on_date.clone(),
        r.event_label.to_owned(),
        r.registration_number.clone(),
        r.profession.clone(),
        r.name.clone(),
        r.id_number.clone(),
        r.enterprise.clone(),
        r.credit_code.clone(),
        r.specialties.clone(),
        r.registration_status.clone(),
        o(&r.licence_id),
        o(&r.certificate_no),
        o(&r.certificate_status),
    ]
    .iter()
    .map(|f| csv_field(f))
    .collect::<Vec<_>>()
    .join(",")
}

fn private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).with_context(|| format!("无法写入 {}", path.display()))
}

/// A report file written as its rows come, hashed on the way (never held whole in memory).
struct Out {
    file: std::io::BufWriter<std::fs::File>,
    hash: erjian_ofd::crypto::Sm3Stream,
}

impl Out {
    fn create(path: &Path) -> anyhow::Result<Out> {
        Ok(Out { file: std::io::BufWriter::new(private_file(path)?), hash: Default::default() })
    }

    fn put(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.hash.update(bytes);
        self.file.write_all(bytes)?;
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<String> {
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        Ok(self.hash.finish().iter().map(|x| format!("{x:02x}")).collect())
    }
}

/// Writes the report page by page ([`erjian_store::national::PAGE`] events at a time), so a
/// full export of millions of events runs in the memory of one page.
pub async fn export(store: &Store, issuer: &Issuer, since: i64, out: &Path) -> anyhow::Result<Manifest> {
    std::fs::create_dir_all(out).with_context(|| format!("无法创建目录 {}", out.display()))?;
    let mut jsonl = Out::create(&out.join("registrations.jsonl"))?;
    let mut csv = Out::create(&out.join("registrations.csv"))?;
    csv.put(format!("\u{feff}{}\r\n", CSV_HEADER.join(",")).as_bytes())?;
    let (mut until, mut rows) = (since, 0usize);
    let mut line = Vec::new();
    loop {
        let page = store.national_events(until).await?;
        let Some(last) = page.last() else { break };
        until = last.version;
        for r in &page {
            line.clear();
            serde_json::to_writer(&mut line, r)?;
            line.push(b'\n');
            jsonl.put(&line)?;
            csv.put(format!("{}\r\n", csv_line(r)).as_bytes())?;
        }
        rows += page.len();
    }
    let manifest = Manifest {
        format: "erjian-national-export/1",
        province: issuer.profile.code.to_owned(),
        issuer: issuer.authority.name.clone(),
        since,
        until,
        generated_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        files: vec![
            FileEntry { name: "registrations.jsonl", rows, sm3: jsonl.finish()? },
            FileEntry { name: "registrations.csv", rows, sm3: csv.finish()? },
        ],
    };
    let text = serde_json::to_string_pretty(&manifest)?;
    private_file(&out.join("manifest.json"))?.write_all(text.as_bytes())?;
    let signature = erjian_cert::statement::sign_status_list(&text, &issuer.list_key.key);
    private_file(&out.join("manifest.sig"))?.write_all(signature.as_bytes())?;
    private_file(&out.join("signer.pem"))?.write_all(issuer.list_key.cert_pem().as_bytes())?;
    Ok(manifest)
}
