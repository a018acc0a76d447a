//! 统计分析 for authorities: the figures of [`erjian_store::statistics`] as bar charts drawn on the
//! server (inline SVG, no scripts from anywhere) with each number written beside its bar, a CSV of
//! every figure, and the same as JSON (`GET /api/statistics`).

use super::{render, Ctx};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use erjian_store::statistics::{Count, Statistics};

pub fn routes() -> Router<AppState> {
    Router::new().route("/statistics", get(page)).route("/statistics.csv", get(csv)).route("/api/statistics", get(api))
}

/// One chart: its title, its drawing and its rows (for the table beside it).
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub svg: String,
    pub rows: Vec<Count>,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    ctx: Ctx,
    s: Statistics,
    charts: Vec<Chart>,
    mean: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Horizontal bars, one a row: the label on the left, the bar scaled to the largest count, the
/// count after it. Sized by its rows; scales to its container's width.
pub fn bars(title: &str, rows: &[Count]) -> String {
    const ROW: usize = 26;
    const LABEL: usize = 190;
    const BAR: f64 = 330.0;
    let max = rows.iter().map(|r| r.n).max().unwrap_or(0).max(1) as f64;
    let height = ROW * rows.len().max(1) + 8;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    if rows.is_empty() {
        svg.push_str("<text x=\"0\" y=\"20\" font-size=\"14\" fill=\"#66788a\">暂无数据</text>");
    }
    for (i, r) in rows.iter().enumerate() {
        let y = i * ROW + 4;
        let w = (r.n as f64 / max * BAR).max(if r.n > 0 { 2.0 } else { 0.0 });
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1f2d3d\">{}</text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{w:.1}\" height=\"18\" rx=\"3\" fill=\"#1f4e8c\"/>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"13\" fill=\"#1f2d3d\">{}</text>",
            LABEL - 8,
            y + 14,
            escape(&r.label),
            LABEL,
            LABEL as f64 + w + 6.0,
            y + 14,
            r.n
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn figures(state: &AppState, actor: &erjian_store::Actor) -> Result<Statistics, erjian_store::Error> {
    let mut s = state.store.statistics(actor, state.clock.now()).await?;
    let profile = state.profile();
    for c in &mut s.by_city {
        if let Some(city) = profile.city(&c.label) {
            c.label = city.name.to_owned();
        }
    }
    Ok(s)
}

fn charts(s: &Statistics) -> Vec<Chart> {
    let mut out = Vec::new();
    let mut add = |id, title, rows: &Vec<Count>| out.push(Chart { id, title, svg: bars(title, rows), rows: rows.clone() });
    add("by-state", "申请按状态", &s.by_state);
    add("by-kind", "申请按业务类型", &s.by_kind);
    if !s.by_city.is_empty() {
        add("by-city", "申请按城市", &s.by_city);
    }
    add("by-month", "近12个月新建申请（按月）", &s.by_month);
    add("by-specialty", "有效注册按专业", &s.registrations_by_specialty);
    add("by-year", "有效注册按有效期届满年份", &s.registrations_by_validity_year);
    out
}

fn mean_text(s: &Statistics) -> String {
    match s.mean_working_days {
        Some(m) => format!("平均 {m:.1} 个工作日（近12个月 {} 件）", s.decided),
        None => "近12个月尚无作出决定的申请".into(),
    }
}

async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let s = figures(&state, &user.actor).await?;
    let ctx = Ctx::new(&state, Some(&user), "统计分析", "/statistics");
    Ok(render(&StatisticsPage { ctx, charts: charts(&s), mean: mean_text(&s), s }))
}

/// 统计分析（主管部门，辖区内）
///
/// Applications by state, kind, city and month; overdue and due soon; mean working days from
/// filing to decision; valid registrations by specialty and by the year their validity ends.
#[utoipa::path(get, path = "/api/statistics", tag = "统计", responses((status = 200, body = Statistics), crate::error::Refusals))]
pub(crate) async fn api(State(state): State<AppState>, user: ApiUser) -> Result<Json<Statistics>, ApiError> {
    Ok(Json(figures(&state, &user.actor).await?))
}

async fn csv(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let s = figures(&state, &user.actor).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    for chart in charts(&s) {
        rows.extend(chart.rows.iter().map(|r| vec![chart.title.to_owned(), r.label.clone(), r.n.to_string()]));
    }
    rows.push(vec!["办理时限".into(), "已超期".into(), s.overdue.to_string()]);
    rows.push(vec!["办理时限".into(), "2个工作日内到期".into(), s.due_soon.to_string()]);
    rows.push(vec![
        "申报至决定平均工作日".into(),
        format!("近12个月 {} 件", s.decided),
        s.mean_working_days.map(|m| format!("{m:.1}")).unwrap_or_default(),
    ]);
    Ok(crate::export::csv(&format!("statistics-{}.csv", s.today), &["统计项", "分类", "数量"], rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let rows = vec![Count { label: "合肥<市>".into(), n: 10 }, Count { label: "芜湖市".into(), n: 5 }];
        let svg = bars("申请按城市", &rows);
        assert!(svg.contains("width=\"330.0\"") && svg.contains("width=\"165.0\""), "{svg}");
        assert!(svg.contains("合肥&lt;市&gt;") && !svg.contains("<市>"));
        assert!(svg.contains(">10</text>") && svg.contains(">5</text>"));
        assert!(bars("空", &[]).contains("暂无数据"));
    }
}
