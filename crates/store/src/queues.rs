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
    /// A city code (six digits): the province's lists narrowed to one city.
    pub city: Option<String>,
    /// Only applications overdue, or due within two working days, as of `today`.
    pub due: Option<Due>,
    /// Soonest deadline first (only applications with a deadline), instead of newest first.
    pub by_deadline: bool,
    /// Keyset paging: only rows after this one in the list's order.
    pub after: Option<Cursor>,
}

/// A deadline filter of the authority's queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Past its day (逾期).
    Overdue,
    /// Due today or within the next two working days (overdue ones included).
    Soon,
}

impl Due {
    pub fn parse(s: &str) -> Option<Due> {
        match s {
            "overdue" => Some(Due::Overdue),
            "soon" => Some(Due::Soon),
            _ => None,
        }
    }
}

/// A place in a list: (updated_at, id) newest first, or (due_on, id) soonest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

impl Cursor {
    /// `key~id`, as carried in a page's “下一页” link; the key is a time or a day.
    pub fn parse(s: &str) -> Option<Cursor> {
        let (key, id) = s.rsplit_once('~')?;
        if crate::db::parse_ts(key).is_none() && NaiveDate::parse_from_str(key, "%Y-%m-%d").is_err() {
            return None;
        }
        Some(Cursor { key: key.to_owned(), id: id.parse().ok()? })
    }

    /// The cursor after `a` in a list in this order.
    pub fn of(a: &Application, by_deadline: bool) -> Cursor {
        let key = if by_deadline { a.due_on.clone().unwrap_or_default() } else { a.updated_at.clone() };
        Cursor { key, id: a.id }
    }

    pub fn text(&self) -> String {
        format!("{}~{}", self.key, self.id)
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

/// What a search term is, by its shape, and the one condition that finds it (`None`: a full
/// name, found by [`Store::name_condition`]). A document number is found through its blind index
/// (the stored number is sealed).
fn search_condition(sealer: &crate::sealing::Sealer, term: &str, n: usize) -> Option<(String, String)> {
    let t = term.trim();
    let upper = t.to_ascii_uppercase();
    if let Ok(id) = erjian_domain::documents::PersonId::infer(&upper) {
        return Some((format!("p.id_key = ${n}"), sealer.id_key(id.as_str())));
    }
    let mut chars = t.chars();
    let first_is_cjk = chars.next().is_some_and(|c| !c.is_ascii());
    if first_is_cjk && t.chars().count() > 8 && chars.all(|c| c.is_ascii_digit()) {
        return Some((format!("r.registration_number = ${n}"), t.to_owned()));
    }
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Some((format!("a.number = ${n}"), upper));
    }
    None
}

impl Store {
    /// A full name's condition: the applications of people of that name (the name kept on each
    /// application, one index range) or of the enterprise of that name (its id, looked up
    /// first). Returns the condition (the name bound as `$n`) and whether the matches must be
    /// sorted after they are found (an enterprise's: not read from the name's index in order).
    async fn name_condition(&self, name: &str, n: usize) -> Result<(String, bool)> {
        let firms: Vec<(i64,)> = sqlx::query_as("SELECT id FROM enterprises WHERE name = $1").bind(name).fetch_all(&self.pool).await?;
        if firms.is_empty() {
            return Ok((format!("a.person_name = ${n}"), false));
        }
        let ids: Vec<String> = firms.iter().map(|i| i.0.to_string()).collect();
        Ok((format!("(a.person_name = ${n} OR a.enterprise_id IN ({}))", ids.join(",")), true))
    }
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
            // Several states in deadline order: read the due-day index in order and test the
            // state on each row (`|| ''` keeps SQLite from picking the state index, which would
            // sort every match: 750 ms instead of ~1 ms on 300,000 applications).
            let column = if filter.by_deadline && list.len() > 1 { "(a.state || '')" } else { "a.state" };
            sql.push_str(&format!(" AND {column} IN ({})", list.join(",")));
        }
        let mut by_name = false;
        if let Some(term) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            match search_condition(self.sealer()?, term, binds.len() + 1) {
                Some((cond, value)) => {
                    sql.push_str(&format!(" AND {cond}"));
                    binds.push(value);
                }
                None => {
                    let (cond, sort_after) = self.name_condition(term, binds.len() + 1).await?;
                    sql.push_str(&format!(" AND {cond}"));
                    binds.push(term.to_owned());
                    by_name = sort_after;
                }
            }
        }
        if let Some(kind) = filter.kind.as_deref().filter(|k| !k.is_empty()) {
            sql.push_str(&format!(" AND a.kind = ${}", binds.len() + 1));
            binds.push(kind.to_owned());
        }
        if let Some(city) = filter.city.as_deref().filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())) {
            sql.push_str(&format!(" AND a.city_code = ${}", binds.len() + 1));
            binds.push(city.to_owned());
        }
        if let (Some(due), Some(today)) = (filter.due, filter.today) {
            // Overdue: its day has passed. Soon: due by the second working day from today.
            let (op, day) = match due {
                Due::Overdue => ("<", today),
                Due::Soon => ("<=", self.calendar.add_working_days(today, 2)),
            };
            sql.push_str(&format!(" AND a.due_on {op} ${}", binds.len() + 1));
            binds.push(day.to_string());
        }
        if filter.by_deadline {
            sql.push_str(" AND a.due_on IS NOT NULL");
        }
        let mut after_id = None;
        if let Some(c) = &filter.after {
            let n = binds.len() + 1;
            let (column, cmp) = if filter.by_deadline { ("a.due_on", ">") } else { ("a.updated_at", "<") };
            sql.push_str(&format!(" AND ({column} {cmp} ${n} OR ({column} = ${n} AND a.id {cmp} ${}))", n + 1));
            binds.push(c.key.clone());
            after_id = Some(c.id);
        }
        // An enterprise's matches are sorted after they are found (`|| ''`: not by walking the
        // newest-first index, which PostgreSQL would otherwise prefer for the LIMIT).
        let order = match (filter.by_deadline, by_name) {
            (true, _) => "a.due_on, a.id",
            (false, true) => "(a.updated_at || '') DESC, a.id DESC",
            (false, false) => "a.updated_at DESC, a.id DESC",
        };
        sql.push_str(&format!(" ORDER BY {order} LIMIT {}", if filter.limit > 0 { filter.limit.min(5000) } else { 500 }));
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
        // The page's specialties in one query (ids are integers).
        let mut specialties: std::collections::HashMap<i64, Vec<String>> = Default::default();
        if !apps.is_empty() {
            let ids: Vec<String> = apps.iter().map(|a| a.id.to_string()).collect();
            let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
                "SELECT application_id, specialty_code FROM application_specialties WHERE application_id IN ({}) ORDER BY specialty_code",
                ids.join(",")
            ))
            .fetch_all(&self.pool)
            .await?;
            for (id, code) in rows {
                specialties.entry(id).or_default().push(code);
            }
        }
        for a in &mut apps {
            a.mobile = sealer.open_text(&a.mobile)?;
            a.id_number = sealer.open_text(&a.id_number)?;
            a.specialties = specialties.remove(&a.id).unwrap_or_default();
            // Authorities see what is due when, from the day kept at the last transition.
            if let (Some(today), Role::CityAuthority | Role::ProvinceAuthority) = (filter.today, actor.role) {
                let due = a.due_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                a.deadline = due.and_then(|due| erjian_domain::calendar::deadline_on(&self.calendar, a.state(), due, today));
            }
        }
        Ok(apps)
    }
}

impl Store {
    /// How many applications are in each state (for `/metrics`: what waits where).
    pub async fn application_state_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT state, COUNT(*) FROM applications GROUP BY state ORDER BY state").fetch_all(&self.pool).await?)
    }
}
