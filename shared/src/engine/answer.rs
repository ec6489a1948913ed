//! Reading the model's answer: seven sections of JSON, names restored, evidence checked.

use serde::Deserialize;

use crate::deid::Pseudonyms;
use crate::prompt::EvidenceLabels;
use crate::summary::{Section, SectionKey};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the answer is not JSON of the expected shape")]
    Malformed,
    #[error("section {0} is missing or empty")]
    MissingSection(&'static str),
}

#[derive(Deserialize)]
struct RawSection {
    text: String,
    #[serde(default)]
    evidence: Vec<String>,
}

/// Parses the JSON content of the answer into the seven sections, in order, with real names
/// restored, and the evidence's labels turned back into the keys of attributes that were
/// actually sent (anything else cited is dropped).
pub fn parse_sections(
    content: &str,
    pseudonyms: &Pseudonyms,
    labels: &EvidenceLabels,
) -> Result<Vec<Section>, AnswerError> {
    let mut raw: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(content.trim()).map_err(|_| AnswerError::Malformed)?;
    SectionKey::ALL
        .iter()
        .map(|key| {
            let value = raw
                .remove(key.as_str())
                .ok_or(AnswerError::MissingSection(key.as_str()))?;
            let section: RawSection =
                serde_json::from_value(value).map_err(|_| AnswerError::Malformed)?;
            let text = section.text.trim();
            if text.is_empty() {
                return Err(AnswerError::MissingSection(key.as_str()));
            }
            let mut evidence: Vec<String> = Vec::new();
            for key in section.evidence.iter().filter_map(|c| labels.key_for(c)) {
                if !evidence.iter().any(|k| k == key) {
                    evidence.push(key.to_string());
                }
            }
            Ok(Section::new(*key, pseudonyms.restore(text), evidence))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deid::policy::Treatment;
    use crate::deid::{EntityKind, SafeAttribute};

    fn sent(keys: &[&str]) -> EvidenceLabels {
        let attributes: Vec<SafeAttribute> = keys
            .iter()
            .map(|k| SafeAttribute {
                name: k.to_string(),
                value: "1".into(),
                treatment: Treatment::Keep,
                free_text: false,
            })
            .collect();
        EvidenceLabels::of(&attributes)
    }

    fn answer(overview: &str) -> String {
        let mut map = serde_json::Map::new();
        for key in SectionKey::ALL {
            map.insert(
                key.as_str().into(),
                serde_json::json!({"text": format!("{} text", key.as_str()), "evidence": ["tickets", "made_up", "seats", "tickets_last_90d"]}),
            );
        }
        map.insert(
            "overview".into(),
            serde_json::json!({"text": overview, "evidence": ["seats"]}),
        );
        serde_json::Value::Object(map).to_string()
    }

    #[test]
    fn sections_come_back_in_order_with_names_restored() {
        let mut p = Pseudonyms::default();
        p.token_for(EntityKind::Person, "Jennifer Ray");
        let labels = sent(&["seats", "tickets_last_90d"]);
        let sections = parse_sections(&answer("PERSON_1 is the champion."), &p, &labels).unwrap();
        assert_eq!(sections.len(), 7);
        assert_eq!(sections[0].text, "Jennifer Ray is the champion.");
        assert_eq!(sections[6].key, SectionKey::NextActions);
        // Labels become keys; the unknown one is dropped, a key cited twice kept once.
        assert_eq!(sections[1].evidence, ["tickets_last_90d", "seats"]);
    }

    #[test]
    fn truncated_or_incomplete_answers_are_errors() {
        let p = Pseudonyms::default();
        let full = answer("ok");
        assert_eq!(
            parse_sections(&full[..full.len() / 2], &p, &sent(&[])),
            Err(AnswerError::Malformed)
        );
        assert_eq!(
            parse_sections(
                r#"{"overview": {"text": "x", "evidence": []}}"#,
                &p,
                &sent(&[])
            ),
            Err(AnswerError::MissingSection("usage_engagement"))
        );
        assert_eq!(
            parse_sections(&answer("  "), &p, &sent(&[])),
            Err(AnswerError::MissingSection("overview"))
        );
    }
}
