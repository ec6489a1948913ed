//! The offline engine: the seven sections written from the Key Info attributes alone.
//!
//! Used when no LLM is configured and as the fallback when the LLM fails. Every sentence
//! states what an attribute says, or what follows from it and the reference day (days until
//! a date, the length of a relationship, a trend): nothing is guessed. Only the attributes
//! the tenant's Key Info selects are read; attributes the writers below do not recognize are
//! listed in the overview as they are, so another tenant's Key Info still gets a truthful
//! summary. The output stays local (it is shown to the CSM), so real names and money appear.

use time::Date;

use crate::attributes::{Account, AttrValue, format_number, parse_date};
use crate::deid::policy::{Treatment, default_treatment};
use crate::summary::{Section, SectionKey};
use crate::tenant::TenantConfig;
use crate::time_fmt::iso_date;

/// Usage that fell by this much (percent, last 30 days against the 30 before) is a risk.
const USAGE_DROP_PCT: f64 = -25.0;
/// Usage that rose by this much is an expansion signal.
const USAGE_RISE_PCT: f64 = 25.0;
/// An average CSAT (1-5) below this is a risk.
const LOW_CSAT: f64 = 3.5;
/// This many feature errors in 30 days is a risk.
const FEATURE_ERRORS_RISK: f64 = 3.0;
/// This many urgent or high-priority tickets in 90 days is a risk.
const URGENT_TICKETS_RISK: f64 = 2.0;
/// A churn event at most this many days old is a risk; older ones are history.
const RECENT_CHURN_DAYS: i64 = 180;
/// A renewal at most this many days away, with a risk signal, calls for a renewal call.
const RENEWAL_CALL_DAYS: i64 = 90;
/// A renewal at most this many days away is confirmed even when nothing is wrong.
const RENEWAL_SOON_DAYS: i64 = 30;
/// At most this many unrecognized attributes in the overview's "Other details".
const MAX_OTHER_DETAILS: usize = 6;
/// Longer values are cut (at a word) in "Other details" and quoted notes.
const MAX_VALUE_CHARS: usize = 80;
const MAX_NOTE_CHARS: usize = 200;
/// At most this many actions.
const MAX_ACTIONS: usize = 4;

/// The sample's attribute names (RavenStack Key Info).
mod key {
    pub const ACCOUNT_ID: &str = "account_id";
    pub const ACCOUNT_NAME: &str = "account_name";
    pub const INDUSTRY: &str = "industry";
    pub const COUNTRY: &str = "country";
    pub const PLAN_TIER: &str = "plan_tier";
    pub const SEATS: &str = "seats";
    pub const IS_TRIAL: &str = "is_trial";
    pub const CUSTOMER_SINCE: &str = "customer_since";
    pub const REFERRAL_SOURCE: &str = "referral_source";
    pub const STATUS: &str = "status";
    pub const MRR: &str = "mrr_usd";
    pub const ARR: &str = "arr_usd";
    pub const BILLING_FREQUENCY: &str = "billing_frequency";
    pub const AUTO_RENEW: &str = "auto_renew";
    pub const NEXT_RENEWAL: &str = "next_renewal_date";
    pub const UPGRADES: &str = "upgrades_last_180d";
    pub const DOWNGRADES: &str = "downgrades_last_180d";
    pub const TICKETS: &str = "tickets_last_90d";
    pub const URGENT_TICKETS: &str = "urgent_or_high_tickets_last_90d";
    pub const ESCALATIONS: &str = "escalations_last_90d";
    pub const RESOLUTION_HOURS: &str = "avg_resolution_hours_last_90d";
    pub const CSAT: &str = "avg_csat_last_180d";
    pub const USAGE_LAST: &str = "feature_usage_last_30d";
    pub const USAGE_PREV: &str = "feature_usage_prev_30d";
    pub const USAGE_TREND: &str = "usage_trend_pct";
    pub const FEATURES_USED: &str = "features_used_last_30d";
    pub const FEATURE_ERRORS: &str = "feature_errors_last_30d";
    pub const TOP_FEATURES: &str = "top_features_last_30d";
    pub const LAST_CHURN_DATE: &str = "last_churn_date";
    pub const LAST_CHURN_REASON: &str = "last_churn_reason";
    pub const CHURN_FEEDBACK: &str = "churn_feedback";
    pub const SUCCESS_MANAGER: &str = "success_manager";
    pub const CHAMPION_NAME: &str = "champion_name";
    pub const CHAMPION_EMAIL: &str = "champion_email";
    pub const CHAMPION_PHONE: &str = "champion_phone";
    pub const MEETING_NOTES: &str = "last_meeting_notes";
}

/// What a recognized attribute holds, so that a value of another shape is not misread.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    Date,
    Flag,
    /// Recognized and deliberately left out (contact details: the summary is no contact card).
    Omitted,
}

fn kind_of(name: &str) -> Option<Kind> {
    use key::*;
    Some(match name {
        ACCOUNT_ID | ACCOUNT_NAME | INDUSTRY | COUNTRY | PLAN_TIER | REFERRAL_SOURCE | STATUS
        | BILLING_FREQUENCY | TOP_FEATURES | LAST_CHURN_REASON | CHURN_FEEDBACK
        | SUCCESS_MANAGER | CHAMPION_NAME | MEETING_NOTES => Kind::Text,
        SEATS | MRR | ARR | UPGRADES | DOWNGRADES | TICKETS | URGENT_TICKETS | ESCALATIONS
        | RESOLUTION_HOURS | CSAT | USAGE_LAST | USAGE_PREV | USAGE_TREND | FEATURES_USED
        | FEATURE_ERRORS => Kind::Number,
        CUSTOMER_SINCE | NEXT_RENEWAL | LAST_CHURN_DATE => Kind::Date,
        IS_TRIAL | AUTO_RENEW => Kind::Flag,
        CHAMPION_EMAIL | CHAMPION_PHONE => Kind::Omitted,
        _ => return None,
    })
}

/// Writes the seven sections from the Key Info attributes alone.
pub fn write_sections(account: &Account, config: &TenantConfig, as_of: Date) -> Vec<Section> {
    let facts = Facts {
        attrs: config.key_info_attributes(account),
        listed: &config.key_info,
        as_of,
    };
    let risks = risk_signals(&facts);
    SectionKey::ALL
        .iter()
        .map(|&section| {
            let (draft, empty) = match section {
                SectionKey::Overview => (
                    overview(&facts),
                    "No account details are available in the Key Info data.",
                ),
                SectionKey::UsageEngagement => (
                    usage_engagement(&facts),
                    "No product usage is recorded in the available data.",
                ),
                SectionKey::Interactions => (
                    interactions(&facts),
                    "No support interactions are recorded in the available data.",
                ),
                SectionKey::Sentiment => (
                    sentiment(&facts),
                    "No sentiment signals (CSAT, feedback or plan changes) are recorded in the \
                     available data.",
                ),
                SectionKey::Risks => (
                    risks_section(&facts, &risks),
                    "No risk signals in the available data.",
                ),
                SectionKey::Renewal => (
                    renewal(&facts),
                    "No renewal information is recorded in the available data.",
                ),
                SectionKey::NextActions => (
                    next_actions(&facts, &risks),
                    "No signals in the available data call for a specific action.",
                ),
            };
            draft.finish(section, empty, &facts)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Reading the attributes
// ---------------------------------------------------------------------------------------

/// The Key Info attributes of one account and the reference day.
struct Facts<'a> {
    /// In Key Info order; only these may be read.
    attrs: Vec<(&'a str, &'a AttrValue)>,
    /// The tenant's explicit Key Info list (empty: every attribute).
    listed: &'a [String],
    as_of: Date,
}

impl Facts<'_> {
    fn raw(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    /// Text with its whitespace tidied; any value reads as text.
    fn text(&self, name: &str) -> Option<String> {
        self.raw(name).and_then(display_value)
    }

    /// A number; text such as `1,234`, `$836` or `12 %` is read too.
    fn num(&self, name: &str) -> Option<f64> {
        match self.raw(name)? {
            AttrValue::Number(n) => Some(*n),
            AttrValue::Text(s) => {
                let cleaned: String = s
                    .chars()
                    .filter(|c| !matches!(c, ',' | '$' | '%') && !c.is_whitespace())
                    .collect();
                cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
            }
            _ => None,
        }
    }

    fn date(&self, name: &str) -> Option<Date> {
        match self.raw(name)? {
            AttrValue::Date(d) => Some(*d),
            AttrValue::Text(s) => parse_date(s.trim()),
            _ => None,
        }
    }

    fn flag(&self, name: &str) -> Option<bool> {
        match self.raw(name)? {
            AttrValue::Bool(b) => Some(*b),
            AttrValue::Number(n) if *n == 1.0 => Some(true),
            AttrValue::Number(n) if *n == 0.0 => Some(false),
            AttrValue::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "on" => Some(true),
                "false" | "no" | "n" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether a recognized attribute holds a value of the shape its writer expects.
    fn readable(&self, name: &str) -> bool {
        match kind_of(name) {
            None => false,
            Some(Kind::Omitted) => true,
            Some(Kind::Text) => self.text(name).is_some(),
            Some(Kind::Number) => self.num(name).is_some(),
            Some(Kind::Date) => self.date(name).is_some(),
            Some(Kind::Flag) => self.flag(name).is_some(),
        }
    }

    /// The tenant's Key Info names this attribute but the account has no value for it.
    fn listed_but_empty(&self, name: &str) -> bool {
        self.listed.iter().any(|n| n == name) && self.raw(name).is_none()
    }

    /// Days from the reference day to `date` (negative: in the past).
    fn days_until(&self, date: Date) -> i64 {
        (date - self.as_of).whole_days()
    }

    /// The champion by name, or a neutral "the customer".
    fn champion(&self) -> (String, Vec<&'static str>) {
        match self.text(key::CHAMPION_NAME) {
            Some(name) => (name, vec![key::CHAMPION_NAME]),
            None => ("the customer".to_string(), vec![]),
        }
    }
}

fn display_value(value: &AttrValue) -> Option<String> {
    let text = match value {
        AttrValue::Text(s) => s.split_whitespace().collect::<Vec<_>>().join(" "),
        AttrValue::Number(n) => format_number(*n),
        AttrValue::Date(d) => iso_date(*d),
        AttrValue::Bool(b) => (if *b { "yes" } else { "no" }).to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// Usage in the last 30 days against the 30 before, with the trend as given or computed.
struct Usage {
    last: Option<f64>,
    prev: Option<f64>,
    /// Percent change, rounded to one decimal.
    trend: Option<f64>,
    keys: Vec<&'static str>,
}

fn usage(f: &Facts) -> Usage {
    let last = f.num(key::USAGE_LAST);
    let prev = f.num(key::USAGE_PREV);
    let given = f.num(key::USAGE_TREND);
    let trend = given.or_else(|| match (last, prev) {
        (Some(l), Some(p)) if p > 0.0 => Some((l - p) / p * 100.0),
        _ => None,
    });
    let mut keys = Vec::new();
    if last.is_some() {
        keys.push(key::USAGE_LAST);
    }
    if prev.is_some() {
        keys.push(key::USAGE_PREV);
    }
    if given.is_some() {
        keys.push(key::USAGE_TREND);
    }
    Usage {
        last,
        prev,
        trend: trend.map(round1),
        keys,
    }
}

fn is_churned_status(status: &str) -> bool {
    matches!(
        status.to_ascii_lowercase().as_str(),
        "churned" | "cancelled" | "canceled" | "closed lost" | "lost" | "inactive"
    )
}

// ---------------------------------------------------------------------------------------
// Drafting a section
// ---------------------------------------------------------------------------------------

/// Sentences and the attribute keys each rests on.
#[derive(Default)]
struct Draft {
    sentences: Vec<String>,
    evidence: Vec<String>,
}

impl Draft {
    fn say(&mut self, sentence: impl Into<String>, keys: &[&str]) {
        let mut sentence = sentence.into();
        if !sentence.ends_with(['.', '!', '?']) {
            sentence.push('.');
        }
        self.sentences.push(sentence);
        self.cite(keys);
    }

    fn cite(&mut self, keys: &[&str]) {
        for k in keys {
            if !self.evidence.iter().any(|e| e == k) {
                self.evidence.push((*k).to_string());
            }
        }
    }

    /// The section, its evidence in Key Info order; `empty` when nothing could be said.
    fn finish(mut self, section: SectionKey, empty: &str, f: &Facts) -> Section {
        if self.sentences.is_empty() {
            return Section::new(section, empty, Vec::new());
        }
        let position = |k: &String| f.attrs.iter().position(|(n, _)| n == k);
        self.evidence.retain(|k| position(k).is_some());
        self.evidence.sort_by_key(position);
        Section::new(section, self.sentences.join(" "), self.evidence)
    }
}

// ---------------------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------------------

fn overview(f: &Facts) -> Draft {
    let mut d = Draft::default();

    // Who: name (industry, country) and what they hold.
    let mut keys: Vec<&str> = Vec::new();
    let name = if let Some(name) = f.text(key::ACCOUNT_NAME) {
        keys.push(key::ACCOUNT_NAME);
        Some(name)
    } else if let Some(id) = f.text(key::ACCOUNT_ID) {
        keys.push(key::ACCOUNT_ID);
        Some(format!("Account {id}"))
    } else {
        None
    };
    let mut labels = Vec::new();
    for k in [key::INDUSTRY, key::COUNTRY] {
        if let Some(v) = f.text(k) {
            labels.push(v);
            keys.push(k);
        }
    }
    let mut holds = Vec::new();
    if let Some(plan) = f.text(key::PLAN_TIER) {
        keys.push(key::PLAN_TIER);
        if plan.to_ascii_lowercase().ends_with("plan") {
            holds.push(format!("is on the {plan}"));
        } else {
            holds.push(format!("is on the {plan} plan"));
        }
    }
    if let Some(seats) = f.num(key::SEATS) {
        keys.push(key::SEATS);
        let seats = count(seats, "seat", "seats");
        holds.push(if holds.is_empty() {
            format!("has {seats}")
        } else {
            format!("with {seats}")
        });
    }
    if let Some(trial) = f.flag(key::IS_TRIAL) {
        keys.push(key::IS_TRIAL);
        let trial = if trial {
            "on a trial"
        } else {
            "not on a trial"
        };
        holds.push(if holds.is_empty() {
            format!("is {trial}")
        } else {
            format!(", {trial}")
        });
    }
    if name.is_some() || !labels.is_empty() || !holds.is_empty() {
        let mut s = name.unwrap_or_else(|| "The account".to_string());
        if !labels.is_empty() {
            s.push_str(&format!(" ({})", labels.join(", ")));
        }
        if holds.is_empty() {
            s = format!("Account: {s}");
        } else {
            let mut predicate = String::new();
            for part in holds {
                if !predicate.is_empty() && !part.starts_with(',') {
                    predicate.push(' ');
                }
                predicate.push_str(&part);
            }
            s.push(' ');
            s.push_str(&predicate);
        }
        d.say(s, &keys);
    }

    // Status and history.
    let mut parts = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    if let Some(status) = f.text(key::STATUS) {
        parts.push(format!("Status: {status}"));
        keys.push(key::STATUS);
    }
    if let Some(since) = f.date(key::CUSTOMER_SINCE) {
        let days = f.days_until(since);
        let when = if days > 0 {
            format!("starts in {}", count(days as f64, "day", "days"))
        } else {
            span(since, f.as_of)
        };
        parts.push(format!("customer since {} ({when})", iso_date(since)));
        keys.push(key::CUSTOMER_SINCE);
    }
    if let Some(source) = f.text(key::REFERRAL_SOURCE) {
        parts.push(format!("acquisition channel: {source}"));
        keys.push(key::REFERRAL_SOURCE);
    }
    if !parts.is_empty() {
        d.say(capitalize_first(&parts.join("; ")), &keys);
    }

    // Money, as given.
    let mut money = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    for (k, label) in [(key::ARR, "ARR"), (key::MRR, "MRR")] {
        if let Some(n) = f.num(k) {
            money.push(format!("{label} {}", usd(n)));
            keys.push(k);
        }
    }
    if !money.is_empty() {
        d.say(format!("Revenue: {}", money.join(", ")), &keys);
    }

    // Whatever the writers do not recognize, as it is.
    let others: Vec<(&str, String)> = f
        .attrs
        .iter()
        .filter(|(k, _)| !f.readable(k) && default_treatment(k) != Treatment::Drop)
        .filter_map(|(k, v)| display_value(v).map(|v| (*k, v)))
        .collect();
    if !others.is_empty() {
        let shown: Vec<String> = others
            .iter()
            .take(MAX_OTHER_DETAILS)
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), shorten(v, MAX_VALUE_CHARS)))
            .collect();
        let mut s = format!("Other details: {}", shown.join("; "));
        if others.len() > MAX_OTHER_DETAILS {
            s.push_str(&format!(
                " (and {} more in Key Info)",
                others.len() - MAX_OTHER_DETAILS
            ));
        }
        let keys: Vec<&str> = others
            .iter()
            .take(MAX_OTHER_DETAILS)
            .map(|(k, _)| *k)
            .collect();
        d.say(s, &keys);
    }
    d
}

// ---------------------------------------------------------------------------------------
// Usage and engagement
// ---------------------------------------------------------------------------------------

fn usage_engagement(f: &Facts) -> Draft {
    let mut d = Draft::default();
    let u = usage(f);
    let uses = |n: f64| count(n, "feature use", "feature uses");
    let sentence = match (u.last, u.prev, u.trend) {
        (Some(last), Some(prev), _) if last == 0.0 && prev > 0.0 => Some(format!(
            "Feature usage stopped: none in the last 30 days, down from {} in the previous 30",
            format_number(prev)
        )),
        (Some(last), Some(prev), Some(t)) if t < 0.0 => Some(format!(
            "Feature usage fell {} to {} in the last 30 days, from {} in the previous 30",
            pct(t),
            uses(last),
            format_number(prev)
        )),
        (Some(last), Some(prev), Some(t)) if t > 0.0 => Some(format!(
            "Feature usage rose {} to {} in the last 30 days, from {} in the previous 30",
            pct(t),
            uses(last),
            format_number(prev)
        )),
        (Some(last), Some(prev), _) if prev == 0.0 && last > 0.0 => Some(format!(
            "Feature usage picked up: {} in the last 30 days, none in the previous 30",
            uses(last)
        )),
        (Some(last), Some(prev), _) => Some(format!(
            "Feature usage held steady: {} in the last 30 days, {} in the previous 30",
            uses(last),
            format_number(prev)
        )),
        (Some(last), None, Some(t)) => Some(format!(
            "{} in the last 30 days ({} against the previous 30)",
            capitalize_first(&uses(last)),
            signed_pct(t)
        )),
        (Some(last), None, None) => Some(format!(
            "{} in the last 30 days",
            capitalize_first(&uses(last))
        )),
        (None, Some(prev), Some(t)) => Some(format!(
            "Feature usage changed {} against the previous 30 days ({} then)",
            signed_pct(t),
            uses(prev)
        )),
        (None, Some(prev), None) => Some(format!(
            "{} in the 30 days before the last 30",
            capitalize_first(&uses(prev))
        )),
        (None, None, Some(t)) => Some(format!(
            "Feature usage changed {} in the last 30 days against the previous 30",
            signed_pct(t)
        )),
        (None, None, None) => None,
    };
    if let Some(s) = sentence {
        d.say(s, &u.keys);
    }

    let top: Vec<String> = f
        .text(key::TOP_FEATURES)
        .map(|t| {
            t.split([';', ',', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .take(5)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    match (f.num(key::FEATURES_USED), top.is_empty()) {
        (Some(0.0), _) => d.say(
            "No features were used in the last 30 days",
            &[key::FEATURES_USED],
        ),
        (Some(n), true) => d.say(
            format!(
                "{} {} used in the last 30 days",
                count(n, "distinct feature", "distinct features"),
                if n == 1.0 { "was" } else { "were" }
            ),
            &[key::FEATURES_USED],
        ),
        (Some(n), false) if n == 1.0 && top.len() == 1 => d.say(
            format!(
                "1 distinct feature was used in the last 30 days: {}",
                top[0]
            ),
            &[key::FEATURES_USED, key::TOP_FEATURES],
        ),
        (Some(n), false) => d.say(
            format!(
                "{} {} used in the last 30 days; the most used: {}",
                count(n, "distinct feature", "distinct features"),
                if n == 1.0 { "was" } else { "were" },
                join_and(&top)
            ),
            &[key::FEATURES_USED, key::TOP_FEATURES],
        ),
        (None, false) => d.say(
            format!("Most used features in the last 30 days: {}", join_and(&top)),
            &[key::TOP_FEATURES],
        ),
        (None, true) => {}
    }

    if let Some(errors) = f.num(key::FEATURE_ERRORS) {
        let s = if errors == 0.0 {
            "No feature errors in the last 30 days".to_string()
        } else {
            format!(
                "{} in the last 30 days",
                count(errors, "feature error", "feature errors")
            )
        };
        d.say(s, &[key::FEATURE_ERRORS]);
    }
    d
}

// ---------------------------------------------------------------------------------------
// Interactions
// ---------------------------------------------------------------------------------------

fn interactions(f: &Facts) -> Draft {
    let mut d = Draft::default();

    let tickets = f.num(key::TICKETS);
    let urgent = f.num(key::URGENT_TICKETS);
    let escalations = f.num(key::ESCALATIONS);
    let hours = f.num(key::RESOLUTION_HOURS);
    let mut keys: Vec<&str> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    match tickets {
        Some(0.0) => {
            keys.push(key::TICKETS);
            clauses.push("No support tickets in the last 90 days".into());
        }
        Some(t) => {
            keys.push(key::TICKETS);
            clauses.push(format!(
                "{} in the last 90 days",
                count(t, "support ticket", "support tickets")
            ));
        }
        None => {}
    }
    if let Some(u) = urgent {
        // Zero urgent tickets out of zero tickets goes without saying.
        if !(u == 0.0 && tickets == Some(0.0)) {
            keys.push(key::URGENT_TICKETS);
            clauses.push(match (tickets, u) {
                (Some(_), 0.0) => "none urgent or high priority".into(),
                (Some(_), u) => format!("{} urgent or high priority", format_number(u)),
                (None, u) => format!(
                    "{} in the last 90 days",
                    count(
                        u,
                        "urgent or high-priority ticket",
                        "urgent or high-priority tickets"
                    )
                ),
            });
        }
    }
    if let Some(e) = escalations
        && !(e == 0.0 && tickets == Some(0.0))
    {
        keys.push(key::ESCALATIONS);
        clauses.push(if e == 0.0 {
            "no escalations".into()
        } else {
            count(e, "escalation", "escalations")
        });
    }
    if !clauses.is_empty() {
        let mut s = capitalize_first(&clauses.join(", "));
        if let Some(h) = hours {
            keys.push(key::RESOLUTION_HOURS);
            s.push_str(&format!(
                "; average resolution time {}",
                count(h, "hour", "hours")
            ));
        }
        d.say(s, &keys);
    } else if let Some(h) = hours {
        d.say(
            format!(
                "Average ticket resolution time in the last 90 days: {}",
                count(h, "hour", "hours")
            ),
            &[key::RESOLUTION_HOURS],
        );
    }

    if let Some(notes) = f.text(key::MEETING_NOTES) {
        d.say(
            format!("Last meeting: {}", meeting_gist(&notes)),
            &[key::MEETING_NOTES],
        );
    }

    let mut people = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    if let Some(m) = f.text(key::SUCCESS_MANAGER) {
        people.push(format!("success manager: {m}"));
        keys.push(key::SUCCESS_MANAGER);
    }
    if let Some(c) = f.text(key::CHAMPION_NAME) {
        people.push(format!("customer champion: {c}"));
        keys.push(key::CHAMPION_NAME);
    } else if f.listed_but_empty(key::CHAMPION_NAME) {
        people.push("no customer champion recorded".into());
    }
    if !people.is_empty() {
        d.say(capitalize_first(&people.join("; ")), &keys);
    }
    d
}

/// The first sentence of meeting notes, briefly.
fn meeting_gist(notes: &str) -> String {
    const ABBREVIATIONS: &[&str] = &[
        "mr", "mrs", "ms", "dr", "prof", "st", "e.g", "i.e", "vs", "etc", "approx", "inc", "ltd",
        "co", "no",
    ];
    let mut end = notes.len();
    for (i, c) in notes.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next = notes[i + c.len_utf8()..].chars().next();
        if next.is_some_and(|n| !n.is_whitespace()) {
            continue;
        }
        let word = notes[..i]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if c == '.' && ABBREVIATIONS.contains(&word.as_str()) {
            continue;
        }
        end = i + c.len_utf8();
        break;
    }
    let first = shorten(notes[..end].trim(), MAX_NOTE_CHARS);
    // "Call with ..." reads as "Last meeting: call with ..."; names keep their capitals.
    const OPENERS: &[&str] = &[
        "call",
        "meeting",
        "email",
        "video",
        "phone",
        "demo",
        "check-in",
        "sync",
        "quarterly",
        "onsite",
        "workshop",
        "review",
        "met",
        "spoke",
        "talked",
        "follow-up",
        "visit",
    ];
    let first_word = first
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if OPENERS.contains(&first_word.as_str()) {
        let mut chars = first.chars();
        match chars.next() {
            Some(c) => c.to_lowercase().chain(chars).collect(),
            None => first,
        }
    } else {
        first
    }
}

// ---------------------------------------------------------------------------------------
// Sentiment
// ---------------------------------------------------------------------------------------

fn csat_judgement(score: f64) -> Option<&'static str> {
    if !(1.0..=5.0).contains(&score) {
        return None;
    }
    Some(if score >= 4.5 {
        "very positive"
    } else if score >= LOW_CSAT {
        "positive"
    } else if score >= 2.5 {
        "mixed"
    } else if score >= 1.5 {
        "negative"
    } else {
        "very negative"
    })
}

fn sentiment(f: &Facts) -> Draft {
    let mut d = Draft::default();

    if let Some(score) = f.num(key::CSAT) {
        let s = match csat_judgement(score) {
            Some(j) => format!(
                "Average CSAT over the last 180 days is {} out of 5, which is {j}",
                format_number(score)
            ),
            None => format!(
                "Average CSAT over the last 180 days is {}",
                format_number(score)
            ),
        };
        d.say(s, &[key::CSAT]);
    } else if f.listed_but_empty(key::CSAT) {
        d.say("No CSAT responses in the last 180 days", &[]);
    }

    match (f.num(key::UPGRADES), f.num(key::DOWNGRADES)) {
        (Some(up), Some(down)) => {
            let s = if up == 0.0 && down == 0.0 {
                "No plan upgrades or downgrades in the last 180 days".to_string()
            } else {
                let verdict = if up > down {
                    "net expansion"
                } else if down > up {
                    "net contraction"
                } else {
                    "no net change"
                };
                format!(
                    "{} and {} in the last 180 days: {verdict}",
                    count_or_no(up, "upgrade", "upgrades"),
                    count_or_no(down, "downgrade", "downgrades")
                )
            };
            d.say(capitalize_first(&s), &[key::UPGRADES, key::DOWNGRADES]);
        }
        (Some(up), None) => d.say(
            capitalize_first(&format!(
                "{} in the last 180 days",
                count_or_no(up, "plan upgrade", "plan upgrades")
            )),
            &[key::UPGRADES],
        ),
        (None, Some(down)) => d.say(
            capitalize_first(&format!(
                "{} in the last 180 days",
                count_or_no(down, "plan downgrade", "plan downgrades")
            )),
            &[key::DOWNGRADES],
        ),
        (None, None) => {}
    }

    if let Some(feedback) = f.text(key::CHURN_FEEDBACK) {
        d.say(
            format!(
                "Churn feedback on record: \"{}\"",
                shorten(&feedback, MAX_NOTE_CHARS)
            ),
            &[key::CHURN_FEEDBACK],
        );
    }

    // A churn event too old to be a risk is still part of the story.
    if let Some(churn) = f.date(key::LAST_CHURN_DATE) {
        let days = -f.days_until(churn);
        if days > RECENT_CHURN_DAYS {
            let mut s = format!(
                "The last churn event was on {} ({} ago)",
                iso_date(churn),
                span(churn, f.as_of)
            );
            let mut keys = vec![key::LAST_CHURN_DATE];
            if let Some(reason) = f.text(key::LAST_CHURN_REASON) {
                s.push_str(&format!(", reason: {reason}"));
                keys.push(key::LAST_CHURN_REASON);
            }
            d.say(s, &keys);
        }
    }
    d
}

// ---------------------------------------------------------------------------------------
// Risks
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RiskKind {
    StatusConflict,
    RenewalOverdue,
    Escalations,
    UsageStopped,
    UsageFell,
    LowCsat,
    RecentChurn,
    AutoRenewOff,
    Contraction,
    Trial,
    FeatureErrors,
    UrgentTickets,
}

struct Risk {
    kind: RiskKind,
    /// The risk as a sentence of the risks section.
    sentence: String,
    /// The risk as a short reason inside an action ("usage fell 65.8%").
    reason: String,
    keys: Vec<&'static str>,
}

/// The concrete risk signals in the data, most pressing first.
fn risk_signals(f: &Facts) -> Vec<Risk> {
    let mut risks = Vec::new();
    let mut add = |kind, sentence: String, reason: String, keys: Vec<&'static str>| {
        risks.push(Risk {
            kind,
            sentence,
            reason,
            keys,
        })
    };

    // Churned in the CRM, yet a subscription still shows: the records disagree.
    if let Some(status) = f.text(key::STATUS).filter(|s| is_churned_status(s)) {
        let mut open = Vec::new();
        let mut keys = vec![key::STATUS];
        if let Some(mrr) = f.num(key::MRR).filter(|n| *n > 0.0) {
            open.push(format!("MRR {}", usd(mrr)));
            keys.push(key::MRR);
        } else if let Some(arr) = f.num(key::ARR).filter(|n| *n > 0.0) {
            open.push(format!("ARR {}", usd(arr)));
            keys.push(key::ARR);
        }
        if f.flag(key::AUTO_RENEW) == Some(true) {
            open.push("auto-renew on".into());
            keys.push(key::AUTO_RENEW);
        }
        if let Some(renewal) = f.date(key::NEXT_RENEWAL).filter(|d| f.days_until(*d) >= 0) {
            open.push(format!("next renewal on {}", iso_date(renewal)));
            keys.push(key::NEXT_RENEWAL);
        }
        if !open.is_empty() {
            let listed = open.join(", ");
            add(
                RiskKind::StatusConflict,
                format!(
                    "The status is {status}, yet the subscription looks open ({listed}): the \
                     records are inconsistent and worth checking"
                ),
                format!("the status is {status} while the subscription shows {listed}"),
                keys,
            );
        }
    }

    if let Some(renewal) = f.date(key::NEXT_RENEWAL) {
        let days = -f.days_until(renewal);
        if days > 0 {
            add(
                RiskKind::RenewalOverdue,
                format!(
                    "The renewal date {} passed {} ago",
                    iso_date(renewal),
                    count(days as f64, "day", "days")
                ),
                format!(
                    "the renewal date passed {} ago",
                    count(days as f64, "day", "days")
                ),
                vec![key::NEXT_RENEWAL],
            );
        }
    }

    if let Some(e) = f.num(key::ESCALATIONS).filter(|e| *e > 0.0) {
        add(
            RiskKind::Escalations,
            format!(
                "{} in the last 90 days",
                count(e, "escalation", "escalations")
            ),
            format!(
                "{} in the last 90 days",
                there_were(e, "escalation", "escalations")
            ),
            vec![key::ESCALATIONS],
        );
    }

    let u = usage(f);
    match (u.last, u.prev, u.trend) {
        (Some(0.0), prev, _) => {
            let mut keys = vec![key::USAGE_LAST];
            let sentence = match prev.filter(|p| *p > 0.0) {
                Some(p) => {
                    keys.push(key::USAGE_PREV);
                    format!(
                        "Feature usage stopped: none in the last 30 days, down from {} in the \
                         previous 30",
                        format_number(p)
                    )
                }
                None => "No feature usage in the last 30 days".to_string(),
            };
            add(
                RiskKind::UsageStopped,
                sentence,
                "there was no feature usage in the last 30 days".into(),
                keys,
            );
        }
        (last, prev, Some(t)) if t <= USAGE_DROP_PCT => {
            let detail = match (last, prev) {
                (Some(l), Some(p)) => format!(
                    " ({}, down from {})",
                    count(l, "feature use", "feature uses"),
                    format_number(p)
                ),
                _ => String::new(),
            };
            add(
                RiskKind::UsageFell,
                format!("Feature usage fell {} in the last 30 days{detail}", pct(t)),
                format!("usage fell {}", pct(t)),
                u.keys.clone(),
            );
        }
        _ => {}
    }

    if let Some(score) = f.num(key::CSAT).filter(|s| (1.0..LOW_CSAT).contains(s)) {
        let judgement = csat_judgement(score).unwrap_or("low");
        add(
            RiskKind::LowCsat,
            format!(
                "Average CSAT is {} out of 5 ({judgement})",
                format_number(score)
            ),
            format!("CSAT is {} out of 5", format_number(score)),
            vec![key::CSAT],
        );
    }

    if let Some(churn) = f.date(key::LAST_CHURN_DATE) {
        let days = -f.days_until(churn);
        if (0..=RECENT_CHURN_DAYS).contains(&days) {
            let mut keys = vec![key::LAST_CHURN_DATE];
            let mut sentence = format!(
                "A churn event {} ({})",
                ago(churn, f.as_of),
                iso_date(churn)
            );
            if let Some(reason) = f.text(key::LAST_CHURN_REASON) {
                sentence.push_str(&format!(", reason: {reason}"));
                keys.push(key::LAST_CHURN_REASON);
            }
            add(
                RiskKind::RecentChurn,
                sentence,
                format!("the last churn event was {}", ago(churn, f.as_of)),
                keys,
            );
        }
    }

    if f.flag(key::AUTO_RENEW) == Some(false) {
        add(
            RiskKind::AutoRenewOff,
            "Auto-renew is off".into(),
            "auto-renew is off".into(),
            vec![key::AUTO_RENEW],
        );
    }

    if let (Some(up), Some(down)) = (f.num(key::UPGRADES), f.num(key::DOWNGRADES))
        && down > up
    {
        let s = format!(
            "more downgrades than upgrades in the last 180 days ({} against {})",
            format_number(down),
            format_number(up)
        );
        add(
            RiskKind::Contraction,
            capitalize_first(&s),
            "downgrades outnumber upgrades".into(),
            vec![key::UPGRADES, key::DOWNGRADES],
        );
    }

    if f.flag(key::IS_TRIAL) == Some(true) {
        add(
            RiskKind::Trial,
            "The account is on a trial and has not converted yet".into(),
            "the account is still on a trial".into(),
            vec![key::IS_TRIAL],
        );
    }

    if let Some(errors) = f
        .num(key::FEATURE_ERRORS)
        .filter(|e| *e >= FEATURE_ERRORS_RISK)
    {
        add(
            RiskKind::FeatureErrors,
            format!(
                "{} in the last 30 days",
                count(errors, "feature error", "feature errors")
            ),
            format!(
                "{} in the last 30 days",
                there_were(errors, "feature error", "feature errors")
            ),
            vec![key::FEATURE_ERRORS],
        );
    }

    if let Some(urgent) = f
        .num(key::URGENT_TICKETS)
        .filter(|u| *u >= URGENT_TICKETS_RISK)
    {
        let (one, many) = (
            "urgent or high-priority ticket",
            "urgent or high-priority tickets",
        );
        add(
            RiskKind::UrgentTickets,
            format!("{} in the last 90 days", count(urgent, one, many)),
            format!("{} in the last 90 days", there_were(urgent, one, many)),
            vec![key::URGENT_TICKETS],
        );
    }
    risks
}

fn risks_section(f: &Facts, risks: &[Risk]) -> Draft {
    let mut d = Draft::default();
    if risks.is_empty() {
        // Say plainly that the data was looked at and nothing stood out.
        let checked: Vec<&str> = f
            .attrs
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| RISK_INPUTS.contains(k) && f.readable(k))
            .collect();
        if !checked.is_empty() {
            d.say("No risk signals in the available data", &checked);
        }
        return d;
    }
    // One sentence per signal; past three, the rest share a fourth.
    for risk in risks.iter().take(3) {
        d.say(capitalize_first(&risk.sentence), &risk.keys);
    }
    match &risks[3.min(risks.len())..] {
        [] => {}
        [one] => d.say(capitalize_first(&one.sentence), &one.keys),
        rest => {
            let items: Vec<String> = rest.iter().map(|r| lower_first(&r.sentence)).collect();
            let keys: Vec<&str> = rest.iter().flat_map(|r| r.keys.iter().copied()).collect();
            d.say(format!("Also: {}", items.join("; ")), &keys);
        }
    }
    d
}

/// The attributes the risk signals are read from.
const RISK_INPUTS: &[&str] = &[
    key::STATUS,
    key::NEXT_RENEWAL,
    key::ESCALATIONS,
    key::USAGE_LAST,
    key::USAGE_PREV,
    key::USAGE_TREND,
    key::CSAT,
    key::LAST_CHURN_DATE,
    key::AUTO_RENEW,
    key::UPGRADES,
    key::DOWNGRADES,
    key::IS_TRIAL,
    key::FEATURE_ERRORS,
    key::URGENT_TICKETS,
];

// ---------------------------------------------------------------------------------------
// Renewal
// ---------------------------------------------------------------------------------------

fn renewal(f: &Facts) -> Draft {
    let mut d = Draft::default();
    if let Some(date) = f.date(key::NEXT_RENEWAL) {
        let days = f.days_until(date);
        let s = match days {
            0 => format!("The renewal is due today, {}", iso_date(date)),
            d if d > 0 => format!(
                "Renews in {}, on {}",
                count(d as f64, "day", "days"),
                iso_date(date)
            ),
            d => format!(
                "The renewal date, {}, passed {} ago: the renewal is overdue unless the record \
                 is out of date",
                iso_date(date),
                count(-d as f64, "day", "days")
            ),
        };
        d.say(s, &[key::NEXT_RENEWAL]);
    }

    let mut terms = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    if let Some(freq) = f.text(key::BILLING_FREQUENCY) {
        let billed = match freq.to_ascii_lowercase().as_str() {
            "monthly" => "billed monthly".to_string(),
            "annual" | "annually" | "yearly" => "billed annually".to_string(),
            "quarterly" => "billed quarterly".to_string(),
            _ => format!("billing frequency: {freq}"),
        };
        terms.push(billed);
        keys.push(key::BILLING_FREQUENCY);
    }
    match f.flag(key::AUTO_RENEW) {
        Some(true) => {
            terms.push("auto-renew is on".into());
            keys.push(key::AUTO_RENEW);
        }
        Some(false) => {
            terms.push("auto-renew is off, so renewing needs an explicit decision".into());
            keys.push(key::AUTO_RENEW);
        }
        None => {}
    }
    if !terms.is_empty() {
        d.say(capitalize_first(&terms.join("; ")), &keys);
    }
    d
}

// ---------------------------------------------------------------------------------------
// Next actions
// ---------------------------------------------------------------------------------------

fn next_actions(f: &Facts, risks: &[Risk]) -> Draft {
    let mut d = Draft::default();
    let (who, who_keys) = f.champion();
    let has = |kind: RiskKind| risks.iter().find(|r| r.kind == kind);
    let mut actions: Vec<(String, Vec<&'static str>)> = Vec::new();
    let with_who = |mut keys: Vec<&'static str>| {
        keys.extend(who_keys.iter().copied());
        keys
    };

    if let Some(r) = has(RiskKind::StatusConflict) {
        actions.push((
            format!(
                "Check the CRM record before acting on it: {}; correct whichever is wrong",
                r.reason
            ),
            r.keys.clone(),
        ));
    }

    let renewal = f.date(key::NEXT_RENEWAL);
    let auto_renew = f.flag(key::AUTO_RENEW);
    let mut renewal_covered = false;
    if let Some(r) = has(RiskKind::RenewalOverdue) {
        let date = renewal.map(iso_date).unwrap_or_default();
        actions.push((
            format!(
                "Confirm with {who} whether the renewal due on {date} went through ({})",
                r.reason
            ),
            with_who(r.keys.clone()),
        ));
        renewal_covered = true;
    } else if let Some(date) = renewal {
        let days = f.days_until(date);
        // The reasons a renewal needs a conversation: the risks other than the renewal itself.
        let reasons: Vec<&Risk> = risks
            .iter()
            .filter(|r| {
                !matches!(
                    r.kind,
                    RiskKind::StatusConflict | RiskKind::RenewalOverdue | RiskKind::FeatureErrors
                )
            })
            .take(2)
            .collect();
        if days <= RENEWAL_CALL_DAYS && !reasons.is_empty() {
            let mut keys = vec![key::NEXT_RENEWAL];
            let why: Vec<String> = reasons.iter().map(|r| r.reason.clone()).collect();
            for r in &reasons {
                keys.extend(r.keys.iter().copied());
            }
            let why = if auto_renew == Some(true) {
                keys.push(key::AUTO_RENEW);
                format!("auto-renew is on, but {}", join_and(&why))
            } else {
                join_and(&why)
            };
            actions.push((
                format!(
                    "Book a renewal call with {who} before {} ({why})",
                    iso_date(date)
                ),
                with_who(keys),
            ));
            renewal_covered = true;
        } else if days <= RENEWAL_SOON_DAYS {
            let mut keys = vec![key::NEXT_RENEWAL];
            let mut note = format!("in {}", count(days as f64, "day", "days"));
            if auto_renew == Some(true) {
                note.push_str("; auto-renew is on");
                keys.push(key::AUTO_RENEW);
            }
            actions.push((
                format!(
                    "Confirm the renewal on {} with {who} ({note})",
                    iso_date(date)
                ),
                with_who(keys),
            ));
            renewal_covered = true;
        }
    }

    if let Some(r) = has(RiskKind::Escalations) {
        let e = f.num(key::ESCALATIONS).unwrap_or(0.0);
        let what = if e == 1.0 {
            "the escalated ticket".to_string()
        } else {
            format!("the {} escalated tickets", format_number(e))
        };
        actions.push((
            format!(
                "Review {what} of the last 90 days with support and confirm with {who} that \
                 the issue is resolved"
            ),
            with_who(r.keys.clone()),
        ));
    }

    if let Some(r) = has(RiskKind::RecentChurn) {
        let date = f
            .date(key::LAST_CHURN_DATE)
            .map(iso_date)
            .unwrap_or_default();
        let reason = f.text(key::LAST_CHURN_REASON);
        let feedback = f.text(key::CHURN_FEEDBACK);
        let mut keys = r.keys.clone();
        let mut s = match reason.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("competitor") => format!(
                "Ask {who} which competitor was behind the churn event on {date} and what it \
                 offered"
            ),
            Some("pricing" | "budget" | "price") => format!(
                "Review pricing and plan fit with {who}: the churn event on {date} cited {}",
                reason.as_deref().unwrap_or_default()
            ),
            Some("features" | "missing features") => format!(
                "Walk {who} through the roadmap for the features behind the churn event on \
                 {date}"
            ),
            Some("support") => format!(
                "Go over the support experience behind the churn event on {date} with {who} \
                 and the support lead"
            ),
            _ => format!("Ask {who} what led to the churn event on {date}"),
        };
        if let Some(feedback) = feedback {
            s.push_str(&format!(
                " (feedback: \"{}\")",
                shorten(&feedback, MAX_VALUE_CHARS)
            ));
            keys.push(key::CHURN_FEEDBACK);
        }
        actions.push((s, with_who(keys)));
    }

    if let Some(r) = has(RiskKind::UsageStopped).or(has(RiskKind::UsageFell)) {
        let mut keys = r.keys.clone();
        let mut s = format!("Run an adoption review with {who}: {}", r.reason);
        if r.kind == RiskKind::UsageFell {
            let top = f.text(key::TOP_FEATURES);
            match f.num(key::FEATURES_USED) {
                Some(1.0) => {
                    s.push_str(" and only 1 feature was used in the last 30 days");
                    keys.push(key::FEATURES_USED);
                    if let Some(top) = top.filter(|t| !t.contains([';', ',', '|'])) {
                        s.push_str(&format!(" ({top})"));
                        keys.push(key::TOP_FEATURES);
                    }
                }
                Some(2.0) => {
                    s.push_str(" and only 2 features were used in the last 30 days");
                    keys.push(key::FEATURES_USED);
                }
                _ => {}
            }
        }
        actions.push((s, with_who(keys)));
    }

    if let Some(r) = has(RiskKind::LowCsat) {
        actions.push((
            format!(
                "Ask {who} what is behind the average CSAT of {} out of 5 and agree on a fix",
                f.num(key::CSAT).map(format_number).unwrap_or_default()
            ),
            with_who(r.keys.clone()),
        ));
    }

    if let Some(r) = has(RiskKind::FeatureErrors) {
        actions.push((
            format!(
                "Ask support to investigate the {} and tell {who} what is being fixed",
                r.sentence
            ),
            with_who(r.keys.clone()),
        ));
    }

    if let Some(r) = has(RiskKind::Trial) {
        actions.push((
            format!("Plan the trial-to-paid conversion with {who}"),
            with_who(r.keys.clone()),
        ));
    }

    if let Some(r) = has(RiskKind::AutoRenewOff).filter(|_| !renewal_covered) {
        actions.push((
            format!("Ask {who} whether they intend to renew: auto-renew is off"),
            with_who(r.keys.clone()),
        ));
    }

    if let Some(r) = has(RiskKind::Contraction) {
        actions.push((
            format!("Review plan fit with {who}: {}", lower_first(&r.sentence)),
            with_who(r.keys.clone()),
        ));
    }

    // Feedback left at an older churn event still tells what to avoid.
    if has(RiskKind::RecentChurn).is_none()
        && let Some(feedback) = f.text(key::CHURN_FEEDBACK)
    {
        actions.push((
            format!(
                "Ask {who} whether the churn feedback on record (\"{}\") still applies",
                shorten(&feedback, MAX_VALUE_CHARS)
            ),
            with_who(vec![key::CHURN_FEEDBACK]),
        ));
    }

    if let Some(r) = has(RiskKind::UrgentTickets) {
        actions.push((
            format!(
                "Check that the {} are resolved to {who}'s satisfaction",
                r.sentence
            ),
            with_who(r.keys.clone()),
        ));
    }

    // Growth is a signal too.
    let u = usage(f);
    let rising = u.trend.filter(|t| *t >= USAGE_RISE_PCT);
    let net_up = match (f.num(key::UPGRADES), f.num(key::DOWNGRADES)) {
        (Some(up), Some(down)) if up > down => Some((up, down)),
        _ => None,
    };
    let falling = has(RiskKind::UsageFell).is_some() || has(RiskKind::UsageStopped).is_some();
    if let (Some(last), Some(prev)) = (u.last, u.prev)
        && prev == 0.0
        && last > 0.0
    {
        actions.push((
            format!(
                "Help {who} build on the new usage: {} in the last 30 days after none in \
                     the previous 30",
                count(last, "feature use", "feature uses")
            ),
            with_who(vec![key::USAGE_LAST, key::USAGE_PREV]),
        ));
    }
    if !falling && (rising.is_some() || net_up.is_some()) {
        let mut why = Vec::new();
        let mut keys = Vec::new();
        if let Some(t) = rising {
            why.push(format!("usage rose {} in the last 30 days", pct(t)));
            keys.extend(u.keys.iter().copied());
        }
        if let Some((up, down)) = net_up {
            why.push(format!(
                "{} against {} in the last 180 days",
                count(up, "upgrade", "upgrades"),
                count_or_no(down, "downgrade", "downgrades")
            ));
            keys.extend([key::UPGRADES, key::DOWNGRADES]);
        }
        actions.push((
            format!("Explore expansion with {who}: {}", join_and(&why)),
            with_who(keys),
        ));
    }

    // Fewer than two actions: plan ahead for the renewal, or keep the cadence.
    if actions.len() < 2
        && let Some(date) = renewal.filter(|_| !renewal_covered)
    {
        let days = f.days_until(date);
        actions.push((
            format!(
                "Plan the renewal conversation with {who} ahead of {} (in {})",
                iso_date(date),
                count(days as f64, "day", "days")
            ),
            with_who(vec![key::NEXT_RENEWAL]),
        ));
    }
    if actions.len() < 2 && risks.is_empty() && !who_keys.is_empty() {
        actions.push((
            format!("Keep the regular check-in cadence with {who}: no risk signals stand out"),
            who_keys.clone(),
        ));
    }

    for (sentence, keys) in actions.into_iter().take(MAX_ACTIONS) {
        d.say(sentence, &keys);
    }
    d
}

// ---------------------------------------------------------------------------------------
// Wording
// ---------------------------------------------------------------------------------------

/// "1 seat", "9 seats", "0.5 hours".
fn count(n: f64, one: &str, many: &str) -> String {
    format!("{} {}", format_number(n), if n == 1.0 { one } else { many })
}

/// "there was 1 escalation", "there were 2 escalations".
fn there_were(n: f64, one: &str, many: &str) -> String {
    let verb = if n == 1.0 { "was" } else { "were" };
    format!("there {verb} {}", count(n, one, many))
}

/// Like [`count`], with "no" for zero.
fn count_or_no(n: f64, one: &str, many: &str) -> String {
    if n == 0.0 {
        format!("no {many}")
    } else {
        count(n, one, many)
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// "65.8%" (magnitude only: the verb says the direction).
fn pct(x: f64) -> String {
    format!("{}%", format_number(round1(x.abs())))
}

/// "-65.8%", "+420%".
fn signed_pct(x: f64) -> String {
    let x = round1(x);
    if x > 0.0 {
        format!("+{}%", format_number(x))
    } else {
        format!("{}%", format_number(x))
    }
}

/// "$10,032", "$836.50".
fn usd(n: f64) -> String {
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    let (whole, cents) = if a.fract() == 0.0 {
        (format_number(a), None)
    } else {
        let s = format!("{a:.2}");
        let (w, c) = s.split_once('.').unwrap_or((&s, "00"));
        (w.to_string(), Some(c.to_string()))
    };
    let mut grouped = String::new();
    let digits: Vec<char> = whole.chars().collect();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && c.is_ascii_digit() {
            grouped.push(',');
        }
        grouped.push(*c);
    }
    match cents {
        Some(c) => format!("{sign}${grouped}.{c}"),
        None => format!("{sign}${grouped}"),
    }
}

/// "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whole years and months between two days: "1 year and 3 months", "2 months", "12 days".
fn span(from: Date, to: Date) -> String {
    if to <= from {
        return "0 days".to_string();
    }
    let mut months = (to.year() - from.year()) * 12 + i32::from(u8::from(to.month()))
        - i32::from(u8::from(from.month()));
    if to.day() < from.day() {
        months -= 1;
    }
    let years = months / 12;
    let rest = months % 12;
    let plural = |n: i32, one: &str, many: &str| count(f64::from(n), one, many);
    match (years, rest) {
        (0, 0) => plural((to - from).whole_days() as i32, "day", "days"),
        (0, m) => plural(m, "month", "months"),
        (y, 0) => plural(y, "year", "years"),
        (y, m) => format!(
            "{} and {}",
            plural(y, "year", "years"),
            plural(m, "month", "months")
        ),
    }
}

/// "27 days ago" under two months, "5 months ago" beyond, "today" on the day.
fn ago(date: Date, as_of: Date) -> String {
    let days = (as_of - date).whole_days();
    match days {
        0 => "today".to_string(),
        d if d < 0 => format!("on {}", iso_date(date)),
        d if d < 60 => format!("{} ago", count(d as f64, "day", "days")),
        _ => format!("{} ago", span(date, as_of)),
    }
}

/// Cut at a word boundary, with an ellipsis, past `max` characters.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Lower-cases a leading capital unless the word is an acronym or a name-like token
/// ("Feature usage" → "feature usage", "CSAT" stays).
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            let rest: String = s.chars().skip(1).collect();
            a.to_lowercase().chain(rest.chars()).collect()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use time::macros::date;

    const AS_OF: Date = date!(2026 - 12 - 01);

    const HEADER: &str = "account_id,account_name,industry,country,plan_tier,seats,is_trial,\
customer_since,referral_source,status,mrr_usd,arr_usd,billing_frequency,auto_renew,\
next_renewal_date,upgrades_last_180d,downgrades_last_180d,tickets_last_90d,\
urgent_or_high_tickets_last_90d,escalations_last_90d,avg_resolution_hours_last_90d,\
avg_csat_last_180d,feature_usage_last_30d,feature_usage_prev_30d,usage_trend_pct,\
features_used_last_30d,feature_errors_last_30d,top_features_last_30d,last_churn_date,\
last_churn_reason,churn_feedback,success_manager,champion_name,champion_email,\
champion_phone,last_meeting_notes";

    /// Active, renewal in 20 days, usage down 65.8%, a churn event 27 days ago.
    const ROW_0: &str = "A-2e4581,Company_0,EdTech,US,Basic,9,FALSE,2026-09-15,partner,active,\
836,10032,monthly,TRUE,2026-12-21,1,0,1,1,0,19.0,,13,38,-65.8,1,0,feature_14,2026-11-04,\
competitor,,Mary Simpson,Jennifer Ray,jennifer.ray@company0.example.com,+1-500-388-4050x3488,\
Call with Jennifer Ray on 2026-11-28 about renewal timing. Jennifer asked us to send the \
follow-up to jennifer.ray@company0.example.com or call +1-500-388-4050x3488.";

    /// Churned in the CRM, yet MRR, auto-renew and a renewal in 3 days.
    const ROW_1: &str = "A-43a9e3,Company_1,FinTech,IN,Basic,18,FALSE,2025-07-16,other,churned,\
882,10584,monthly,TRUE,2026-12-04,0,0,0,0,0,,,12,15,-20.0,1,2,feature_11,,,,Valerie Cross,\
Clive Phillips,clive.phillips@company1.example.com,+44(0)8081570858,Call with Clive Phillips \
on 2026-11-21 about seat expansion. Clive asked us to send the follow-up to \
clive.phillips@company1.example.com or call +44(0)8081570858.";

    /// Usage up 420%, CSAT 4, 5 feature errors, a churn event yesterday.
    const ROW_2: &str = "A-0a282f,Company_2,DevTools,US,Basic,1,FALSE,2026-07-27,organic,active,\
98,1176,annual,TRUE,2027-11-26,1,1,1,0,0,18.0,4.0,78,15,420.0,6,5,\
feature_27;feature_18;feature_1,2026-11-30,support,too expensive,Jo Eimer-Rogner,Erdmute Eimer,\
erdmute.eimer@company2.example.com,+49 (0) 0608 829583,Call with Erdmute Eimer on 2026-11-14 \
about onboarding of a new team. Erdmute asked us to send the follow-up to \
erdmute.eimer@company2.example.com or call +49 (0) 0608 829583.";

    fn columns() -> Vec<&'static str> {
        HEADER.split(',').collect()
    }

    fn account_from_row(row: &str) -> Account {
        let header = columns();
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), header.len(), "row has one cell per column");
        let attributes: BTreeMap<String, AttrValue> = header
            .iter()
            .zip(&cells)
            .filter_map(|(h, c)| AttrValue::parse_cell(c).map(|v| (h.to_string(), v)))
            .collect();
        Account {
            account_id: cells[0].to_string(),
            attributes,
            as_of: Some(AS_OF),
        }
    }

    /// The sample tenant: Key Info is every column of the export.
    fn sample_config() -> TenantConfig {
        TenantConfig {
            key_info: columns().iter().map(|c| c.to_string()).collect(),
            ..TenantConfig::default()
        }
    }

    fn sections(row: &str) -> Vec<Section> {
        write_sections(&account_from_row(row), &sample_config(), AS_OF)
    }

    fn text_of(sections: &[Section], key: SectionKey) -> &str {
        &sections.iter().find(|s| s.key == key).unwrap().text
    }

    fn all_text(sections: &[Section]) -> String {
        sections
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every number written as digits (`10,032` → 10032; the sign is left out).
    fn numbers_in(text: &str) -> Vec<f64> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let mut token = String::new();
            while i < chars.len() {
                let c = chars[i];
                let joins = matches!(c, '.' | ',')
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                    && !token.is_empty();
                if c.is_ascii_digit() {
                    token.push(c);
                } else if joins {
                    if c == '.' {
                        token.push('.');
                    }
                } else {
                    break;
                }
                i += 1;
            }
            out.push(token.parse().unwrap());
        }
        out
    }

    /// The numbers a text about this row may contain: those in its cells and column names,
    /// the 1-5 CSAT scale, and the values computed from the row and the reference day.
    fn derivable(row: &str, computed: &[f64]) -> Vec<f64> {
        // Cell by cell: the CSV's own commas do not join numbers.
        let mut allowed: Vec<f64> = row.split(',').flat_map(numbers_in).collect();
        allowed.extend(numbers_in(HEADER));
        allowed.push(5.0);
        allowed.extend_from_slice(computed);
        allowed
    }

    fn underivable(text: &str, allowed: &[f64]) -> Vec<f64> {
        numbers_in(text)
            .into_iter()
            .filter(|n| !allowed.iter().any(|a| (a - n).abs() < 1e-9))
            .collect()
    }

    #[test]
    fn seven_sections_in_order_for_every_sample_row() {
        for row in [ROW_0, ROW_1, ROW_2] {
            let sections = sections(row);
            let keys: Vec<SectionKey> = sections.iter().map(|s| s.key).collect();
            assert_eq!(keys, SectionKey::ALL);
            for s in &sections {
                assert_eq!(s.title, s.key.title());
                assert!(!s.text.trim().is_empty(), "{:?} is empty", s.key);
                assert!(s.text.ends_with(['.', '!', '?']), "{:?}: {}", s.key, s.text);
                assert!(!s.text.contains("  "), "{:?}: {}", s.key, s.text);
                for k in &s.evidence {
                    assert!(columns().contains(&k.as_str()), "{k} is not an attribute");
                }
            }
        }
    }

    #[test]
    fn renewal_counts_the_days_from_the_reference_day() {
        let sections = sections(ROW_0);
        let renewal = &sections[5];
        assert_eq!(
            renewal.text,
            "Renews in 20 days, on 2026-12-21. Billed monthly; auto-renew is on."
        );
        assert_eq!(
            renewal.evidence,
            ["billing_frequency", "auto_renew", "next_renewal_date"]
        );
    }

    #[test]
    fn usage_states_the_trend_and_its_figures() {
        let s0 = sections(ROW_0);
        let usage = &s0[1];
        assert!(usage.text.contains("fell 65.8%"), "{}", usage.text);
        assert!(usage.text.contains("13 feature uses"), "{}", usage.text);
        assert!(usage.text.contains("from 38"), "{}", usage.text);
        assert!(usage.text.contains("feature_14"), "{}", usage.text);
        assert_eq!(
            usage.evidence,
            [
                "feature_usage_last_30d",
                "feature_usage_prev_30d",
                "usage_trend_pct",
                "features_used_last_30d",
                "feature_errors_last_30d",
                "top_features_last_30d"
            ]
        );
        let rising = sections(ROW_2);
        assert!(rising[1].text.contains("rose 420%"), "{}", rising[1].text);
        assert!(
            rising[1]
                .text
                .contains("feature_27, feature_18 and feature_1"),
            "{}",
            rising[1].text
        );
    }

    #[test]
    fn interactions_quote_only_the_first_sentence_of_the_notes() {
        let sections = sections(ROW_0);
        let text = text_of(&sections, SectionKey::Interactions);
        assert!(
            text.contains(
                "Last meeting: call with Jennifer Ray on 2026-11-28 about renewal timing."
            ),
            "{text}"
        );
        assert!(text.contains("Mary Simpson"), "{text}");
        // Contact details stay out of the summary.
        let all = all_text(&sections);
        assert!(!all.contains('@'), "{all}");
        assert!(!all.contains("4050"), "{all}");
    }

    #[test]
    fn risks_and_actions_rest_on_the_signals() {
        let s0 = sections(ROW_0);
        let risks = text_of(&s0, SectionKey::Risks);
        assert!(risks.contains("fell 65.8%"), "{risks}");
        assert!(
            risks.contains("27 days ago (2026-11-04), reason: competitor"),
            "{risks}"
        );
        let actions = text_of(&s0, SectionKey::NextActions);
        assert!(
            actions.starts_with(
                "Book a renewal call with Jennifer Ray before 2026-12-21 (auto-renew is on, but \
                 usage fell 65.8%"
            ),
            "{actions}"
        );
        let n = actions.matches(". ").count() + 1;
        assert!((2..=MAX_ACTIONS).contains(&n), "{actions}");

        // Churned in the CRM with an open subscription: inconsistent, worth checking.
        let s1 = sections(ROW_1);
        let risks = text_of(&s1, SectionKey::Risks);
        assert!(risks.contains("status is churned"), "{risks}");
        assert!(risks.contains("inconsistent and worth checking"), "{risks}");
        assert!(risks.contains("MRR $882"), "{risks}");
        assert!(text_of(&s1, SectionKey::NextActions).starts_with("Check the CRM record"));

        // CSAT is judged on its 1-5 scale; feedback is quoted.
        let s2 = sections(ROW_2);
        let sentiment = text_of(&s2, SectionKey::Sentiment);
        assert!(
            sentiment.contains("4 out of 5, which is positive"),
            "{sentiment}"
        );
        assert!(sentiment.contains("\"too expensive\""), "{sentiment}");
        let risks = text_of(&s2, SectionKey::Risks);
        assert!(risks.contains("5 feature errors"), "{risks}");
        assert!(risks.contains("1 day ago"), "{risks}");
    }

    #[test]
    fn every_number_comes_from_the_row_or_from_it_and_the_reference_day() {
        // Computed: days to renewal, days since churn, years/months as a customer.
        for (row, computed) in [
            (ROW_0, vec![20.0, 27.0, 2.0]),
            (ROW_1, vec![3.0, 1.0, 4.0]),
            (ROW_2, vec![360.0, 1.0, 4.0]),
        ] {
            let allowed = derivable(row, &computed);
            for s in sections(row) {
                let bad = underivable(&s.text, &allowed);
                assert!(bad.is_empty(), "{:?} invents {bad:?}: {}", s.key, s.text);
            }
        }
        // The check itself catches a made-up figure.
        let allowed = derivable(ROW_0, &[20.0]);
        assert_eq!(
            underivable("Renews in 37 days, ARR $10,032.", &allowed),
            [37.0]
        );
        assert!(underivable("ARR $10,032, MRR $836.", &allowed).is_empty());
    }

    #[test]
    fn attributes_outside_key_info_are_never_mentioned() {
        let account = account_from_row(ROW_0);
        let config = TenantConfig {
            key_info: vec![
                "account_name".into(),
                "plan_tier".into(),
                "seats".into(),
                "next_renewal_date".into(),
            ],
            ..TenantConfig::default()
        };
        let sections = write_sections(&account, &config, AS_OF);
        assert_eq!(sections.len(), 7);
        let all = all_text(&sections);
        for absent in [
            "EdTech",
            "US",
            "Jennifer",
            "Mary",
            "feature_14",
            "836",
            "10,032",
            "competitor",
            "19 hours",
            "monthly",
            "uto-renew",
            "65.8",
            "partner",
            "active",
            "2026-09-15",
            "2026-11-04",
            "trial",
            "Other details",
        ] {
            assert!(!all.contains(absent), "{absent:?} leaked into: {all}");
        }
        assert_eq!(
            sections[0].text,
            "Company_0 is on the Basic plan with 9 seats."
        );
        assert_eq!(sections[5].text, "Renews in 20 days, on 2026-12-21.");
        assert_eq!(
            sections[1].text,
            "No product usage is recorded in the available data."
        );
        assert_eq!(
            sections[2].text,
            "No support interactions are recorded in the available data."
        );
        for s in &sections {
            for k in &s.evidence {
                assert!(config.key_info.contains(k), "{k} is not in Key Info");
            }
        }
        assert_eq!(sections[0].evidence, ["account_name", "plan_tier", "seats"]);
    }

    #[test]
    fn an_account_without_attributes_gets_seven_plain_no_data_sections() {
        let account = Account {
            account_id: "A-empty".into(),
            attributes: BTreeMap::new(),
            as_of: None,
        };
        for config in [TenantConfig::default(), sample_config()] {
            let sections = write_sections(&account, &config, AS_OF);
            let keys: Vec<SectionKey> = sections.iter().map(|s| s.key).collect();
            assert_eq!(keys, SectionKey::ALL);
            for s in &sections {
                assert!(s.text.starts_with("No "), "{:?}: {}", s.key, s.text);
                assert_eq!(s.text.matches('.').count(), 1, "one sentence: {}", s.text);
                assert!(s.evidence.is_empty());
                assert!(!s.text.contains("A-empty"));
            }
        }
    }

    #[test]
    fn unknown_attributes_are_listed_as_other_details() {
        let mut attributes = BTreeMap::new();
        for (k, v) in [
            ("account_name", "  Acme    Corp "),
            ("health_score", "72"),
            ("contract_type", "Enterprise   MSA"),
            ("billing_contact_email", "ap@acme.example.com"),
            ("seats", "12 seats"),
            ("a1", "x"),
            ("a2", "y"),
            ("a3", "z"),
            ("a4", "TRUE"),
            ("a5", "2026-01-02"),
        ] {
            attributes.insert(k.to_string(), AttrValue::parse_cell(v).unwrap());
        }
        let account = Account {
            account_id: "X-1".into(),
            attributes,
            as_of: None,
        };
        let config = TenantConfig {
            key_info: [
                "account_name",
                "health_score",
                "contract_type",
                "billing_contact_email",
                "seats",
                "a1",
                "a2",
                "a3",
                "a4",
                "a5",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            ..TenantConfig::default()
        };
        let sections = write_sections(&account, &config, AS_OF);
        let overview = &sections[0];
        assert_eq!(
            overview.text,
            "Account: Acme Corp. Other details: health score: 72; contract type: Enterprise MSA; \
             seats: 12 seats; a1: x; a2: y; a3: z (and 2 more in Key Info)."
        );
        assert!(!all_text(&sections).contains("ap@acme"));
        assert_eq!(
            overview.evidence,
            [
                "account_name",
                "health_score",
                "contract_type",
                "seats",
                "a1",
                "a2",
                "a3"
            ]
        );
        // Nothing else is invented for the other sections.
        assert_eq!(
            sections[1].text,
            "No product usage is recorded in the available data."
        );
    }

    #[test]
    fn messy_values_are_tidied_and_still_read() {
        let mut account = account_from_row(ROW_0);
        for (k, v) in [
            ("plan_tier", AttrValue::Text("  Basic   Plan ".into())),
            ("mrr_usd", AttrValue::Text("$1,234.5".into())),
            ("auto_renew", AttrValue::Text(" no ".into())),
        ] {
            account.attributes.insert(k.into(), v);
        }
        let sections = write_sections(&account, &sample_config(), AS_OF);
        assert!(
            sections[0]
                .text
                .contains("is on the Basic Plan with 9 seats")
        );
        assert!(
            sections[0].text.contains("MRR $1,234.50"),
            "{}",
            sections[0].text
        );
        assert!(
            sections[4].text.contains("Auto-renew is off"),
            "{}",
            sections[4].text
        );
    }

    #[test]
    fn a_past_renewal_date_is_overdue() {
        let account = account_from_row(ROW_0);
        let sections = write_sections(&account, &sample_config(), date!(2027 - 01 - 01));
        let renewal = &sections[5].text;
        assert!(
            renewal.contains("2026-12-21, passed 11 days ago"),
            "{renewal}"
        );
        assert!(renewal.contains("overdue"), "{renewal}");
        assert!(
            sections[4]
                .text
                .starts_with("The renewal date 2026-12-21 passed 11 days ago")
        );
        assert!(
            sections[6]
                .text
                .starts_with("Confirm with Jennifer Ray whether the renewal due on 2026-12-21"),
            "{}",
            sections[6].text
        );
    }

    #[test]
    fn a_quiet_healthy_account_says_so() {
        let mut attributes = BTreeMap::new();
        for (k, v) in [
            ("champion_name", "Ana Silva"),
            ("avg_csat_last_180d", "4.8"),
            ("feature_usage_last_30d", "40"),
            ("feature_usage_prev_30d", "38"),
            ("auto_renew", "TRUE"),
            ("next_renewal_date", "2027-06-01"),
        ] {
            attributes.insert(k.to_string(), AttrValue::parse_cell(v).unwrap());
        }
        let account = Account {
            account_id: "H-1".into(),
            attributes,
            as_of: None,
        };
        let sections = write_sections(&account, &TenantConfig::default(), AS_OF);
        assert_eq!(sections[4].text, "No risk signals in the available data.");
        assert!(
            sections[3]
                .text
                .contains("4.8 out of 5, which is very positive")
        );
        // The trend is computed when not given: (40 - 38) / 38 = 5.3%.
        assert!(
            sections[1].text.contains("rose 5.3%"),
            "{}",
            sections[1].text
        );
        assert_eq!(
            sections[6].text,
            "Plan the renewal conversation with Ana Silva ahead of 2027-06-01 (in 182 days). \
             Keep the regular check-in cadence with Ana Silva: no risk signals stand out."
        );
    }

    #[test]
    fn wording_helpers() {
        assert_eq!(usd(10032.0), "$10,032");
        assert_eq!(usd(836.0), "$836");
        assert_eq!(usd(1234567.25), "$1,234,567.25");
        assert_eq!(pct(-65.8), "65.8%");
        assert_eq!(signed_pct(420.0), "+420%");
        assert_eq!(span(date!(2025 - 07 - 16), AS_OF), "1 year and 4 months");
        assert_eq!(span(date!(2026 - 09 - 15), AS_OF), "2 months");
        assert_eq!(span(date!(2025 - 12 - 01), AS_OF), "1 year");
        assert_eq!(span(date!(2026 - 11 - 19), AS_OF), "12 days");
        assert_eq!(ago(date!(2026 - 11 - 04), AS_OF), "27 days ago");
        assert_eq!(
            meeting_gist("Met Dr. Lee on 2026-11-02 about pricing. Next: send the deck."),
            "met Dr. Lee on 2026-11-02 about pricing."
        );
        assert_eq!(
            meeting_gist("Jennifer called about renewal timing"),
            "Jennifer called about renewal timing"
        );
    }
}
