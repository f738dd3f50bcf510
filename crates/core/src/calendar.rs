//! The Swedish calendar as the law counts it: public holidays under lag
//! (1989:253) om allmänna helgdagar, and the days that lag (1930:173) om
//! beräkning av lagstadgad tid treats like them.
//!
//! The holiday list is the law as it stands since 2005 (SFS 2004:1320 added
//! nationaldagen and removed annandag pingst). Earlier years are refused
//! rather than answered wrongly; years after 2200 are refused too, as no one
//! has checked the computus against the statute that far.

use crate::{Date, Refusal};
use jiff::civil::Weekday;

/// The first year the current holiday list applies to.
pub const FIRST_YEAR: i16 = 2005;
/// The last year this calendar answers for.
pub const LAST_YEAR: i16 = 2200;

/// A named public holiday (allmän helgdag) other than an ordinary Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    /// The Swedish name, as the law writes it ("långfredagen").
    pub name: &'static str,
}

fn check_year(year: i16) -> Result<(), Refusal> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(Refusal::new(
            "kalender",
            format!(
                "år {year} stöds inte: helgdagarna räknas enligt lagen (1989:253) i dess lydelse från {FIRST_YEAR}, för åren {FIRST_YEAR}–{LAST_YEAR}"
            ),
        ));
    }
    Ok(())
}

fn plus(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .expect("dates within 2005-2201 are in range")
}

/// Påskdagen: lag (1989:253) 2 § puts it on the Sunday after the full moon
/// that falls on or next after 21 March. Swedish practice reckons that full
/// moon by the ecclesiastical (Gregorian) tables, which this computes.
pub fn easter_sunday(year: i16) -> Result<Date, Refusal> {
    check_year(year)?;
    let y = year as i32;
    // The Gregorian computus: golden number, century corrections, epact.
    let golden = y % 19;
    let century = y / 100;
    let year_in_century = y % 100;
    let skipped_leaps = century / 4;
    let century_rest = century % 4;
    let moon_correction = (century + 8) / 25;
    let solar_correction = (century - moon_correction + 1) / 3;
    let epact = (19 * golden + century - skipped_leaps - solar_correction + 15) % 30;
    let leaps = year_in_century / 4;
    let leap_rest = year_in_century % 4;
    let to_sunday = (32 + 2 * century_rest + 2 * leaps - epact - leap_rest) % 7;
    let late = (golden + 11 * epact + 22 * to_sunday) / 451;
    let month = (epact + to_sunday - 7 * late + 114) / 31;
    let day = (epact + to_sunday - 7 * late + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8)
        .map_err(|e| Refusal::new("kalender", format!("påskdagen {year}: {e}")))
}

/// The first `weekday` on or after `date`.
fn on_or_after(date: Date, weekday: Weekday) -> Date {
    let mut d = date;
    while d.weekday() != weekday {
        d = plus(d, 1);
    }
    d
}

/// Midsommardagen: the Saturday between 20 and 26 June (lag 1989:253 1 §).
pub fn midsummer_day(year: i16) -> Result<Date, Refusal> {
    check_year(year)?;
    Ok(on_or_after(
        jiff::civil::date(year, 6, 20),
        Weekday::Saturday,
    ))
}

/// The named public holidays of `year`, in date order. Ordinary Sundays are
/// holidays too (see [`is_public_holiday`]) but are not listed.
pub fn holidays(year: i16) -> Result<Vec<Holiday>, Refusal> {
    check_year(year)?;
    let easter = easter_sunday(year)?;
    let d = |m, day| jiff::civil::date(year, m, day);
    let mut out = vec![
        Holiday {
            date: d(1, 1),
            name: "nyårsdagen",
        },
        Holiday {
            date: d(1, 6),
            name: "trettondedag jul",
        },
        Holiday {
            date: plus(easter, -2),
            name: "långfredagen",
        },
        Holiday {
            date: easter,
            name: "påskdagen",
        },
        Holiday {
            date: plus(easter, 1),
            name: "annandag påsk",
        },
        Holiday {
            date: d(5, 1),
            name: "första maj",
        },
        Holiday {
            date: plus(easter, 39),
            name: "Kristi himmelsfärdsdag",
        },
        Holiday {
            date: plus(easter, 49),
            name: "pingstdagen",
        },
        Holiday {
            date: d(6, 6),
            name: "nationaldagen",
        },
        Holiday {
            date: midsummer_day(year)?,
            name: "midsommardagen",
        },
        Holiday {
            date: on_or_after(d(10, 31), Weekday::Saturday),
            name: "alla helgons dag",
        },
        Holiday {
            date: d(12, 25),
            name: "juldagen",
        },
        Holiday {
            date: d(12, 26),
            name: "annandag jul",
        },
    ];
    // Kristi himmelsfärdsdag or pingstdagen can fall on or around 1 May or 6
    // June; keep date order (and both names, should two coincide).
    out.sort_by_key(|h| h.date);
    Ok(out)
}

/// An allmän helgdag: every Sunday and the named holidays.
pub fn is_public_holiday(date: Date) -> Result<bool, Refusal> {
    if date.weekday() == Weekday::Sunday {
        check_year(date.year())?;
        return Ok(true);
    }
    Ok(holidays(date.year())?.iter().any(|h| h.date == date))
}

/// Why a day is not a working day, or `None` when it is one. Lag (1930:173)
/// 2 § names Saturday, Sunday, other public holidays, midsommarafton, julafton
/// and nyårsafton.
pub fn day_off(date: Date) -> Result<Option<&'static str>, Refusal> {
    check_year(date.year())?;
    if let Some(h) = holidays(date.year())?.iter().find(|h| h.date == date) {
        return Ok(Some(h.name));
    }
    Ok(match (date.weekday(), date.month(), date.day()) {
        (Weekday::Sunday, _, _) => Some("söndag"),
        (Weekday::Saturday, _, _) => Some("lördag"),
        (_, 12, 24) => Some("julafton"),
        (_, 12, 31) => Some("nyårsafton"),
        _ if plus(date, 1) == midsummer_day(date.year())? => Some("midsommarafton"),
        _ => None,
    })
}

/// A day on which an action with a statutory deadline can be taken.
pub fn is_working_day(date: Date) -> Result<bool, Refusal> {
    Ok(day_off(date)?.is_none())
}

/// The first working day after `date`.
pub fn next_working_day(date: Date) -> Result<Date, Refusal> {
    let mut d = plus(date, 1);
    while !is_working_day(d)? {
        d = plus(d, 1);
    }
    Ok(d)
}

/// A statutory deadline as lag (1930:173) 2 § moves it: unchanged on a
/// working day, otherwise the next working day.
pub fn deadline(last_day: Date) -> Result<Date, Refusal> {
    if is_working_day(last_day)? {
        Ok(last_day)
    } else {
        next_working_day(last_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn names(year: i16) -> Vec<String> {
        holidays(year)
            .unwrap()
            .iter()
            .map(|h| format!("{} {}", h.date, h.name))
            .collect()
    }

    #[test]
    fn the_holidays_of_2025() {
        assert_eq!(
            names(2025),
            [
                "2025-01-01 nyårsdagen",
                "2025-01-06 trettondedag jul",
                "2025-04-18 långfredagen",
                "2025-04-20 påskdagen",
                "2025-04-21 annandag påsk",
                "2025-05-01 första maj",
                "2025-05-29 Kristi himmelsfärdsdag",
                "2025-06-06 nationaldagen",
                "2025-06-08 pingstdagen",
                "2025-06-21 midsommardagen",
                "2025-11-01 alla helgons dag",
                "2025-12-25 juldagen",
                "2025-12-26 annandag jul",
            ]
        );
    }

    #[test]
    fn easter_in_known_years() {
        for (year, m, d) in [
            (2005, 3, 27),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2026, 4, 5),
            (2038, 4, 25),
            (2100, 3, 28),
        ] {
            assert_eq!(easter_sunday(year).unwrap(), date(year, m, d), "{year}");
        }
    }

    #[test]
    fn years_outside_the_law_are_refused() {
        assert!(holidays(2004).unwrap_err().reason.contains("2005"));
        assert!(holidays(2201).is_err());
        assert!(is_working_day(date(1999, 1, 4)).is_err());
        assert!(holidays(2200).is_ok());
    }

    #[test]
    fn the_eves_of_1930_173_are_days_off() {
        assert_eq!(day_off(date(2025, 12, 24)).unwrap(), Some("julafton"));
        assert_eq!(day_off(date(2025, 12, 31)).unwrap(), Some("nyårsafton"));
        assert_eq!(day_off(date(2025, 6, 20)).unwrap(), Some("midsommarafton"));
        // Påskafton is a Saturday anyway; annandag pingst is a working day.
        assert_eq!(day_off(date(2025, 6, 9)).unwrap(), None);
        assert_eq!(day_off(date(2025, 6, 19)).unwrap(), None);
    }

    #[test]
    fn deadlines_move_past_weekends_and_holidays() {
        // Maundy Thursday is a working day; Good Friday to Easter Monday are not.
        assert_eq!(deadline(date(2025, 4, 17)).unwrap(), date(2025, 4, 17));
        assert_eq!(deadline(date(2025, 4, 18)).unwrap(), date(2025, 4, 22));
        // Julafton 2025 (Wednesday) to annandag jul (Friday), then the weekend.
        assert_eq!(deadline(date(2025, 12, 24)).unwrap(), date(2025, 12, 29));
        // Nyårsafton to nyårsdagen.
        assert_eq!(deadline(date(2025, 12, 31)).unwrap(), date(2026, 1, 2));
        assert_eq!(
            next_working_day(date(2025, 1, 28)).unwrap(),
            date(2025, 1, 29)
        );
    }

    proptest! {
        #[test]
        fn easter_is_a_sunday_in_its_window(year in FIRST_YEAR..=LAST_YEAR) {
            let e = easter_sunday(year).unwrap();
            prop_assert_eq!(e.weekday(), Weekday::Sunday);
            prop_assert!(e >= date(year, 3, 22) && e <= date(year, 4, 25));
        }

        #[test]
        fn every_year_has_thirteen_named_holidays_in_order(year in FIRST_YEAR..=LAST_YEAR) {
            let h = holidays(year).unwrap();
            prop_assert_eq!(h.len(), 13);
            prop_assert!(h.windows(2).all(|w| w[0].date <= w[1].date));
            let mid = h.iter().find(|x| x.name == "midsommardagen").unwrap().date;
            prop_assert!(mid.weekday() == Weekday::Saturday && (20..=26).contains(&mid.day()));
        }

        #[test]
        fn a_moved_deadline_is_the_first_working_day(offset in 0i64..(196 * 366)) {
            let d = plus(date(FIRST_YEAR, 1, 1), offset);
            prop_assume!(d.year() < LAST_YEAR);
            let moved = deadline(d).unwrap();
            prop_assert!(moved >= d);
            prop_assert!(is_working_day(moved).unwrap());
            let mut x = d;
            while x < moved {
                prop_assert!(!is_working_day(x).unwrap());
                x = plus(x, 1);
            }
        }
    }
}
