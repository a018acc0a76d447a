//! `erjian verify-qr`: checks the signed statement in a certificate's QR code without the
//! server, with the QR-statement key's certificate from a file or from the database; with
//! `--list FILE` (the answer of `/api/public/status-list/bitstring`, saved) also the
//! certificate's status at the index its statement carries, the list's signature checked with
//! the status-list key (`--list-key FILE`, or the database's).

use anyhow::Context;
use erjian_cert::statement::{public_key_of, verify_bitstring_list, BitStatus, QrStatement};
use erjian_store::Store;
use std::path::Path;

/// Where the keys come from: files, else the configured database.
pub struct Keys<'a> {
    pub qr: Option<&'a Path>,
    pub list: Option<&'a Path>,
}

async fn key_cert(url: &str, file: Option<&Path>, purpose: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(path) = file {
        return std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
    }
    let store = Store::connect(url).await?;
    let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT cert FROM service_keys WHERE purpose LIKE $1 ORDER BY purpose LIMIT 1")
        .bind(format!("{purpose}:%"))
        .fetch_optional(store.pool())
        .await?;
    Ok(row.with_context(|| format!("the database has no {purpose} key; give the key file (from /api/public/keys)"))?.0)
}

/// The certificate's status in a saved bitstring list: `Ok(None)` when the statement has no index.
async fn listed(url: &str, list: &Path, key: Option<&Path>, st: &QrStatement) -> anyhow::Result<Option<BitStatus>> {
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(list).with_context(|| format!("cannot read {}", list.display()))?)
        .context("the list file is not the JSON of /api/public/status-list/bitstring")?;
    let (text, signature) = (saved["list"].as_str().unwrap_or_default(), saved["signature"].as_str().unwrap_or_default());
    let public = public_key_of(&key_cert(url, key, erjian_cert::statement::STATUS_LIST_PURPOSE).await?)?;
    let decoded = verify_bitstring_list(text, signature, &public).map_err(|e| anyhow::anyhow!("状态列表核验未通过：{e}"))?;
    let Some(index) = st.status_index else { return Ok(None) };
    decoded.status(index).map(Some).ok_or_else(|| anyhow::anyhow!("状态列表中没有序号 {index}：请下载最新的状态列表"))
}

pub async fn run(url: &str, payload: &str, keys: Keys<'_>, list: Option<&Path>, json: bool) -> anyhow::Result<bool> {
    let cert = key_cert(url, keys.qr, erjian_cert::statement::QR_PURPOSE).await?;
    let public = public_key_of(&cert)?;
    match QrStatement::verify(payload, &public) {
        Ok(st) => {
            let status = match list {
                Some(file) => Some(listed(url, file, keys.list, &st).await?),
                None => None,
            };
            let in_force = !matches!(status, Some(Some(BitStatus::Suspended | BitStatus::Ended)));
            if json {
                let status = status.map(|s| s.map(|b| b.label()).unwrap_or("旧版二维码，不含状态列表序号"));
                say!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "valid": in_force, "statement": st, "listed_status": status }))?
                );
                return Ok(in_force);
            }
            {
                let at = chrono::DateTime::from_timestamp(st.issued_at, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
                say!("二维码签名有效（由发证机关签发）");
                say!("  注册编号：{}", st.registration_number);
                if !st.licence_id.is_empty() {
                    say!("  证照标识：{}", st.licence_id);
                }
                if let Some(i) = st.status_index {
                    say!("  状态列表序号：{i}");
                }
                say!("  身份证号：{}", st.id_masked);
                say!("  有效期至：{}", st.valid_until);
                say!("  签发时间：{at}");
                match status {
                    Some(Some(s)) => say!("  状态列表（离线）：{}", s.label()),
                    Some(None) => say!("  状态列表：该二维码为旧版，不含状态列表序号，请在线查询实时状态。"),
                    None => say!("  提示：离线核验只证明二维码内容真实；证书状态请加 --list（下载的状态列表）或在线查询。"),
                }
            }
            Ok(in_force)
        }
        Err(e) => {
            if json {
                say!("{}", serde_json::json!({ "valid": false, "error": e.to_string() }));
            } else {
                eprintln!("二维码核验未通过：{e}");
            }
            Ok(false)
        }
    }
}
