//! Statutory deadlines after a meeting, and for motions. Each counts as lag
//! (1930:173) says: 1 § for periods in weeks, months and years, 2 § for a last
//! day that falls on a day off (see [`crate::calendar::deadline`]).

use crate::calendar::deadline;
use crate::{Date, Refusal};
use jiff::Span;

fn add(date: Date, span: Span) -> Result<Date, Refusal> {
    date.checked_add(span)
        .map_err(|e| Refusal::new("tidsfrist", format!("{date}: {e}")))
}

/// The last day to approve (justera) the protocol: fourteen days after the
/// meeting (KL 5 kap. 69 § for fullmäktige, 6 kap. 35 § for nämnder), moved
/// to the next working day by lag (1930:173) 2 §.
pub fn approval_deadline(meeting: Date) -> Result<Date, Refusal> {
    deadline(add(meeting, Span::new().days(14))?)
}

/// The last day to post the notice that the protocol is approved on the
/// anslagstavla: the second day after the approval (KL 8 kap. 12 §), moved by
/// lag (1930:173) 2 §.
pub fn notice_deadline(approved: Date) -> Result<Date, Refusal> {
    deadline(add(approved, Span::new().days(2))?)
}

/// The last day of the appeal period (laglighetsprövning): three weeks from
/// the day the notice was posted (KL 13 kap. 5 §). Three weeks end on the
/// same weekday (lag 1930:173 1 §); a day off moves it on (2 §).
pub fn appeal_deadline(posted: Date) -> Result<Date, Refusal> {
    deadline(add(posted, Span::new().weeks(3))?)
}

/// The first day the notice may be taken down: the day after the appeal
/// period has ended, since the notice must stay up for the whole period
/// (KL 8 kap. 12 §, 13 kap. 5 §).
pub fn notice_take_down(posted: Date) -> Result<Date, Refusal> {
    add(appeal_deadline(posted)?, Span::new().days(1))
}

/// The dates of an approved protocol's notice, computed from the approval and
/// the posting dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeDates {
    pub posted: Date,
    pub appeal_ends: Date,
    pub take_down: Date,
}

/// Checks the posting date against the approval and computes the rest.
pub fn notice_dates(approved: Date, posted: Date) -> Result<NoticeDates, Refusal> {
    if posted < approved {
        return Err(Refusal::new(
            "anslag",
            "anslaget kan inte sättas upp före justeringen",
        ));
    }
    let last = notice_deadline(approved)?;
    if posted > last {
        return Err(Refusal::new(
            "anslag",
            format!(
                "anslaget ska sättas upp senast andra dagen efter justeringen, här {last} (KL 8 kap. 12 §)"
            ),
        ));
    }
    Ok(NoticeDates {
        posted,
        appeal_ends: appeal_deadline(posted)?,
        take_down: notice_take_down(posted)?,
    })
}

/// The day one year after a motion was filed, by which fullmäktige should
/// decide it or be told how far its preparation has come (KL 5 kap. 35 §).
/// A year ends on the same date; 29 February gives 28 February (lag 1930:173
/// 1 §). It is a date to act by, not a period for someone's action, so it is
/// not moved off weekends.
pub fn motion_deadline(filed: Date) -> Result<Date, Refusal> {
    add(filed, Span::new().years(1))
}

/// Where a motion stands against its one-year deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotionStanding {
    /// More than `warn_days` left.
    InTime { deadline: Date },
    /// The deadline is within `warn_days` (or today).
    Near { deadline: Date, days_left: i32 },
    /// The deadline has passed: fullmäktige must be told (KL 5 kap. 35 §).
    Overdue { deadline: Date, days_over: i32 },
}

/// A motion's standing on `today`, warning `warn_days` ahead.
pub fn motion_standing(
    filed: Date,
    today: Date,
    warn_days: i32,
) -> Result<MotionStanding, Refusal> {
    let deadline = motion_deadline(filed)?;
    let days = (deadline - today).get_days();
    Ok(if days < 0 {
        MotionStanding::Overdue {
            deadline,
            days_over: -days,
        }
    } else if days <= warn_days {
        MotionStanding::Near {
            deadline,
            days_left: days,
        }
    } else {
        MotionStanding::InTime { deadline }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_rsau_meeting_of_2025_01_28() {
        // Fourteen days: Tuesday 11 February, a working day.
        assert_eq!(
            approval_deadline(date(2025, 1, 28)).unwrap(),
            date(2025, 2, 11)
        );
        // Approved Monday 3 February: posted by Wednesday 5 February.
        assert_eq!(notice_deadline(date(2025, 2, 3)).unwrap(), date(2025, 2, 5));
        // Posted Tuesday 4 February: appeal until Tuesday 25 February.
        let n = notice_dates(date(2025, 2, 3), date(2025, 2, 4)).unwrap();
        assert_eq!(n.appeal_ends, date(2025, 2, 25));
        assert_eq!(n.take_down, date(2025, 2, 26));
    }

    #[test]
    fn deadlines_on_days_off_move_on() {
        // Approved Thursday 17 April 2025: the second day after is Easter
        // Saturday; the next working day is Tuesday 22 April.
        assert_eq!(
            notice_deadline(date(2025, 4, 17)).unwrap(),
            date(2025, 4, 22)
        );
        // Posted Wednesday 3 December 2025: three weeks is julafton, then
        // juldagen, annandag jul and a weekend: Monday 29 December.
        assert_eq!(
            appeal_deadline(date(2025, 12, 3)).unwrap(),
            date(2025, 12, 29)
        );
        // A meeting on 17 December 2025: day 14 is nyårsafton.
        assert_eq!(
            approval_deadline(date(2025, 12, 17)).unwrap(),
            date(2026, 1, 2)
        );
    }

    #[test]
    fn a_late_or_early_notice_is_refused() {
        assert!(notice_dates(date(2025, 2, 3), date(2025, 2, 2)).is_err());
        let late = notice_dates(date(2025, 2, 3), date(2025, 2, 6)).unwrap_err();
        assert!(late.reason.contains("2025-02-05"), "{late}");
    }

    #[test]
    fn motions_have_a_year() {
        assert_eq!(
            motion_deadline(date(2023, 12, 4)).unwrap(),
            date(2024, 12, 4)
        );
        assert_eq!(
            motion_deadline(date(2024, 2, 29)).unwrap(),
            date(2025, 2, 28)
        );
        let filed = date(2023, 12, 4);
        assert_eq!(
            motion_standing(filed, date(2024, 11, 20), 30).unwrap(),
            MotionStanding::Near {
                deadline: date(2024, 12, 4),
                days_left: 14
            }
        );
        // The KAST motion was answered by the arbetsutskott 2025-01-28,
        // after the year had passed: fullmäktige had to be told.
        assert_eq!(
            motion_standing(filed, date(2025, 1, 28), 30).unwrap(),
            MotionStanding::Overdue {
                deadline: date(2024, 12, 4),
                days_over: 55
            }
        );
        assert!(matches!(
            motion_standing(filed, date(2024, 6, 1), 30).unwrap(),
            MotionStanding::InTime { .. }
        ));
    }
}
