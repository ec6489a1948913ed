//! Grounding: every number and date in a summary must come from the input. A figure the
//! model wrote that appears nowhere in what it was given is reported, never silently kept.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::deid::TOKEN_PATTERN;

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}|\d+(?:[.,]\d+)*").expect("figure pattern compiles")
});

/// Figures (numbers, ISO dates) in `text` that the input does not contain, in order of
/// appearance, without repeats. Tokens (PERSON_1) are not figures. A rounded or unsigned
/// form of an input number counts as grounded ("-65.8" grounds "66" and "65.8").
pub fn ungrounded_figures(text: &str, input: &str) -> Vec<String> {
    let allowed = grounded_forms(input);
    let without_tokens = TOKEN_PATTERN.replace_all(text, " ");
    let mut seen = HashSet::new();
    FIGURE
        .find_iter(&without_tokens)
        .map(|m| m.as_str().trim_end_matches(['.', ',']).to_string())
        .filter(|figure| !allowed.contains(&normalize(figure)))
        .filter(|figure| seen.insert(figure.clone()))
        .collect()
}

fn normalize(figure: &str) -> String {
    if figure.len() == 10 && figure.as_bytes()[4] == b'-' {
        return figure.to_string();
    }
    let plain = figure.replace(',', "");
    match plain.parse::<f64>() {
        Ok(n) => crate::attributes::format_number(n),
        Err(_) => plain,
    }
}

fn grounded_forms(input: &str) -> HashSet<String> {
    let without_tokens = TOKEN_PATTERN.replace_all(input, " ");
    let mut forms = HashSet::new();
    for m in FIGURE.find_iter(&without_tokens) {
        let figure = m.as_str();
        forms.insert(normalize(figure));
        if let Ok(n) = figure.replace(',', "").parse::<f64>() {
            for v in [n.round(), n.floor(), n.ceil(), (n * 10.0).round() / 10.0] {
                forms.insert(crate::attributes::format_number(v));
            }
        }
        if figure.len() == 10 && figure.as_bytes()[4] == b'-' {
            // A summary may name a date's year alone ("renews in 2027").
            forms.insert(normalize(&figure[..4]));
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: &str = "As of 2026-12-01:\naccount: seats=9\ncontract: renewal=2026-12-21 (+20d)\nlast 30d: usage_trend_pct=-65.8 (vs the 30d before)\nlast 90d: resolution_hours=19.0; tickets=1,234\n";

    #[test]
    fn figures_from_the_input_and_their_roundings_are_grounded() {
        let text = "9 seats; usage fell 65.8% (about 66%); renewal on 2026-12-21, in 20 days; tickets 1,234 resolved in 19 hours by PERSON_2 in 2026.";
        assert_eq!(ungrounded_figures(text, INPUT), Vec::<String>::new());
    }

    #[test]
    fn invented_figures_are_reported_once() {
        let text = "Usage fell 40% and 40% again; renewal on 2027-01-05 for 12 seats.";
        assert_eq!(
            ungrounded_figures(text, INPUT),
            vec!["40".to_string(), "2027-01-05".to_string(), "12".to_string()]
        );
    }
}
