//! The filters of an authority's application lists, as the address carries them (`kind`,
//! `city`, `due`, `sort`), shared by the portal, the JSON API and the CSV export so the three
//! show the same rows.

use erjian_store::applications::{Due, ListFilter};

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct QueueParams {
    /// An application kind code.
    pub kind: Option<String>,
    /// A city code (the province's lists).
    pub city: Option<String>,
    /// `overdue` or `soon` (due within two working days).
    pub due: Option<String>,
    /// `deadline`: soonest deadline first; otherwise newest first.
    pub sort: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl QueueParams {
    /// The filter with these narrowed in; unknown values are ignored (a list, never an error).
    pub fn apply(&self, mut f: ListFilter) -> ListFilter {
        f.kind = given(&self.kind).map(str::to_owned);
        f.city = given(&self.city).map(str::to_owned);
        f.due = given(&self.due).and_then(Due::parse);
        f.by_deadline = self.by_deadline();
        f
    }

    pub fn by_deadline(&self) -> bool {
        given(&self.sort) == Some("deadline")
    }

    /// Whether any filter is set (the page then shows the filtered list).
    pub fn any(&self) -> bool {
        given(&self.kind).is_some() || given(&self.city).is_some() || given(&self.due).is_some() || self.by_deadline()
    }

    /// The filters as a query string (`&kind=…`), for “下一页” and export links.
    pub fn query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("kind", &self.kind), ("city", &self.city), ("due", &self.due), ("sort", &self.sort)] {
            if let Some(v) = given(v) {
                out.append_pair(k, v);
            }
        }
        let q = out.finish();
        if q.is_empty() {
            q
        } else {
            format!("&{q}")
        }
    }
}
