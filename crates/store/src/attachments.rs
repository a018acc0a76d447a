//! The materials filed with an application (ID-card sides of a personal change, proofs), for
//! whoever may see the application: listed with their SM3 digests (of the picture as kept:
//! decoded and re-encoded at upload) and served opened from their sealed form. Who may see the
//! application decides, through `Store::visible_application` (the tenant rule included).

use crate::error::{Error, Result};
use crate::{Actor, Store};
use chrono::{DateTime, Utc};
use erjian_domain::materials::{FileType, Slot};
use erjian_domain::workflow::Role;

/// One attachment as listed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
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
    erjian_domain::materials::slot(kind).map(|s| s.label).unwrap_or("其他材料")
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

/// One slot of an application's materials as its page shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SlotView {
    pub code: &'static str,
    pub label: &'static str,
    /// “PDF、JPG、PNG、OFD”.
    pub types: String,
    pub max_mb: usize,
    pub required: bool,
    pub files: Vec<AttachmentInfo>,
}

/// What is stored of an uploaded file: pictures decoded and re-encoded (nothing hidden in them
/// survives), PDF and OFD kept as sent once their structure is read.
fn check_file(slot: &Slot, bytes: &[u8]) -> std::result::Result<(Vec<u8>, &'static str), String> {
    let types: Vec<&str> = slot.types.iter().map(|t| t.label()).collect();
    let refused = || format!("{}只接受 {} 文件", slot.label, types.join("、"));
    if bytes.is_empty() {
        return Err(format!("请选择{}文件", slot.label));
    }
    if bytes.len() > slot.max_bytes {
        return Err(format!("{}不能超过 {} MB", slot.label, slot.max_bytes / (1024 * 1024)));
    }
    let kind = FileType::sniff(bytes).filter(|t| slot.types.contains(t)).ok_or_else(refused)?;
    match kind {
        FileType::Jpeg | FileType::Png => {
            let d = erjian_domain::photo::check_scan(bytes, slot.label)?;
            Ok((d.bytes, d.mime))
        }
        FileType::Pdf => {
            if !pdf_structure_ok(bytes) {
                return Err(format!("{}不是完整的 PDF 文件（缺少交叉引用或文件结尾），请重新导出后上传", slot.label));
            }
            Ok((bytes.to_vec(), kind.mime()))
        }
        FileType::Ofd => {
            let pkg = erjian_ofd::Package::from_bytes_within(bytes, &erjian_ofd::package::Limits::UPLOAD)
                .map_err(|_| format!("{}不是可读取的 OFD 文件", slot.label))?;
            if pkg.get("OFD.xml").is_none() {
                return Err(format!("{}不是 OFD 文件（缺少 OFD.xml）", slot.label));
            }
            Ok((bytes.to_vec(), kind.mime()))
        }
    }
}

/// A PDF's skeleton read from its end: `%%EOF` near the end, and a `startxref` offset inside the
/// file that points at a cross-reference table or stream (`xref`, or `N G obj`).
fn pdf_structure_ok(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    let tail_text = String::from_utf8_lossy(tail);
    if !tail_text.contains("%%EOF") {
        return false;
    }
    let Some(at) = tail_text.rfind("startxref") else { return false };
    let Some(offset) = tail_text[at + 9..].split_whitespace().next().and_then(|n| n.parse::<usize>().ok()) else { return false };
    if offset >= bytes.len() {
        return false;
    }
    let there = String::from_utf8_lossy(&bytes[offset..bytes.len().min(offset + 32)]).into_owned();
    let mut words = there.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("xref"), _, _) => true,
        (Some(n), Some(g), Some(obj)) => n.parse::<u64>().is_ok() && g.parse::<u64>().is_ok() && obj.starts_with("obj"),
        _ => false,
    }
}

impl Store {
    /// The slots an application's kind offers under the profile, with what each holds.
    pub async fn material_slots(&self, actor: &Actor, application_id: i64) -> Result<Vec<SlotView>> {
        let app = self.visible_application(actor, application_id).await?;
        let files = self.attachments(actor, application_id).await?;
        Ok(self.slots_holding(&app.kind, &files))
    }

    /// The slots of an application kind with the files already read for it (a page that lists
    /// the files too opens and hashes each once).
    pub fn slots_holding(&self, kind: &str, files: &[AttachmentInfo]) -> Vec<SlotView> {
        erjian_domain::materials::slots_for(kind, self.rules().materials)
            .into_iter()
            .map(|(s, required)| SlotView {
                code: s.code,
                label: s.label,
                types: s.types.iter().map(|t| t.label()).collect::<Vec<_>>().join("、"),
                max_mb: s.max_bytes / (1024 * 1024),
                required,
                files: files.iter().filter(|f| f.kind == s.code).cloned().collect(),
            })
            .collect()
    }

    /// Whether the actor may add or replace materials now: the applicant (or the enterprise that
    /// filed it) while the form is editable, never after the enterprise's seal.
    pub fn may_upload(app: &crate::applications::Application, actor: &Actor) -> bool {
        let mine = match actor.role {
            Role::Individual => actor.person_id == Some(app.person_id),
            Role::Enterprise => actor.enterprise_id == Some(app.enterprise_id) && app.filed_by == "enterprise",
            _ => false,
        };
        mine && app.state().editable_in(app.order())
    }

    /// Adds a file to a slot, replacing what it held, in one transaction with its audit row; a
    /// form already awaiting signatures is regenerated (earlier signatures are void: the form
    /// lists each material's SM3).
    pub async fn put_attachment(
        &self,
        actor: &Actor,
        application_id: i64,
        slot_code: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let app = self.visible_application(actor, application_id).await?;
        if !Self::may_upload(&app, actor) {
            return Err(Error::Conflict("该申请当前不能上传或更换材料（已盖章确认或不是您的申请）".into()));
        }
        let (slot, _) = erjian_domain::materials::slots_for(&app.kind, self.rules().materials)
            .into_iter()
            .find(|(s, _)| s.code == slot_code)
            .ok_or_else(|| Error::invalid("slot", "该业务不需要此类材料"))?;
        let (stored, mime) = check_file(slot, bytes).map_err(|m| Error::invalid("file", m))?;
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM application_attachments WHERE application_id = $1 AND kind = $2")
            .bind(application_id)
            .bind(slot.code)
            .execute(tx.conn())
            .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO application_attachments (application_id, kind, mime, bytes, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(application_id)
        .bind(slot.code)
        .bind(mime)
        .bind(self.sealer()?.seal(&stored))
        .bind(crate::db::ts(now))
        .fetch_one(tx.conn())
        .await?;
        let detail = format!("上传{}（SM3 {}）", slot.label, &hex::encode(erjian_ofd::crypto::sm3(&stored))[..16]);
        crate::audit::record(
            tx.conn(),
            now,
            Some(actor),
            crate::audit::Entry {
                detail: Some(&detail),
                ..crate::audit::Entry::new("upload_material", "application", Some(application_id))
            },
        )
        .await?;
        if app.state().awaiting_signatures() {
            let step = crate::workflow::Step {
                action: erjian_domain::workflow::Action::Revise,
                reason: None,
                expected_version: Some(app.version),
            };
            self.act_in(&mut tx, actor, application_id, step, now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }
}

/// The kinds (slot codes) of an application's materials, for the required check at submission.
pub(crate) async fn present_slots(conn: &mut sqlx::AnyConnection, application_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT kind FROM application_attachments WHERE application_id = $1")
        .bind(application_id)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
