//! Reading the model's answer: seven sections of JSON, names restored, evidence checked.

use serde::Deserialize;

use crate::deid::Pseudonyms;
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
/// restored and evidence limited to attribute keys that were actually sent.
pub fn parse_sections(
    content: &str,
    pseudonyms: &Pseudonyms,
    sent_keys: &[&str],
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
            let mut evidence: Vec<String> = section
                .evidence
                .into_iter()
                .filter(|k| sent_keys.contains(&k.as_str()))
                .collect();
            evidence.dedup();
            Ok(Section::new(*key, pseudonyms.restore(text), evidence))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deid::EntityKind;

    fn answer(overview: &str) -> String {
        let mut map = serde_json::Map::new();
        for key in SectionKey::ALL {
            map.insert(
                key.as_str().into(),
                serde_json::json!({"text": format!("{} text", key.as_str()), "evidence": ["seats", "made_up"]}),
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
        let sections =
            parse_sections(&answer("PERSON_1 is the champion."), &p, &["seats"]).unwrap();
        assert_eq!(sections.len(), 7);
        assert_eq!(sections[0].text, "Jennifer Ray is the champion.");
        assert_eq!(sections[6].key, SectionKey::NextActions);
        assert_eq!(sections[1].evidence, vec!["seats".to_string()]);
    }

    #[test]
    fn truncated_or_incomplete_answers_are_errors() {
        let p = Pseudonyms::default();
        let full = answer("ok");
        assert_eq!(
            parse_sections(&full[..full.len() / 2], &p, &[]),
            Err(AnswerError::Malformed)
        );
        assert_eq!(
            parse_sections(r#"{"overview": {"text": "x", "evidence": []}}"#, &p, &[]),
            Err(AnswerError::MissingSection("usage_engagement"))
        );
        assert_eq!(
            parse_sections(&answer("  "), &p, &[]),
            Err(AnswerError::MissingSection("overview"))
        );
    }
}
