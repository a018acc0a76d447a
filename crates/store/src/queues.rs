//! Lists of applications: a role's queues and search, in pages (keyset cursor), within the tenant
//! rule ([`scope_of`]), newest first; counts for the queue tabs.

use crate::applications::{Application, APP_SELECT};
use crate::error::Result;
use crate::{Actor, Store};
use chrono::NaiveDate;
use erjian_domain::workflow::{Role, State};

/// Which applications a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub states: Vec<State>,
    pub limit: i64,
    /// When given, authority lists carry each application's deadline as of this day.
    pub today: Option<NaiveDate>,
    /// One search term: an application number, an ID number (any 证件类型), a registration number,
    /// or a person's or enterprise's full name. Each kind of term is one indexed look-up.
    pub search: Option<String>,
    /// An application kind code.
    pub kind: Option<String>,
    /// Keyset paging: only rows after this one in the list's order (newest first).
    pub after: Option<Cursor>,
}

/// A place in a list ordered by (updated_at, id), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub updated_at: String,
    pub id: i64,
}

impl Cursor {
    /// `updated_at~id`, as carried in a page's “下一页” link.
    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, id) = s.rsplit_once('~')?;
        crate::db::parse_ts(at)?;
        Some(Cursor { updated_at: at.to_owned(), id: id.parse().ok()? })
    }

    pub fn of(a: &Application) -> Cursor {
        Cursor { updated_at: a.updated_at.clone(), id: a.id }
    }

    pub fn text(&self) -> String {
        format!("{}~{}", self.updated_at, self.id)
    }
}

/// The applications an actor may list, as a condition (only integers and digit strings in it).
fn scope_of(actor: &Actor) -> Option<String> {
    Some(match (actor.role, actor.person_id, actor.enterprise_id, actor.city_code.as_deref()) {
        (Role::Individual, Some(p), _, _) => format!("a.person_id = {p}"),
        (Role::Enterprise, _, Some(e), _) => format!("a.enterprise_id = {e}"),
        (Role::CityAuthority, _, _, Some(c)) if c.bytes().all(|b| b.is_ascii_digit()) => format!("a.city_code = '{c}'"),
        (Role::ProvinceAuthority, _, _, _) => "1 = 1".to_owned(),
        _ => return None,
    })
}

impl Store {
    /// How many applications in these states the actor may see (a queue's count).
    pub async fn count_applications(&self, actor: &Actor, states: &[State]) -> Result<i64> {
        let Some(scope) = scope_of(actor) else { return Ok(0) };
        let list: Vec<String> = states.iter().map(|s| format!("'{}'", s.code())).collect();
        let states = if list.is_empty() { String::new() } else { format!(" AND a.state IN ({})", list.join(",")) };
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM applications a WHERE {scope}{states}")).fetch_one(&self.pool).await?;
        Ok(n)
    }
}

/// What a search term is, by its shape, and the one condition that finds it.
/// A document number is found through its blind index (the stored number is sealed).
fn search_condition(sealer: &crate::sealing::Sealer, term: &str, n: usize) -> (String, String) {
    let t = term.trim();
    let upper = t.to_ascii_uppercase();
    if let Ok(id) = erjian_domain::documents::PersonId::infer(&upper) {
        return (format!("p.id_key = ${n}"), sealer.id_key(id.as_str()));
    }
    let mut chars = t.chars();
    let first_is_cjk = chars.next().is_some_and(|c| !c.is_ascii());
    if first_is_cjk && t.chars().count() > 8 && chars.all(|c| c.is_ascii_digit()) {
        return (format!("r.registration_number = ${n}"), t.to_owned());
    }
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return (format!("a.number = ${n}"), upper);
    }
    (format!("(p.name = ${n} OR e.name = ${n})"), t.to_owned())
}

impl Store {
    /// The applications an actor may see, newest first, optionally limited to some states.
    pub async fn applications(&self, actor: &Actor, filter: &ListFilter) -> Result<Vec<Application>> {
        let Some(scope) = scope_of(actor) else { return Ok(vec![]) };
        // Only integers, digit strings and state codes from the domain are interpolated; what a
        // user typed is bound.
        let mut sql = format!("{APP_SELECT} WHERE {scope}");
        let mut binds: Vec<String> = Vec::new();
        if !filter.states.is_empty() {
            let list: Vec<String> = filter.states.iter().map(|s| format!("'{}'", s.code())).collect();
            sql.push_str(&format!(" AND a.state IN ({})", list.join(",")));
        }
        if let Some(term) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let (cond, value) = search_condition(self.sealer()?, term, binds.len() + 1);
            sql.push_str(&format!(" AND {cond}"));
            binds.push(value);
        }
        if let Some(kind) = filter.kind.as_deref().filter(|k| !k.is_empty()) {
            sql.push_str(&format!(" AND a.kind = ${}", binds.len() + 1));
            binds.push(kind.to_owned());
        }
        let mut after_id = None;
        if let Some(c) = &filter.after {
            let n = binds.len() + 1;
            sql.push_str(&format!(" AND (a.updated_at < ${n} OR (a.updated_at = ${n} AND a.id < ${}))", n + 1));
            binds.push(c.updated_at.clone());
            after_id = Some(c.id);
        }
        sql.push_str(&format!(
            " ORDER BY a.updated_at DESC, a.id DESC LIMIT {}",
            if filter.limit > 0 { filter.limit.min(5000) } else { 500 }
        ));
        let mut q = sqlx::query_as::<_, Application>(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        if let Some(id) = after_id {
            q = q.bind(id);
        }
        let mut apps: Vec<Application> = q.fetch_all(&self.pool).await?;
        apps.retain(|a| a.visible_to(actor));
        let sealer = self.sealer()?;
        for a in &mut apps {
            a.mobile = sealer.open_text(&a.mobile)?;
            a.id_number = sealer.open_text(&a.id_number)?;
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT specialty_code FROM application_specialties WHERE application_id = $1 ORDER BY specialty_code")
                    .bind(a.id)
                    .fetch_all(&self.pool)
                    .await?;
            a.specialties = rows.into_iter().map(|r| r.0).collect();
            if let (Some(today), Role::CityAuthority | Role::ProvinceAuthority) = (filter.today, actor.role) {
                a.deadline = self.deadline(a, today).await?;
            }
        }
        Ok(apps)
    }
}
