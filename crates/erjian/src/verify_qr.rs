//! `erjian verify-qr`: checks the signed statement in a certificate's QR code without the
//! server, with the QR-statement key's certificate from a file or from the database.

use anyhow::Context;
use erjian_cert::statement::{public_key_of, QrStatement};
use erjian_store::Store;
use std::path::Path;

pub async fn run(url: &str, payload: &str, key: Option<&Path>, json: bool) -> anyhow::Result<bool> {
    let cert = match key {
        Some(path) => std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        None => {
            let store = Store::connect(url).await?;
            let row: Option<(Vec<u8>,)> =
                sqlx::query_as("SELECT cert FROM service_keys WHERE purpose LIKE 'qr-statement:%' ORDER BY purpose LIMIT 1")
                    .fetch_optional(store.pool())
                    .await?;
            row.context("the database has no QR-statement key; give --key FILE (from /api/public/keys)")?.0
        }
    };
    let public = public_key_of(&cert)?;
    match QrStatement::verify(payload, &public) {
        Ok(st) => {
            if json {
                say!("{}", serde_json::to_string_pretty(&serde_json::json!({ "valid": true, "statement": st }))?);
            } else {
                let at = chrono::DateTime::from_timestamp(st.issued_at, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
                say!("二维码签名有效（由发证机关签发）");
                say!("  注册编号：{}", st.registration_number);
                say!("  证照标识：{}", st.licence_id);
                say!("  身份证号：{}", st.id_masked);
                say!("  有效期至：{}", st.valid_until);
                say!("  签发时间：{at}");
                say!("  提示：离线核验只证明二维码内容真实；证书是否已被替代或注销，请在线查询实时状态。");
            }
            Ok(true)
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
