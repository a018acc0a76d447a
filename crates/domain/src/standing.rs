//! A registration's legal status (注册状态) and each specialty's, decided in one place for every
//! view: the holder's portal, the enterprise's people list and CSV export, the authority's
//! look-ups and the public query. A registration that was cancelled, partly cancelled,
//! suspended, revoked or has expired is never shown as 有效.

use chrono::NaiveDate;

/// What a registration (or one of its specialties) stands as today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// In force, every specialty too.
    Valid,
    /// In force for some specialties; others were cancelled (registration only).
    PartlyCancelled,
    /// The certificate is suspended (暂扣) by the authority.
    Suspended,
    /// The registration was revoked (撤销).
    Revoked,
    /// The registration (or the specialty) was cancelled (注销).
    Cancelled,
    /// Every specialty (or this one) is past its validity.
    Expired,
}

impl Standing {
    /// The label every view shows.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Valid => "有效",
            Standing::PartlyCancelled => "部分专业已注销",
            Standing::Suspended => "暂扣",
            Standing::Revoked => "已撤销",
            Standing::Cancelled => "注销",
            Standing::Expired => "已过期",
        }
    }

    /// Every standing, in the order filters list them.
    pub const ALL: [Standing; 6] =
        [Standing::Valid, Standing::PartlyCancelled, Standing::Suspended, Standing::Revoked, Standing::Cancelled, Standing::Expired];

    /// The code used in filters and answers.
    pub fn code(self) -> &'static str {
        match self {
            Standing::Valid => "valid",
            Standing::PartlyCancelled => "partly_cancelled",
            Standing::Suspended => "suspended",
            Standing::Revoked => "revoked",
            Standing::Cancelled => "cancelled",
            Standing::Expired => "expired",
        }
    }

    /// The registration can be used to practise (valid, or valid for its remaining specialties).
    pub fn in_force(self) -> bool {
        matches!(self, Standing::Valid | Standing::PartlyCancelled)
    }

    /// The registration has ended: the person may apply again (重新注册), never "已注册".
    pub fn ended(self) -> bool {
        matches!(self, Standing::Revoked | Standing::Cancelled | Standing::Expired)
    }
}

/// The facts a registration's standing is decided from, as stored.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// `registrations.status`: active, cancelled or revoked.
    pub registration: &'a str,
    /// The status of its newest certificate, if it has one: valid, suspended, revoked, …
    pub certificate: Option<&'a str>,
}

/// One specialty as stored: its status (active, cancelled) and last day of validity (ISO date).
#[derive(Debug, Clone, Copy)]
pub struct SpecialtyFacts<'a> {
    pub status: &'a str,
    pub valid_until: &'a str,
}

fn past(valid_until: &str, today: NaiveDate) -> bool {
    NaiveDate::parse_from_str(valid_until, "%Y-%m-%d").map_or(true, |d| d < today)
}

/// The registration's standing. Revocation and cancellation come first, then a suspension,
/// then expiry of every remaining specialty, then a partial cancellation.
pub fn registration(facts: Facts<'_>, specialties: &[SpecialtyFacts<'_>], today: NaiveDate) -> Standing {
    match (facts.registration, facts.certificate) {
        ("revoked", _) | (_, Some("revoked")) => return Standing::Revoked,
        ("cancelled", _) => return Standing::Cancelled,
        (_, Some("suspended")) => return Standing::Suspended,
        _ => {}
    }
    let active: Vec<_> = specialties.iter().filter(|s| s.status == "active").collect();
    if active.is_empty() {
        return Standing::Cancelled;
    }
    if active.iter().all(|s| past(s.valid_until, today)) {
        return Standing::Expired;
    }
    if active.len() < specialties.len() {
        return Standing::PartlyCancelled;
    }
    Standing::Valid
}

/// One specialty's standing within its registration's.
pub fn specialty(registration: Standing, s: SpecialtyFacts<'_>, today: NaiveDate) -> Standing {
    match registration {
        Standing::Revoked | Standing::Cancelled | Standing::Suspended => registration,
        _ if s.status != "active" => Standing::Cancelled,
        _ if past(s.valid_until, today) => Standing::Expired,
        _ => Standing::Valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const A: SpecialtyFacts = SpecialtyFacts { status: "active", valid_until: "2029-01-01" };
    const B: SpecialtyFacts = SpecialtyFacts { status: "cancelled", valid_until: "2029-01-01" };
    const OLD: SpecialtyFacts = SpecialtyFacts { status: "active", valid_until: "2020-01-01" };

    #[test]
    fn every_end_of_a_registration_is_shown_as_such() {
        let t = day("2026-12-03");
        let f = |r, c| Facts { registration: r, certificate: c };
        let cases = [
            (f("active", Some("valid")), vec![A], Standing::Valid),
            (f("active", Some("valid")), vec![A, B], Standing::PartlyCancelled),
            (f("active", Some("suspended")), vec![A], Standing::Suspended),
            (f("revoked", Some("revoked")), vec![A], Standing::Revoked),
            (f("active", Some("revoked")), vec![A], Standing::Revoked),
            (f("cancelled", Some("cancelled")), vec![B], Standing::Cancelled),
            (f("active", Some("valid")), vec![OLD], Standing::Expired),
            (f("active", Some("valid")), vec![OLD, B], Standing::Expired),
            (f("active", Some("valid")), vec![A, OLD], Standing::Valid),
            (f("active", None), vec![A], Standing::Valid),
        ];
        for (facts, specs, want) in cases {
            assert_eq!(registration(facts, &specs, t), want, "{facts:?} {specs:?}");
        }
        assert!(Standing::Cancelled.ended() && Standing::Expired.ended() && Standing::Revoked.ended());
        assert!(!Standing::Suspended.ended() && !Standing::Suspended.in_force());
        assert!(Standing::PartlyCancelled.in_force());
    }

    #[test]
    fn a_specialty_follows_its_registration_then_its_own_facts() {
        let t = day("2026-12-03");
        assert_eq!(specialty(Standing::Valid, A, t), Standing::Valid);
        assert_eq!(specialty(Standing::PartlyCancelled, B, t), Standing::Cancelled);
        assert_eq!(specialty(Standing::Valid, OLD, t), Standing::Expired);
        assert_eq!(specialty(Standing::Suspended, A, t), Standing::Suspended);
        assert_eq!(specialty(Standing::Revoked, A, t), Standing::Revoked);
        assert_eq!(specialty(Standing::Cancelled, A, t), Standing::Cancelled);
    }
}
