//! The materials filed with an application (ID-card sides of a personal change, proofs), for
//! whoever may see the application: listed with their SM3 digests (of the picture as kept:
//! decoded and re-encoded at upload) and served opened from their sealed form. Who may see the
//! application decides, through `Store::visible_application` (the tenant rule included).

use crate::error::{Error, Result};
use crate::{Actor, Store};

/// One attachment as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub kind: String,
    /// What it is, in Chinese.
    pub label: &'static str,
    pub mime: String,
    pub bytes: usize,
    /// SM3 of the stored picture, hex.
    pub sm3: String,
    pub created_at: String,
}

pub fn attachment_label(kind: &str) -> &'static str {
    match kind {
        "id_front" => "身份证人像面",
        "id_back" => "身份证国徽面",
        "labour_contract" => "劳动合同",
        "ce_proof" => "继续教育证明",
        "loss_statement" => "遗失声明",
        "licence" => "营业执照",
        "diploma" => "学历证书",
        _ => "其他材料",
    }
}

impl Store {
    /// The attachments of an application the actor may see (else "not found").
    pub async fn attachments(&self, actor: &Actor, application_id: i64) -> Result<Vec<AttachmentInfo>> {
        self.visible_application(actor, application_id).await?;
        let rows: Vec<(i64, String, String, Vec<u8>, String)> =
            sqlx::query_as("SELECT id, kind, mime, bytes, created_at FROM application_attachments WHERE application_id = $1 ORDER BY id")
                .bind(application_id)
                .fetch_all(&self.pool)
                .await?;
        let sealer = self.sealer()?;
        rows.into_iter()
            .map(|(id, kind, mime, stored, created_at)| {
                let plain = sealer.open(&stored)?;
                Ok(AttachmentInfo {
                    id,
                    label: attachment_label(&kind),
                    kind,
                    mime,
                    bytes: plain.len(),
                    sm3: hex::encode(erjian_ofd::crypto::sm3(&plain)),
                    created_at: crate::db::show_ts(&created_at),
                })
            })
            .collect()
    }

    /// One attachment's bytes and type, for an actor who may see its application.
    pub async fn attachment(&self, actor: &Actor, application_id: i64, attachment_id: i64) -> Result<(Vec<u8>, String)> {
        self.visible_application(actor, application_id).await?;
        let row: Option<(String, Vec<u8>)> =
            sqlx::query_as("SELECT mime, bytes FROM application_attachments WHERE id = $1 AND application_id = $2")
                .bind(attachment_id)
                .bind(application_id)
                .fetch_optional(&self.pool)
                .await?;
        let (mime, stored) = row.ok_or(Error::NotFound("材料不存在"))?;
        Ok((self.sealer()?.open(&stored)?, mime))
    }
}
