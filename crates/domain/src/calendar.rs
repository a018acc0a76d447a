//! Working days (工作日) and the authority's legal deadlines. The calendar is data: the State
//! Council's holidays (休) and swapped working weekend days (班) per year, from a CSV file the
//! authority updates as notices appear (`date,kind,name`); other days are Monday–Friday work,
//! Saturday–Sunday rest. Deadlines: accept by the next working day after filing; decide within
//! 10 working days of acceptance (3 for changes); the clock pauses while an application is
//! returned for correction and resumes on resubmission. Pure: "today" is always a parameter.

use crate::workflow::State;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeSet, HashMap};

/// The calendar published with erjian (2025 and 2026).
pub const DEFAULT_CSV: &str = include_str!("../data/cn-holidays.csv");

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    special: HashMap<NaiveDate, (bool, String)>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// Parses the CSV (comment lines start with `#`; header `date,kind,name`). Every bad line is
    /// reported with its number.
    pub fn parse(csv: &str) -> Result<Calendar, Vec<(usize, String)>> {
        let mut cal = Calendar::default();
        let mut errors = Vec::new();
        for (i, line) in csv.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
                continue;
            }
            let mut f = line.split(',');
            let (Some(d), Some(kind)) = (f.next(), f.next()) else {
                errors.push((i + 1, "每行须为 日期,类别,名称".into()));
                continue;
            };
            let Ok(date) = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") else {
                errors.push((i + 1, format!("日期“{d}”格式不正确，应为 2026-10-01")));
                continue;
            };
            let working = match kind.trim() {
                "休" => false,
                "班" => true,
                other => {
                    errors.push((i + 1, format!("类别“{other}”不正确，应为 休 或 班")));
                    continue;
                }
            };
            cal.years.insert(date.year());
            cal.special.insert(date, (working, f.next().unwrap_or("").trim().to_owned()));
        }
        if errors.is_empty() {
            Ok(cal)
        } else {
            Err(errors)
        }
    }

    /// The published calendar.
    pub fn default_cn() -> Calendar {
        Calendar::parse(DEFAULT_CSV).expect("the bundled calendar parses")
    }

    /// Whether the year's holidays are known (deadlines in unknown years count weekends only).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some((working, _)) => *working,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The holiday's or swapped day's name, if any.
    pub fn name(&self, d: NaiveDate) -> Option<&str> {
        self.special.get(&d).map(|(_, n)| n.as_str())
    }

    /// The `n`-th working day after `start` (`n` = 0 gives `start` itself).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// One state change of an application, on the day it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub on: NaiveDate,
    pub to: State,
}

/// What the authority must do next and by when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Deadline {
    /// 受理 or 审查.
    pub stage: &'static str,
    pub due: NaiveDate,
    /// Working days left after today (0 = due today); negative when overdue.
    pub left: i64,
}

impl Deadline {
    pub fn overdue(&self) -> bool {
        self.left < 0
    }

    pub fn label(&self) -> String {
        match self.left {
            l if l < 0 => format!("已超期 {} 个工作日（{}前应{}）", -l, self.due, self.stage),
            0 => format!("今日到期（应{}）", self.stage),
            l => format!("剩余 {l} 个工作日（{}前{}）", self.due, self.stage),
        }
    }
}

/// Working days allowed for the decision (from the province profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionDays {
    /// Initial, renewal, add specialty, re-registration.
    pub full: u32,
    /// Changes.
    pub change: u32,
}

impl Default for DecisionDays {
    fn default() -> Self {
        DecisionDays { full: 10, change: 3 }
    }
}

impl DecisionDays {
    pub fn for_kind(self, kind: &str) -> u32 {
        if kind.starts_with("change") {
            self.change
        } else {
            self.full
        }
    }
}

/// The deadline of an application in `state` whose due day is known (kept at each transition):
/// the same answer as [`deadline`] without its history.
pub fn deadline_on(cal: &Calendar, state: State, due: NaiveDate, today: NaiveDate) -> Option<Deadline> {
    let stage = match state {
        State::Filed => "受理",
        State::Accepted | State::PrelimPassed => "作出审查决定",
        _ => return None,
    };
    let left =
        if today <= due { i64::from(cal.working_days_between(today, due)) } else { -i64::from(cal.working_days_between(due, today)) };
    Some(Deadline { stage, due, left })
}

/// The deadline of an application in `state` with these steps (oldest first), or `None` when
/// the authority has nothing pending (not yet filed, decided, closed, or returned to the applicant).
pub fn deadline(cal: &Calendar, days: DecisionDays, kind: &str, state: State, steps: &[Step], today: NaiveDate) -> Option<Deadline> {
    let due = match state {
        State::Filed => {
            let filed = steps.iter().rev().find(|s| s.to == State::Filed)?.on;
            cal.add_working_days(filed, 1)
        }
        State::Accepted | State::PrelimPassed => {
            let accepted = steps.iter().find(|s| s.to == State::Accepted)?.on;
            // Working days spent returned for correction after acceptance do not count.
            let mut paused = 0;
            let mut returned_on: Option<NaiveDate> = None;
            for s in steps.iter().filter(|s| s.on >= accepted) {
                match (s.to, returned_on) {
                    (State::Returned, None) => returned_on = Some(s.on),
                    (to, Some(r)) if to != State::Returned => {
                        paused += cal.working_days_between(r, s.on);
                        returned_on = None;
                    }
                    _ => {}
                }
            }
            cal.add_working_days(accepted, days.for_kind(kind) + paused)
        }
        _ => return None,
    };
    deadline_on(cal, state, due, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn holidays_and_swapped_weekends() {
        let cal = Calendar::default_cn();
        assert!(cal.covers(2026) && cal.covers(2025) && !cal.covers(2027));
        assert!(!cal.is_working_day(d("2026-10-01")), "National Day");
        assert!(cal.is_working_day(d("2026-10-10")), "Saturday 10 October 2026 is a swapped working day");
        assert!(cal.is_working_day(d("2026-09-20")), "Sunday 20 September 2026 too");
        assert!(!cal.is_working_day(d("2026-10-11")), "an ordinary Sunday");
        assert_eq!(cal.name(d("2026-10-10")), Some("国庆节调休上班"));
    }

    #[test]
    fn acceptance_is_due_the_next_working_day_across_the_holiday() {
        let cal = Calendar::default_cn();
        // Filed on Wednesday 30 September 2026: 1–7 October are holidays, 8 October is next.
        let steps = [Step { on: d("2026-09-30"), to: State::Filed }];
        let dl = deadline(&cal, DecisionDays::default(), "initial", State::Filed, &steps, d("2026-09-30")).unwrap();
        assert_eq!(dl.due, d("2026-10-08"));
        assert_eq!(dl.left, 1);
        let late = deadline(&cal, DecisionDays::default(), "initial", State::Filed, &steps, d("2026-10-09")).unwrap();
        assert_eq!(late.left, -1);
        assert!(late.label().contains("已超期 1 个工作日"));
    }

    #[test]
    fn ten_working_days_count_the_swapped_saturday() {
        let cal = Calendar::default_cn();
        // Accepted Thursday 8 October 2026: working days 9, 10 (Saturday, 班), 12–16, 19, 20, 21.
        let steps = [Step { on: d("2026-10-07"), to: State::Filed }, Step { on: d("2026-10-08"), to: State::Accepted }];
        let dl = deadline(&cal, DecisionDays::default(), "initial", State::Accepted, &steps, d("2026-10-08")).unwrap();
        assert_eq!(dl.due, d("2026-10-21"));
        assert_eq!(dl.left, 10);
        assert_eq!(
            deadline(&cal, DecisionDays::default(), "change_personal", State::Accepted, &steps, d("2026-10-08")).unwrap().due,
            d("2026-10-12")
        );
    }

    #[test]
    fn the_clock_pauses_while_returned() {
        let cal = Calendar::default_cn();
        let steps = [
            Step { on: d("2026-11-02"), to: State::Accepted },
            Step { on: d("2026-11-04"), to: State::Returned },
            Step { on: d("2026-11-09"), to: State::AwaitingSignature },
            Step { on: d("2026-11-09"), to: State::Filed },
            Step { on: d("2026-11-10"), to: State::Accepted },
        ];
        // 10 working days from 2 November is 16 November; returned 4 → 9 November pauses 3 (5, 6, 9).
        let dl = deadline(&cal, DecisionDays::default(), "initial", State::Accepted, &steps, d("2026-11-10")).unwrap();
        assert_eq!(dl.due, d("2026-11-19"));
        assert!(
            deadline(&cal, DecisionDays::default(), "initial", State::Returned, &steps, d("2026-11-05")).is_none(),
            "nothing pending while returned"
        );
    }

    #[test]
    fn bad_lines_are_reported_by_number() {
        let e = Calendar::parse("date,kind,name\n2026-13-01,休,x\n2026-10-01,放,y\n").unwrap_err();
        assert_eq!(e.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3]);
    }
}
