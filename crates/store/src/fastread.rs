//! The public read path on SQLite: the QR-status and query endpoints take most of the traffic,
//! so on SQLite they read through plain `rusqlite` connections (read-only, one per worker thread,
//! statements prepared once) instead of the pooled async driver, whose per-query hand-off to a
//! worker thread costs more than the lookup itself. Each lookup is a few indexed point reads of
//! microseconds, so it runs inline. Writers are untouched: they still go through the pool, and a
//! reader sees every committed change at once (WAL snapshot per statement).

use crate::certificates::{Certificate, CERT_SELECT};
use crate::registry::RegisteredSpecialty;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use std::cell::RefCell;

/// Opens read-only connections to one SQLite file, one per thread, on first use.
#[derive(Clone, Debug)]
pub struct Reader {
    path: std::sync::Arc<str>,
}

thread_local! {
    static CONNS: RefCell<Vec<(std::sync::Arc<str>, Connection)>> = const { RefCell::new(Vec::new()) };
}

impl Reader {
    /// A reader for a `sqlite://` URL naming a file; `None` for anything else.
    pub fn for_url(url: &str) -> Option<Reader> {
        let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next()?;
        if path.is_empty() || path.contains(":memory:") {
            return None;
        }
        Some(Reader { path: path.into() })
    }

    fn with<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> rusqlite::Result<R> {
        CONNS.with(|cell| {
            let mut conns = cell.borrow_mut();
            let i = match conns.iter().position(|(p, _)| std::sync::Arc::ptr_eq(p, &self.path)) {
                Some(i) => i,
                None => {
                    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
                    let c = Connection::open_with_flags(&*self.path, flags)?;
                    c.busy_timeout(std::time::Duration::from_secs(10))?;
                    c.set_prepared_statement_cache_capacity(32);
                    // Map the file: hot pages are read without a system call each.
                    c.pragma_update(None, "mmap_size", 16i64 << 30)?;
                    c.pragma_update(None, "cache_size", -32768i64)?;
                    conns.push((self.path.clone(), c));
                    conns.len() - 1
                }
            };
            f(&conns[i].1)
        })
    }

    fn certificate_where(&self, filter: &str, key: &dyn rusqlite::ToSql) -> rusqlite::Result<Option<Certificate>> {
        self.with(|c| c.prepare_cached(&format!("{CERT_SELECT} WHERE {filter}"))?.query_row([key], certificate).optional())
    }

    /// As `Store::certificate_live`.
    pub fn certificate_live(&self, licence: &str) -> rusqlite::Result<Option<crate::public::LiveCertificate>> {
        let Some(cert) = self.certificate_where("c.licence_id = $1", &licence)? else { return Ok(None) };
        let specs = self.specialties(cert.registration_id, "specialty_code")?;
        let current = match cert.superseded_by {
            Some(_) => self.certificate_where("c.registration_id = $1 ORDER BY c.version DESC LIMIT 1", &cert.registration_id)?,
            None => None,
        };
        Ok(Some((cert, specs, current)))
    }

    pub fn specialties(&self, registration_id: i64, order: &str) -> rusqlite::Result<Vec<RegisteredSpecialty>> {
        self.with(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT registration_id, specialty_code, valid_from, valid_until, status FROM registration_specialties WHERE registration_id = $1 ORDER BY {order}"
            ))?;
            let rows = st.query_map([registration_id], |r| {
                Ok(RegisteredSpecialty {
                    registration_id: r.get(0)?,
                    specialty_code: r.get(1)?,
                    valid_from: r.get(2)?,
                    valid_until: r.get(3)?,
                    status: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Runs a query returning at most one row of one integer.
    pub fn one_id(&self, sql: &str, params: &[&dyn rusqlite::ToSql]) -> rusqlite::Result<Option<i64>> {
        self.with(|c| c.prepare_cached(sql)?.query_row(params, |r| r.get(0)).optional())
    }

    /// Runs a query returning at most one row, mapped.
    pub fn one<T>(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<T>> {
        self.with(|c| c.prepare_cached(sql)?.query_row(params, map).optional())
    }
}

fn certificate(r: &Row<'_>) -> rusqlite::Result<Certificate> {
    Ok(Certificate {
        id: r.get(0)?,
        registration_id: r.get(1)?,
        application_id: r.get(2)?,
        licence_id: r.get(3)?,
        certificate_no: r.get(4)?,
        version: r.get(5)?,
        status: r.get(6)?,
        status_reason: r.get(7)?,
        superseded_by: r.get(8)?,
        issued_at: r.get(9)?,
        claimed_at: r.get(10)?,
        registration_number: r.get(11)?,
        person_id: r.get(12)?,
        enterprise_id: r.get(13)?,
        holder_name: r.get(14)?,
        id_masked: r.get(15)?,
        enterprise_name: r.get(16)?,
        registration_status: r.get(17)?,
        use_until: r.get(18)?,
    })
}
