//! Account attributes as they arrive from a CRM export: typed values, parsed once.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::time_fmt::iso_date;

/// One attribute value. Empty cells are absent, never an empty value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Bool(bool),
    Number(f64),
    Date(Date),
    Text(String),
}

impl AttrValue {
    /// Reads a cell of an export: `TRUE`/`FALSE`, ISO (`2026-12-21`) or `DD-MM-YYYY` dates,
    /// plain decimal numbers; anything else is text. Empty (or blank) cells are `None`.
    ///
    /// Digit strings that a number would corrupt stay text: leading zeros (`02134`) and
    /// more digits than an f64 holds exactly.
    pub fn parse_cell(raw: &str) -> Option<AttrValue> {
        let cell = raw.trim();
        if cell.is_empty() {
            return None;
        }
        if cell.eq_ignore_ascii_case("true") {
            return Some(AttrValue::Bool(true));
        }
        if cell.eq_ignore_ascii_case("false") {
            return Some(AttrValue::Bool(false));
        }
        if let Some(d) = parse_date(cell) {
            return Some(AttrValue::Date(d));
        }
        if let Some(n) = parse_plain_number(cell) {
            return Some(AttrValue::Number(n));
        }
        Some(AttrValue::Text(cell.to_string()))
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            AttrValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            AttrValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<Date> {
        match self {
            AttrValue::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttrValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Bool(b) => write!(f, "{b}"),
            AttrValue::Number(n) => f.write_str(&format_number(*n)),
            AttrValue::Date(d) => f.write_str(&iso_date(*d)),
            AttrValue::Text(s) => f.write_str(s),
        }
    }
}

/// Numbers as people write them: `19` not `19.0`, `-65.8` as is.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `YYYY-MM-DD` or `DD-MM-YYYY` (the raw RavenStack tables use the latter).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || !s.is_ascii() {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = if b[4] == b'-' && b[7] == b'-' {
        (num(0..4)?, num(5..7)?, num(8..10)?)
    } else if b[2] == b'-' && b[5] == b'-' {
        (num(6..10)?, num(3..5)?, num(0..2)?)
    } else {
        return None;
    };
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

fn parse_plain_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    if int.len() > 1 && int.starts_with('0') {
        return None;
    }
    if int.len() + frac.map_or(0, str::len) > 15 {
        return None;
    }
    s.parse().ok()
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AttrValue::Bool(b) => serializer.serialize_bool(*b),
            AttrValue::Number(n) => serializer.serialize_f64(*n),
            AttrValue::Date(d) => serializer.serialize_str(&iso_date(*d)),
            AttrValue::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Bool(b) => Ok(AttrValue::Bool(b)),
            serde_json::Value::Number(n) => n
                .as_f64()
                .map(AttrValue::Number)
                .ok_or_else(|| de::Error::custom("number out of range")),
            serde_json::Value::String(s) => Ok(match parse_date(s.trim()) {
                Some(d) => AttrValue::Date(d),
                None => AttrValue::Text(s),
            }),
            other => Err(de::Error::custom(format!(
                "an attribute value is a string, number or boolean, not {other}"
            ))),
        }
    }
}

/// An account as the summary sees it: its id, its attributes and the day they describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    /// Attribute name → value; absent attributes are simply not here.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttrValue>,
    /// The day the export was taken: relative dates ("renewal in 18 days") count from it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_iso_date"
    )]
    pub as_of: Option<Date>,
}

impl Account {
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.attributes.get(name)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(AttrValue::as_text)
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(AttrValue::as_number)
    }

    pub fn date(&self, name: &str) -> Option<Date> {
        self.get(name).and_then(AttrValue::as_date)
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(AttrValue::as_bool)
    }
}

/// Serde for `Option<Date>` as `YYYY-MM-DD`.
pub mod opt_iso_date {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&iso_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_date(&s)
                .map(Some)
                .ok_or_else(|| de::Error::custom(format!("not a date (YYYY-MM-DD): {s:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cells_are_typed_like_a_person_would_read_them() {
        assert_eq!(AttrValue::parse_cell("TRUE"), Some(AttrValue::Bool(true)));
        assert_eq!(AttrValue::parse_cell("FALSE"), Some(AttrValue::Bool(false)));
        assert_eq!(
            AttrValue::parse_cell("2026-12-21"),
            Some(AttrValue::Date(date!(2026 - 12 - 21)))
        );
        assert_eq!(
            AttrValue::parse_cell("21-12-2026"),
            Some(AttrValue::Date(date!(2026 - 12 - 21)))
        );
        assert_eq!(
            AttrValue::parse_cell("-65.8"),
            Some(AttrValue::Number(-65.8))
        );
        assert_eq!(AttrValue::parse_cell(" 9 "), Some(AttrValue::Number(9.0)));
        assert_eq!(AttrValue::parse_cell(""), None);
        assert_eq!(AttrValue::parse_cell("   "), None);
    }

    #[test]
    fn digit_strings_a_number_would_corrupt_stay_text() {
        assert_eq!(
            AttrValue::parse_cell("02134"),
            Some(AttrValue::Text("02134".into()))
        );
        assert_eq!(
            AttrValue::parse_cell("4111111111111111"),
            Some(AttrValue::Text("4111111111111111".into()))
        );
        assert_eq!(
            AttrValue::parse_cell("+1-500-388-4050x3488"),
            Some(AttrValue::Text("+1-500-388-4050x3488".into()))
        );
        assert_eq!(
            AttrValue::parse_cell("1e5"),
            Some(AttrValue::Text("1e5".into()))
        );
    }

    #[test]
    fn impossible_dates_are_text() {
        assert_eq!(
            AttrValue::parse_cell("2026-02-30"),
            Some(AttrValue::Text("2026-02-30".into()))
        );
    }

    #[test]
    fn numbers_print_as_written() {
        assert_eq!(format_number(19.0), "19");
        assert_eq!(format_number(-65.8), "-65.8");
        assert_eq!(format_number(10032.0), "10032");
    }

    #[test]
    fn account_json_round_trips() {
        let json = r#"{"account_id":"A-1","attributes":{"seats":9,"auto_renew":true,
            "next_renewal_date":"2026-12-21","plan_tier":"Basic"},"as_of":"2026-12-01"}"#;
        let account: Account = serde_json::from_str(json).unwrap();
        assert_eq!(account.number("seats"), Some(9.0));
        assert_eq!(account.flag("auto_renew"), Some(true));
        assert_eq!(
            account.date("next_renewal_date"),
            Some(date!(2026 - 12 - 21))
        );
        assert_eq!(account.text("plan_tier"), Some("Basic"));
        assert_eq!(account.as_of, Some(date!(2026 - 12 - 01)));
        let again: Account =
            serde_json::from_str(&serde_json::to_string(&account).unwrap()).unwrap();
        assert_eq!(again, account);
    }
}
