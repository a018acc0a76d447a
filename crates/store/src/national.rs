//! What a province reports to the national construction-market platform: every registration
//! event (initial, renewal, added specialty, change, cancellation, re-registration …) after a
//! given version, with the registration, the holder, the enterprise and the certificate it
//! produced. The version is the event's number: a report “since V” continues exactly where the
//! previous one ended (`until`). Read in one snapshot, in pages of [`PAGE`].

use crate::error::Result;
use crate::Store;

/// Events read a page.
pub const PAGE: i64 = 5000;

/// One reported event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NationalRow {
    /// The version: the event's number, increasing.
    pub version: i64,
    pub on_date: String,
    pub event: String,
    pub event_label: &'static str,
    pub registration_number: String,
    pub profession: String,
    pub name: String,
    /// The full document number: the national platform identifies people by it.
    pub id_number: String,
    pub enterprise: String,
    pub credit_code: String,
    /// The specialties the event concerned, as recorded.
    pub specialties: String,
    /// The registration's status now (`active`, `cancelled`, `revoked`).
    pub registration_status: String,
    pub licence_id: Option<String>,
    pub certificate_no: Option<String>,
    pub certificate_status: Option<String>,
}

impl Store {
    /// Events with a version above `since`, oldest first, at most [`PAGE`].
    pub async fn national_events(&self, since: i64) -> Result<Vec<NationalRow>> {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT ev.id, ev.on_date, ev.kind, r.registration_number, r.profession, p.name, p.id_number, ev.enterprise_name, e.credit_code,
                    ev.specialties, r.status, c.licence_id, c.certificate_no, c.status
             FROM registration_events ev JOIN registrations r ON r.id = ev.registration_id JOIN persons p ON p.id = r.person_id
             JOIN enterprises e ON e.id = r.enterprise_id LEFT JOIN certificates c ON c.id = ev.certificate_id
             WHERE ev.id > $1 ORDER BY ev.id LIMIT {PAGE}"
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let sealer = self.sealer()?;
        rows.into_iter()
            .map(
                |(
                    version,
                    on_date,
                    event,
                    regno,
                    profession,
                    name,
                    id_number,
                    enterprise,
                    credit_code,
                    specialties,
                    status,
                    licence,
                    no,
                    cstatus,
                )| {
                    Ok(NationalRow {
                        version,
                        on_date,
                        event_label: crate::lifecycle::kind_label(&event),
                        event,
                        registration_number: regno,
                        profession: erjian_domain::profession::profession(&profession).map(|p| p.name).unwrap_or_default().to_owned(),
                        name,
                        id_number: sealer.open_text(&id_number)?,
                        enterprise,
                        credit_code,
                        specialties,
                        registration_status: status,
                        licence_id: licence,
                        certificate_no: no,
                        certificate_status: cstatus,
                    })
                },
            )
            .collect()
    }
}
