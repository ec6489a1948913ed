//! Generation engines: the LLM over an OpenAI-compatible API, and the offline engine that
//! writes from the attributes alone (used without an LLM, and as the fallback).

pub mod answer;
pub mod grounding;
pub mod offline;
pub mod openai;

use sha2::{Digest, Sha256};
use time::Date;

use crate::attributes::Account;
use crate::deid::deidentify;
use crate::prompt::{PROMPT_VERSION, user_message};
use crate::summary::{Section, Source, TokenUsage};
use crate::tenant::TenantConfig;
use openai::OpenAiEngine;

/// What an engine produced, before it becomes a stored summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub sections: Vec<Section>,
    pub source: Source,
    pub model: Option<String>,
    pub prompt_version: String,
    pub usage: Option<TokenUsage>,
    /// Figures in the text that the input does not contain (after one regeneration).
    pub ungrounded: Vec<String>,
}

/// The prompt version recorded for summaries the offline engine writes.
pub const OFFLINE_VERSION: &str = "offline-1";

pub enum Engine {
    Offline,
    OpenAi(OpenAiEngine),
}

impl Engine {
    /// A summary for `account`, always: when the LLM fails, the offline engine answers and
    /// the reason is logged as a code.
    pub async fn generate(
        &self,
        account: &Account,
        config: &TenantConfig,
        as_of: Date,
    ) -> Generated {
        match self {
            Engine::Offline => offline_summary(account, config, as_of),
            Engine::OpenAi(llm) => {
                let mut usage = TokenUsage::default();
                match llm
                    .generate_counting(account, config, as_of, &mut usage)
                    .await
                {
                    Ok(generated) => generated,
                    Err(err) => {
                        tracing::warn!(
                            account_id = %account.account_id,
                            reason = err.code(),
                            "LLM generation failed; serving the offline summary"
                        );
                        // Answers that were unusable were billed all the same.
                        let mut fallback = offline_summary(account, config, as_of);
                        if usage != TokenUsage::default() {
                            fallback.usage = Some(usage);
                        }
                        fallback
                    }
                }
            }
        }
    }

    /// The model name summaries from this engine carry.
    pub fn model_for(&self, config: &TenantConfig) -> Option<String> {
        match self {
            Engine::Offline => None,
            Engine::OpenAi(llm) => Some(llm.model_call(config).model),
        }
    }

    /// A hash of everything a generation depends on: the de-identified input, the reference
    /// day, the prompt version and the model. Equal hashes mean regenerating is wasted work.
    pub fn input_hash(&self, account: &Account, config: &TenantConfig, as_of: Date) -> String {
        let deid = deidentify(account, config);
        let mut hasher = Sha256::new();
        hasher.update(PROMPT_VERSION.as_bytes());
        hasher.update([0]);
        hasher.update(self.model_for(config).unwrap_or_default().as_bytes());
        hasher.update([0]);
        hasher.update(user_message(&deid, as_of).as_bytes());
        let digest = hasher.finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

pub fn offline_summary(account: &Account, config: &TenantConfig, as_of: Date) -> Generated {
    Generated {
        sections: offline::write_sections(account, config, as_of),
        source: Source::Fallback,
        model: None,
        prompt_version: OFFLINE_VERSION.to_string(),
        usage: None,
        ungrounded: Vec::new(),
    }
}
