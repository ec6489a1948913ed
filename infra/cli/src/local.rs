//! The commands that work on one account file, with no AWS service: `prompt` (what would
//! leave for the LLM), `summarize` (a summary from either engine) and `export-account` (an
//! account file from a CSV row).

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use summary_core::attributes::Account;
use summary_core::cache_policy::ttl_for;
use summary_core::config::Settings;
use summary_core::csv_import::read_accounts;
use summary_core::deid::deidentify;
use summary_core::engine::openai::OpenAiEngine;
use summary_core::engine::{Engine, Generated};
use summary_core::prompt::request_body;
use summary_core::secrets::ApiKeySource;
use summary_core::summary::Summary;
use summary_core::tenant::TenantConfig;

/// Reads an account file: `{"account_id": "...", "attributes": {...}, "as_of": "YYYY-MM-DD"?}`.
pub fn read_account_file(path: &Path) -> anyhow::Result<Account> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read account file {}", path.display()))?;
    let account: Account = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an account file ({{\"account_id\": \"...\", \"attributes\": {{...}}}})",
            path.display()
        )
    })?;
    anyhow::ensure!(
        summary_core::ids::is_valid_id(&account.account_id),
        "{}: account_id must be 1-128 letters, digits or -_.:@ characters",
        path.display()
    );
    Ok(account)
}

/// Reads a tenant config file (fields of `TenantConfig`, all optional); none: the defaults
/// (every attribute is Key Info, default de-identification, the deployment's model).
pub fn read_tenant_config(path: Option<&Path>) -> anyhow::Result<TenantConfig> {
    let Some(path) = path else {
        return Ok(TenantConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read tenant config {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a tenant config file", path.display()))
}

/// The day relative dates count from: the flag, else the account's export day, else today.
pub fn reference_day(account: &Account, as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(|| summary_core::service::reference_day(account))
}

/// The OpenAI engine as a deployment configures it (`OPENAI_BASE_URL`, `OPENAI_MODEL`,
/// `GENERATION_DEADLINE_MS`), with the key given directly.
pub fn openai_engine(settings: &Settings, key: ApiKeySource) -> OpenAiEngine {
    OpenAiEngine::new(settings.openai.clone(), key)
}

/// The exact Chat Completions body the LLM engine would send for `account`, and whether the
/// engine's de-identification guard would let it leave (`Err` holds the guard's code).
pub fn prompt_body(
    account: &Account,
    config: &TenantConfig,
    as_of: Date,
    settings: &Settings,
) -> (Value, Result<(), &'static str>) {
    let engine = openai_engine(settings, ApiKeySource::Static(String::new()));
    let deid = deidentify(account, config);
    let body = request_body(&deid, as_of, &engine.model_call(config));
    let guard = deid.guard(&body.to_string()).map_err(|v| v.code);
    (body, guard)
}

/// Which engine writes a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    /// From the attributes alone, no network.
    Offline,
    /// An OpenAI-compatible Chat Completions API (`OPENAI_API_KEY`, `OPENAI_BASE_URL`).
    Openai,
}

/// The engine to use: as asked, else OpenAI when a key is set, else offline.
pub fn choose_engine(asked: Option<EngineChoice>, api_key: Option<&str>) -> EngineChoice {
    asked.unwrap_or(if api_key.is_some_and(|k| !k.trim().is_empty()) {
        EngineChoice::Openai
    } else {
        EngineChoice::Offline
    })
}

/// A summary of `account`, written by the chosen engine and shaped as the API stores it.
pub async fn summarize(
    account: &Account,
    config: &TenantConfig,
    as_of: Date,
    choice: EngineChoice,
    api_key: Option<String>,
    settings: &Settings,
) -> anyhow::Result<Summary> {
    let engine = match choice {
        EngineChoice::Offline => Engine::Offline,
        EngineChoice::Openai => {
            let key = api_key
                .filter(|k| !k.trim().is_empty())
                .context("--engine openai needs OPENAI_API_KEY")?;
            Engine::OpenAi(openai_engine(
                settings,
                ApiKeySource::Static(key.trim().to_string()),
            ))
        }
    };
    // The same engine as the functions: a model that fails gives the offline summary, marked
    // `fallback`, and the reason is logged (as a code) on stderr.
    let generated: Generated = engine.generate(account, config, as_of).await;
    let now = OffsetDateTime::now_utc();
    Ok(Summary {
        summary_id: ulid::Ulid::new().to_string(),
        account_id: account.account_id.clone(),
        generated_at: now,
        expires_at: now + ttl_for(generated.source),
        source: generated.source,
        model: generated.model,
        prompt_version: generated.prompt_version,
        input_hash: engine.input_hash(account, config, as_of),
        sections: generated.sections,
        usage: generated.usage,
        ungrounded: generated.ungrounded,
        likes: 0,
        dislikes: 0,
        last_viewed_on: None,
    })
}

/// The account of one CSV row, as an account file would hold it.
pub fn export_account(
    input: impl Read,
    id_column: &str,
    account_id: &str,
    as_of: Date,
) -> anyhow::Result<Account> {
    let (accounts, skipped) = read_accounts(input, id_column, as_of)?;
    if let Some(account) = accounts.into_iter().find(|a| a.account_id == account_id) {
        return Ok(account);
    }
    if skipped.is_empty() {
        bail!("no row has {id_column} {account_id:?}");
    }
    let lines: Vec<String> = skipped.iter().map(|e| e.line.to_string()).collect();
    bail!(
        "no readable row has {id_column} {account_id:?} (unreadable rows skipped at lines {})",
        lines.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use summary_core::summary::{SectionKey, Source};
    use time::macros::date;

    const CSV: &str = "account_id,account_name,plan_tier,seats,next_renewal_date,champion_name,champion_email\n\
        A-1,Company_0,Basic,9,2026-12-21,Jennifer Ray,jennifer.ray@company0.example.com\n\
        A-2,Company_1,Pro,18,2027-01-10,,\n";

    fn settings() -> Settings {
        Settings::from_lookup(|_| None)
    }

    #[test]
    fn export_finds_the_row_and_types_its_cells() {
        let account =
            export_account(CSV.as_bytes(), "account_id", "A-1", date!(2026 - 12 - 01)).unwrap();
        assert_eq!(account.number("seats"), Some(9.0));
        assert_eq!(
            account.date("next_renewal_date"),
            Some(date!(2026 - 12 - 21))
        );
        assert_eq!(account.as_of, Some(date!(2026 - 12 - 01)));
        let err =
            export_account(CSV.as_bytes(), "account_id", "A-9", date!(2026 - 12 - 01)).unwrap_err();
        assert!(err.to_string().contains("A-9"), "{err}");
    }

    #[test]
    fn the_prompt_is_deterministic_and_carries_no_names() {
        let account =
            export_account(CSV.as_bytes(), "account_id", "A-1", date!(2026 - 12 - 01)).unwrap();
        let as_of = reference_day(&account, None);
        assert_eq!(as_of, date!(2026 - 12 - 01));
        let (body, guard) = prompt_body(&account, &TenantConfig::default(), as_of, &settings());
        let (again, _) = prompt_body(&account, &TenantConfig::default(), as_of, &settings());
        assert_eq!(body.to_string(), again.to_string());
        assert_eq!(guard, Ok(()));
        let text = body.to_string();
        for secret in ["Company_0", "Jennifer", "Ray", "jennifer.ray@"] {
            assert!(!text.contains(secret), "{secret} leaked");
        }
        assert_eq!(body["model"], summary_core::engine::openai::DEFAULT_MODEL);
        assert!(
            text.contains("renewal=2026-12-21 (+20d)"),
            "relative dates from as_of"
        );
    }

    #[test]
    fn the_engine_defaults_to_openai_only_with_a_key() {
        assert_eq!(choose_engine(None, None), EngineChoice::Offline);
        assert_eq!(choose_engine(None, Some(" ")), EngineChoice::Offline);
        assert_eq!(choose_engine(None, Some("sk-x")), EngineChoice::Openai);
        assert_eq!(
            choose_engine(Some(EngineChoice::Offline), Some("sk-x")),
            EngineChoice::Offline
        );
    }

    #[tokio::test]
    async fn an_offline_summary_has_the_seven_sections() {
        let account =
            export_account(CSV.as_bytes(), "account_id", "A-2", date!(2026 - 12 - 01)).unwrap();
        let summary = summarize(
            &account,
            &TenantConfig::default(),
            date!(2026 - 12 - 01),
            EngineChoice::Offline,
            None,
            &settings(),
        )
        .await
        .unwrap();
        assert_eq!(summary.source, Source::Fallback);
        let keys: Vec<SectionKey> = summary.sections.iter().map(|s| s.key).collect();
        assert_eq!(keys, SectionKey::ALL);
        let err = summarize(
            &account,
            &TenantConfig::default(),
            date!(2026 - 12 - 01),
            EngineChoice::Openai,
            None,
            &settings(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("OPENAI_API_KEY"));
    }
}
