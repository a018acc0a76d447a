//! `/portal`: each role's home — the individual's registrations and applications, the
//! enterprise's confirmations and people, the authorities' queues and publicity batches.

use super::{render, Ctx};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use erjian_domain::standing::Standing;
use erjian_domain::workflow::{status_columns, Action, ReviewStages, Role, State as AppStateCode, StatusColumns};
use erjian_store::applications::{Application, ListFilter};
use erjian_store::qualifications::Qualification;
use erjian_store::registry::{Enterprise, Person, Registration};
use erjian_store::workflow::Batch;
use erjian_store::Error;

#[derive(serde::Deserialize, Default)]
pub struct PortalQuery {
    tab: Option<String>,
    state: Option<String>,
    done: Option<String>,
    /// People: `active` (有效) or `cancelled` (注销); history: an application kind.
    reg_status: Option<String>,
    kind: Option<String>,
    /// The enterprise's qualification look-up before filing (name and ID number together).
    q_name: Option<String>,
    q_id: Option<String>,
    /// An authority's search: application number, ID number, registration number or full name.
    q: Option<String>,
    /// The next page of a queue (a cursor from the previous page).
    after: Option<String>,
    /// An authority's filters: city, deadline (`overdue`, `soon`), order (`deadline`).
    city: Option<String>,
    due: Option<String>,
    sort: Option<String>,
}

/// What the enterprise's qualification look-up found for one applicant.
pub struct QualificationLookup {
    pub name: String,
    pub id_number: String,
    /// (specialty code, name, certificate number, issue date, continuing education due)
    pub records: Vec<(String, &'static str, String, String, bool)>,
}

pub async fn portal(State(state): State<AppState>, user: PageUser, Query(q): Query<PortalQuery>) -> Result<Response, PageError> {
    match user.actor.role {
        Role::Individual => individual(&state, &user, q).await,
        Role::Enterprise if user.actor.enterprise_id.is_none() => Ok(super::enterprise_review::pending(&state, &user)),
        Role::Enterprise => enterprise(&state, &user, q).await,
        Role::CityAuthority | Role::ProvinceAuthority => authority(&state, &user, q).await,
        Role::Admin | Role::SecurityAdmin | Role::AuditAdmin => Ok(super::oversight::home(user.actor.role)),
    }
}

/// The message shown after a redirect back from an action.
pub fn flash(done: Option<&str>) -> Option<String> {
    let done = done?;
    if done == "objection_invalid" {
        return Some("未处理：请选择核查结论，并填写核查意见（4至500字）。".into());
    }
    let label = Action::parse(done).map(|a| a.label()).or(match done {
        "saved" => Some("保存草稿"),
        "batch" => Some("生成公示批次"),
        "announced" => Some("发布公告"),
        "pin_set" => Some("设置签名密码（请输入刚设置的密码完成签署）"),
        "consent_given" => Some("同意转出"),
        "uploaded" => Some("上传材料"),
        "consent_refused" => Some("不同意转出"),
        "objection" => Some("公示异议核查"),
        _ => None,
    })?;
    Some(format!("已完成“{label}”。"))
}

#[derive(Template)]
#[template(path = "portal_individual.html")]
struct IndividualPage {
    ctx: Ctx,
    person: Person,
    quals: Vec<Qualification>,
    regs: Vec<Registration>,
    apps: Vec<(Application, StatusColumns)>,
    cannot_apply: Option<String>,
    /// Every registration has ended: the form is offered as 重新注册.
    reregister: bool,
    today: chrono::NaiveDate,
    certs: Vec<erjian_store::certificates::Certificate>,
    paper_exchange: bool,
    /// The province gives certificates a use period (证照加注 offered, also without one).
    annotates: bool,
    new_version: bool,
    /// The longest usage copy the profile allows (None: no usage copies here), and the copies made.
    usage_max: Option<u32>,
    copies: Vec<erjian_store::usage_copies::UsageCopy>,
    /// Old-version certificates (上海): (certificate id, what the holder is told).
    old_notes: Vec<(i64, String)>,
}

async fn individual(state: &AppState, user: &PageUser, q: PortalQuery) -> Result<Response, PageError> {
    let store = &state.store;
    let person = store.person(user.actor.person_id.unwrap_or(-1)).await?.ok_or(Error::NotFound("人员不存在"))?;
    let quals = store.qualifications_of(&person.id_number).await?;
    let regs = store.registrations_of_person(person.id).await?;
    let today = erjian_store::db::today(state.clock.now());
    // Every registration ended (注销, 撤销, 过期): the way back is 重新注册.
    let reregister = !regs.is_empty() && regs.iter().all(|r| r.standing(today).ended());
    let mut apps = Vec::new();
    for a in store.applications(&user.actor, &ListFilter::default()).await? {
        let history = store.audit_for("application", a.id).await?;
        let cols = status_columns(
            history.iter().filter_map(|h| Some((Action::parse(&h.action)?, AppStateCode::parse(h.from_state.as_deref()?)?))),
        );
        apps.push((a, cols));
    }
    let cannot_apply = if let Some(open) = apps.iter().find(|(a, _)| a.state().is_open()) {
        Some(format!("您有在办业务（{}，{}），办结或撤回后才能新建申请。", open.0.number, open.0.state().label()))
    } else if regs.iter().any(|r| r.standing(today) == Standing::Suspended) {
        Some("您的注册证书正在暂扣中，暂扣期间不能办理注册业务；恢复后方可办理。".to_owned())
    } else if !regs.is_empty() && not_yet_registered(state, &quals, &regs, today).is_empty() {
        // Registered in every profession qualified for (上海: one may hold two).
        Some("您已注册，不能再次办理初始注册。".to_owned())
    } else if quals.is_empty() {
        Some("资格库中没有您的资格记录，不能申请注册。".to_owned())
    } else if state.profile().enterprise_files_initial {
        Some("本省初始注册和重新注册由聘用企业在企业端申报；企业申报后，申请会出现在下方“我的业务”中，请核对后签名确认。".to_owned())
    } else {
        None
    };
    let all_certs = crate::certs::certificates_for(state, &user.actor).await?;
    // Registered in the previous system and never issued an electronic certificate: paper holder.
    let paper_exchange = all_certs.is_empty() && regs.iter().any(|r| r.status == "active");
    let certs: Vec<_> = all_certs.into_iter().filter(|c| c.status == "valid").collect();
    // 上海: a certificate of the old version says when it lapses and what to do.
    let old_notes = match state.profile().old_version {
        Some(o) => certs
            .iter()
            .filter(|c| erjian_store::db::parse_ts(&c.issued_at).is_some_and(|t| erjian_store::db::today(t) < o.since))
            .map(|c| {
                let when = o.lapses_on.format("%Y年%m月%d日");
                let note = if today >= o.lapses_on {
                    format!("本证书为旧版电子注册证书，已于{when}失效；请在下方换领新版电子注册证书。")
                } else {
                    format!("本证书为旧版电子注册证书，{when}起失效（此前与新版具有同等法律效力）；请及时换领新版电子注册证书。")
                };
                (c.id, note)
            })
            .collect(),
        None => vec![],
    };
    let new_version = state.profile().new_version_exchange;
    let usage_max = state.profile().usage_copy_max_days;
    let copies = if usage_max.is_some() { store.usage_copies_of(&user.actor).await? } else { vec![] };
    let ctx = Ctx::new(state, Some(user), "我的业务", "/portal").with_flash(flash(q.done.as_deref()));
    Ok(render(&IndividualPage {
        ctx,
        person,
        quals,
        regs,
        apps,
        cannot_apply,
        reregister,
        today,
        certs,
        paper_exchange,
        annotates: state.profile().licence_use_days.is_some(),
        new_version,
        usage_max,
        copies,
        old_notes,
    }))
}

/// The professions `quals` qualify for here (initial registration offered) that no registration
/// in force already covers.
fn not_yet_registered<'a>(
    state: &AppState,
    quals: &'a [erjian_store::qualifications::Qualification],
    regs: &[Registration],
    today: chrono::NaiveDate,
) -> Vec<&'a str> {
    let profile = state.profile();
    let mut open: Vec<&str> = quals
        .iter()
        .map(|q| q.profession.as_str())
        .filter(|p| erjian_domain::profession::profession(p).is_some_and(|x| x.initial_registration) && profile.registers(p))
        .filter(|p| !regs.iter().any(|r| r.profession == *p && !r.standing(today).ended()))
        .collect();
    open.sort_unstable();
    open.dedup();
    open
}

#[derive(Template)]
#[template(path = "portal_enterprise.html")]
struct EnterprisePage {
    ctx: Ctx,
    enterprise: Enterprise,
    tabs: Vec<(&'static str, &'static str, Option<usize>)>,
    tab: String,
    apps: Vec<Application>,
    regs: Vec<Registration>,
    state_options: Vec<(&'static str, &'static str)>,
    state_filter: String,
    /// Registration id → (certificate id, claimed?) of its valid certificate.
    claims: std::collections::HashMap<i64, (i64, bool)>,
    reg_status: String,
    today: chrono::NaiveDate,
    standings: [Standing; 6],
    kind_filter: String,
    kinds: &'static [(&'static str, &'static str)],
    /// The enterprise files initial registrations for its people (湖南): the form's specialties.
    files_initial: Option<&'static [erjian_domain::profession::Specialty]>,
    /// The qualification look-up's answer, when one was asked (None inside: nothing found).
    lookup: Option<Option<QualificationLookup>>,
    /// Transfers of the enterprise's people that wait for (or had) its consent.
    consents: Vec<erjian_store::changes::ReleaseConsent>,
    /// Whether the enterprise may download and print its people's certificates (not in 甘肃).
    prints: bool,
    /// The enterprise files its new temporary constructors' transfers (湖南).
    temp_transfer: bool,
    /// The search as typed (people and business records), and the next page of the records.
    search: String,
    next_page: Option<String>,
}

/// The applicant's 二级建造师 qualification records, only when name and ID number belong
/// together (an ID number alone reveals nothing).
async fn look_up(state: &AppState, name: &str, id_number: &str) -> Result<Option<QualificationLookup>, PageError> {
    let (name, id_number) = (name.trim(), id_number.trim().to_uppercase());
    let today = erjian_store::db::today(state.clock.now());
    let records: Vec<_> = state
        .store
        .qualifications_of(&id_number)
        .await?
        .into_iter()
        .filter(|q| q.profession == "constructor2" && q.name == name)
        .map(|q| {
            let due = erjian_domain::validity::initial_ce_requirement(q.issue_date(), today, 1).is_some();
            (q.specialty_code.clone(), erjian_domain::profession::specialty_name(&q.specialty_code), q.certificate_no, q.issue_date, due)
        })
        .collect();
    Ok((!records.is_empty()).then(|| QualificationLookup { name: name.to_owned(), id_number, records }))
}

/// Application kinds offered as a filter.
pub const KINDS: &[(&str, &str)] = &[
    ("initial", "初始注册"),
    ("renewal", "延续注册"),
    ("add_specialty", "增项注册"),
    ("change_employer", "变更注册（执业企业）"),
    ("change_personal", "变更注册（个人信息）"),
    ("re_registration", "重新注册"),
    ("cancel_whole", "注销注册"),
    ("cancel_partial", "注销注册（部分专业）"),
];

async fn enterprise(state: &AppState, user: &PageUser, q: PortalQuery) -> Result<Response, PageError> {
    let store = &state.store;
    let enterprise = store.enterprise(user.actor.enterprise_id.unwrap_or(-1)).await?.ok_or(Error::NotFound("企业不存在"))?;
    let tab = q.tab.unwrap_or_else(|| "pending".into());
    let pending =
        store.applications(&user.actor, &ListFilter { states: vec![AppStateCode::AwaitingEnterprise], ..Default::default() }).await?;
    let reg_status = q.reg_status.unwrap_or_default();
    let today = erjian_store::db::today(state.clock.now());
    // One search box per list: name, ID number, registration number (people) or also the
    // application number (business records).
    let search = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty() && t.chars().count() <= 60).map(str::to_owned);
    let all_regs = store.registrations_of_enterprise(enterprise.id).await?;
    let people_count = all_regs.len();
    let regs: Vec<_> = all_regs
        .into_iter()
        .filter(|r| reg_status.is_empty() || r.standing(today).code() == reg_status)
        .filter(|r| tab != "people" || r.matches(search.as_deref().unwrap_or_default()))
        .collect();
    let state_filter = q.state.unwrap_or_default();
    let kind_filter = q.kind.unwrap_or_default();
    let mut next_page = None;
    let apps = match tab.as_str() {
        "pending" => pending.clone(),
        "history" => {
            let filter = ListFilter {
                states: AppStateCode::parse(&state_filter).into_iter().collect(),
                kind: Some(kind_filter.clone()).filter(|k| !k.is_empty()),
                search: search.clone(),
                limit: PAGE,
                after: q.after.as_deref().and_then(erjian_store::applications::Cursor::parse),
                today: Some(today),
                ..Default::default()
            };
            let page = store.applications(&user.actor, &filter).await?;
            next_page =
                (page.len() as i64 == PAGE).then(|| page.last().map(|a| erjian_store::applications::Cursor::of(a, false).text())).flatten();
            page
        }
        _ => vec![],
    };
    let consents = store.release_consents(&user.actor).await?;
    let waiting = consents.iter().filter(|c| c.state == "pending").count();
    let tabs = vec![
        ("pending", "待确认", Some(pending.len() + waiting)),
        ("people", "本单位人员", Some(people_count)),
        ("history", "业务记录", None),
    ];
    let state_options = AppStateCode::ALL.iter().filter(|s| **s != AppStateCode::Draft).map(|s| (s.code(), s.label())).collect();
    let active = match tab.as_str() {
        "people" => "/portal?tab=people",
        "history" => "/portal?tab=history",
        _ => "/portal?tab=pending",
    };
    let claims = crate::certs::certificates_for(state, &user.actor)
        .await?
        .into_iter()
        .filter(|c| c.status == "valid")
        .map(|c| (c.registration_id, (c.id, c.claimed_at.is_some())))
        .collect();
    let lookup = match (state.profile().enterprise_files_initial, q.q_name.as_deref(), q.q_id.as_deref()) {
        (true, Some(name), Some(id)) if !name.trim().is_empty() && !id.trim().is_empty() => Some(look_up(state, name, id).await?),
        _ => None,
    };
    let ctx = Ctx::new(state, Some(user), "企业业务", active).with_flash(flash(q.done.as_deref()));
    Ok(render(&EnterprisePage {
        ctx,
        enterprise,
        tabs,
        tab,
        apps,
        regs,
        state_options,
        state_filter,
        claims,
        reg_status,
        today,
        standings: Standing::ALL,
        kind_filter,
        kinds: KINDS,
        files_initial: state.profile().enterprise_files_initial.then_some(erjian_domain::profession::CONSTRUCTOR_SPECIALTIES),
        lookup,
        consents,
        prints: state.profile().enterprise_prints_certificates,
        temp_transfer: state.profile().temporary_transfer_by_new_employer,
        search: search.unwrap_or_default(),
        next_page,
    }))
}

#[derive(Template)]
#[template(path = "portal_authority.html")]
struct AuthorityPage {
    ctx: Ctx,
    title: String,
    tabs: Vec<(&'static str, &'static str, Option<usize>)>,
    tab: String,
    apps: Vec<Application>,
    batches: Vec<Batch>,
    publicity_days: i64,
    /// The search as typed, and the cursor of the next page when this one is full.
    search: String,
    next_page: Option<String>,
    /// The province's cities (empty for a city), the kinds to filter by, the filters as set.
    cities: Vec<(&'static str, &'static str)>,
    kinds: &'static [(&'static str, &'static str)],
    filters: crate::filters::QueueParams,
    filter_query: String,
    /// The decision this queue may take on several at once: (action code, label, opinions).
    batch: Option<(&'static str, &'static str, &'static [&'static str])>,
}

/// Rows a page of an authority's queue.
const PAGE: i64 = 50;

async fn authority(state: &AppState, user: &PageUser, q: PortalQuery) -> Result<Response, PageError> {
    use AppStateCode as S;
    let store = &state.store;
    let province = user.actor.role == Role::ProvinceAuthority;
    let one_level = state.profile().review_stages == ReviewStages::ProvinceOnly;
    let queues: &[(&str, &str, &[S])] = if province && one_level {
        &[
            ("filed", "待受理", &[S::Filed]),
            ("accepted", "待审查", &[S::Accepted]),
            ("approved", "待公示", &[S::Approved]),
            ("batches", "公示批次", &[S::Publicity]),
            ("done", "已办", &[S::Announced, S::Refused, S::Returned, S::NotAccepted]),
        ]
    } else if one_level {
        // The city has no step of its own: it follows its city's applications.
        &[("done", "本市业务", &[S::Filed, S::Accepted, S::Approved, S::Publicity, S::Announced, S::Returned, S::Refused, S::NotAccepted])]
    } else if province {
        &[
            ("prelim", "待复审", &[S::PrelimPassed]),
            ("approved", "待公示", &[S::Approved]),
            ("batches", "公示批次", &[S::Publicity]),
            ("done", "已办", &[S::Announced, S::Refused, S::Returned]),
        ]
    } else {
        &[
            ("filed", "待受理", &[S::Filed]),
            ("accepted", "待初审", &[S::Accepted]),
            ("done", "已办", &[S::PrelimPassed, S::Approved, S::Publicity, S::Announced, S::Returned, S::Refused, S::NotAccepted]),
        ]
    };
    let search = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty() && t.chars().count() <= 60).map(str::to_owned);
    let filters = crate::filters::QueueParams { kind: q.kind.clone(), city: q.city.clone(), due: q.due.clone(), sort: q.sort.clone() };
    let tab = match &search {
        Some(_) => "search".to_owned(),
        None => q.tab.filter(|t| queues.iter().any(|(k, _, _)| k == t)).unwrap_or_else(|| queues[0].0.to_owned()),
    };
    let mut tabs = Vec::new();
    for (key, label, states) in queues {
        let n = if *key == "done" { None } else { Some(store.count_applications(&user.actor, states).await? as usize) };
        tabs.push((*key, *label, n));
    }
    // One page of the chosen queue (or of the search over every state), newest first.
    let states = queues.iter().find(|(k, _, _)| *k == tab).map(|q| q.2.to_vec()).unwrap_or_default();
    let filter = filters.apply(ListFilter {
        states,
        limit: PAGE,
        today: Some(erjian_store::db::today(state.clock.now())),
        search: search.clone(),
        after: q.after.as_deref().and_then(erjian_store::applications::Cursor::parse),
        ..Default::default()
    });
    let apps = store.applications(&user.actor, &filter).await?;
    let by_deadline = filter.by_deadline;
    let next_page =
        (apps.len() as i64 == PAGE).then(|| apps.last().map(|a| erjian_store::applications::Cursor::of(a, by_deadline).text())).flatten();
    let batches = if tab == "batches" { store.batches().await? } else { vec![] };
    let title = match (province, one_level) {
        (true, true) => format!("{}（省级受理、审查、审批）", user.actor.name),
        (true, false) => format!("{}（省级审批）", user.actor.name),
        (false, true) => format!("{}（本市业务查看：本省由省级主管部门受理并审查）", user.actor.name),
        (false, false) => format!("{}（市级受理、初审）", user.actor.name),
    };
    let active = queues.iter().find(|(k, _, _)| *k == tab).map(|(k, _, _)| nav_href(k)).unwrap_or("/portal");
    let ctx = Ctx::new(state, Some(user), title.clone(), active).with_flash(flash(q.done.as_deref()));
    let batch = batch_action(&tab, province, one_level).map(|a| (a.code(), a.label(), super::detail::standard_opinions(a)));
    Ok(render(&AuthorityPage {
        ctx,
        title,
        tabs,
        tab,
        apps,
        batches,
        publicity_days: state.profile().publicity_days,
        search: search.unwrap_or_default(),
        next_page,
        cities: if province { state.profile().cities.iter().map(|c| (c.code, c.name)).collect() } else { vec![] },
        kinds: KINDS,
        filter_query: filters.query(),
        filters,
        batch,
    }))
}

/// The decision a reviewer may take on several applications of a queue at once.
fn batch_action(tab: &str, province: bool, one_level: bool) -> Option<erjian_domain::workflow::Action> {
    use erjian_domain::workflow::Action;
    match (tab, province, one_level) {
        ("filed", _, _) => Some(Action::Accept),
        ("accepted", false, false) => Some(Action::PrelimApprove),
        ("accepted", true, true) | ("prelim", true, false) => Some(Action::Approve),
        _ => None,
    }
}

fn nav_href(tab: &str) -> &'static str {
    match tab {
        "filed" => "/portal?tab=filed",
        "accepted" => "/portal?tab=accepted",
        "prelim" => "/portal?tab=prelim",
        "approved" => "/portal?tab=approved",
        "batches" => "/portal?tab=batches",
        "done" => "/portal?tab=done",
        _ => "/portal",
    }
}

/// The batch form: the CSRF token and the checked application ids (`ids` repeated).
fn parse_batch_form(body: &str) -> (String, Vec<i64>) {
    let mut csrf = String::new();
    let mut ids = Vec::new();
    for (k, v) in form_urlencoded_pairs(body) {
        match k.as_str() {
            "csrf" => csrf = v,
            "ids" => ids.extend(v.parse::<i64>().ok()),
            _ => {}
        }
    }
    (csrf, ids)
}

/// Decodes `application/x-www-form-urlencoded` pairs, keeping repeated keys.
pub fn form_urlencoded_pairs(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

pub async fn start_publicity(State(state): State<AppState>, user: PageUser, body: String) -> Result<Response, PageError> {
    let (csrf, ids) = parse_batch_form(&body);
    user.check_csrf(&csrf)?;
    if ids.is_empty() {
        return Err(Error::Conflict("请至少勾选一件申请".into()).into());
    }
    state.store.start_publicity(&user.actor, &ids, &state.profile(), state.clock.now()).await?;
    Ok(Redirect::to("/portal?tab=batches&done=batch").into_response())
}

pub async fn announce(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    posted: super::confirm::Confirmable<super::CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&posted.form.csrf)?;
    if !posted.confirmed {
        if let Some(b) = state.store.batches().await?.into_iter().find(|b| b.id == id && b.announced_at.is_none()) {
            let ask = super::confirm::Ask {
                title: "发布公告",
                who: format!("公示批次 {}（{} 人，公示期至 {}）", b.number, b.size, b.ends_on.as_deref().unwrap_or("—")),
                effect: "为批次中每人办结注册：生成注册编号，签发带电子印章的电子证书并公开；公告后不能撤回".into(),
                action: &format!("/batches/{id}/announce"),
                back: "/portal?tab=batches",
            };
            return Ok(super::confirm::ask(&state, &user, &posted, ask));
        }
    }
    state.store.announce(&user.actor, id, &state.issuer, state.clock.now()).await?;
    Ok(Redirect::to("/portal?tab=batches&done=announced").into_response())
}
