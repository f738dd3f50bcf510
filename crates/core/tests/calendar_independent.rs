//! The calendar against a second, independently written implementation:
//! Gauss's Easter algorithm (not the computus used in `calendar`), holidays
//! found by reading each day against the statute's wording, and appeal
//! deadlines found by walking day by day. Every day of every supported year.

use jiff::civil::{Date, Weekday, date};
use kansli_core::calendar::{self, FIRST_YEAR, LAST_YEAR};
use kansli_core::deadlines;

/// Gauss's Easter algorithm with its two exceptions.
fn gauss_easter(y: i32) -> Date {
    let a = y % 19;
    let b = y % 4;
    let c = y % 7;
    let k = y / 100;
    let p = (13 + 8 * k) / 25;
    let q = k / 4;
    let m = (15 - p + k - q) % 30;
    let n = (4 + k - q) % 7;
    let d = (19 * a + m) % 30;
    let e = (2 * b + 4 * c + 6 * d + n) % 7;
    let mut day = 22 + d + e; // counted from 1 March; over 31 runs into April
    if d == 29 && e == 6 {
        day = 50; // 19 April
    } else if d == 28 && e == 6 && (11 * m + 11) % 30 < 19 {
        day = 49; // 18 April
    }
    if day > 31 {
        date(y as i16, 4, (day - 31) as i8)
    } else {
        date(y as i16, 3, day as i8)
    }
}

fn shift(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days)).unwrap()
}

/// The statute read literally, one day at a time.
fn named_holiday(d: Date) -> bool {
    let easter = gauss_easter(d.year() as i32);
    let (m, day, wd) = (d.month(), d.day(), d.weekday());
    (m, day) == (1, 1)
        || (m, day) == (1, 6)
        || (m, day) == (5, 1)
        || (m, day) == (6, 6)
        || (m, day) == (12, 25)
        || (m, day) == (12, 26)
        || d == shift(easter, -2)
        || d == easter
        || d == shift(easter, 1)
        || d == shift(easter, 39)
        || d == shift(easter, 49)
        || (wd == Weekday::Saturday && m == 6 && (20..=26).contains(&day))
        || (wd == Weekday::Saturday && ((m == 10 && day == 31) || (m == 11 && day <= 6)))
}

fn working(d: Date) -> bool {
    let (m, day, wd) = (d.month(), d.day(), d.weekday());
    let midsummer_eve = wd == Weekday::Friday && m == 6 && (19..=25).contains(&day);
    !(wd == Weekday::Saturday
        || wd == Weekday::Sunday
        || named_holiday(d)
        || (m, day) == (12, 24)
        || (m, day) == (12, 31)
        || midsummer_eve)
}

#[test]
fn every_day_agrees_with_the_independent_reading() {
    for year in FIRST_YEAR..=LAST_YEAR {
        assert_eq!(
            calendar::easter_sunday(year).unwrap(),
            gauss_easter(year as i32),
            "{year}"
        );
        let listed: Vec<Date> = calendar::holidays(year)
            .unwrap()
            .iter()
            .map(|h| h.date)
            .collect();
        let mut d = date(year, 1, 1);
        while d.year() == year {
            assert_eq!(listed.contains(&d), named_holiday(d), "{d}");
            assert_eq!(
                calendar::is_public_holiday(d).unwrap(),
                named_holiday(d) || d.weekday() == Weekday::Sunday,
                "{d}"
            );
            assert_eq!(calendar::is_working_day(d).unwrap(), working(d), "{d}");
            if year < LAST_YEAR {
                let mut end = shift(d, 21);
                while !working(end) {
                    end = shift(end, 1);
                }
                assert_eq!(deadlines::appeal_deadline(d).unwrap(), end, "posted {d}");
            }
            d = shift(d, 1);
        }
    }
}
