//! The `App` a function's handler holds, built for one test: the real service over the test's
//! table, with the offline engine or the OpenAI engine pointed at a scripted server.

use std::time::Duration;

use summary_core::config::App;
use summary_core::engine::Engine;
use summary_core::engine::openai::{OpenAiEngine, OpenAiSettings};
use summary_core::http::ClaimNames;
use summary_core::secrets::{ApiKeySource, SecretKey};
use summary_core::service::{FlightSettings, SummaryService};

use crate::llm::ScriptedLlm;
use crate::moto::TestTable;

/// The model name test deployments configure.
pub const TEST_MODEL: &str = "test-model-mini";

/// Builds an [`App`]. Defaults: offline engine, tenant claim `tenant_id`, and a tenant cache
/// TTL of zero so that a test flipping a tenant's config sees the change at once.
pub struct AppBuilder<'a> {
    table: &'a TestTable,
    engine: Option<Engine>,
    tenant_claim: String,
    tenant_cache_ttl: Duration,
    flight: Option<FlightSettings>,
}

impl<'a> AppBuilder<'a> {
    pub fn new(table: &'a TestTable) -> AppBuilder<'a> {
        AppBuilder {
            table,
            engine: None,
            tenant_claim: "tenant_id".to_string(),
            tenant_cache_ttl: Duration::ZERO,
            flight: None,
        }
    }

    /// The OpenAI engine against `llm`, with its expected key given directly.
    pub fn openai(self, llm: &ScriptedLlm) -> AppBuilder<'a> {
        let key = ApiKeySource::Static(llm.api_key().to_string());
        self.openai_with(key, openai_settings(llm))
    }

    /// The OpenAI engine against `llm`, its key read from Secrets Manager (moto).
    pub fn openai_with_secret(self, llm: &ScriptedLlm, secret_id: &str) -> AppBuilder<'a> {
        let key = ApiKeySource::SecretsManager(SecretKey::new(
            aws_sdk_secretsmanager::Client::new(&self.table.sdk),
            secret_id,
        ));
        self.openai_with(key, openai_settings(llm))
    }

    /// The OpenAI engine with settings and key of the test's choosing.
    pub fn openai_with(mut self, key: ApiKeySource, settings: OpenAiSettings) -> AppBuilder<'a> {
        self.engine = Some(Engine::OpenAi(OpenAiEngine::new(settings, key)));
        self
    }

    pub fn tenant_claim(mut self, claim: &str) -> AppBuilder<'a> {
        self.tenant_claim = claim.to_string();
        self
    }

    pub fn tenant_cache_ttl(mut self, ttl: Duration) -> AppBuilder<'a> {
        self.tenant_cache_ttl = ttl;
        self
    }

    /// Single-flight and hard-refresh timing (default: production's).
    pub fn flight(mut self, flight: FlightSettings) -> AppBuilder<'a> {
        self.flight = Some(flight);
        self
    }

    /// No hard-refresh limit: for tests that refresh one account several times in a row.
    pub fn unlimited_hard_refresh(self) -> AppBuilder<'a> {
        self.flight(FlightSettings {
            hard_refresh_interval: time::Duration::ZERO,
            ..FlightSettings::default()
        })
    }

    pub fn build(self) -> App {
        let service =
            SummaryService::new(self.table.store(), self.engine.unwrap_or(Engine::Offline))
                .with_tenant_cache_ttl(self.tenant_cache_ttl)
                .with_flight_settings(self.flight.unwrap_or_default());
        App {
            service,
            claims: ClaimNames {
                tenant: self.tenant_claim,
            },
        }
    }
}

/// Settings pointing at the scripted server: its base URL, [`TEST_MODEL`], and a deadline
/// long enough never to fire in a test that does not ask for it.
pub fn openai_settings(llm: &ScriptedLlm) -> OpenAiSettings {
    OpenAiSettings {
        base_url: llm.base_url(),
        model: TEST_MODEL.to_string(),
        deadline: Duration::from_secs(30),
    }
}

/// The offline engine over the test's table.
pub fn offline_app(table: &TestTable) -> App {
    AppBuilder::new(table).build()
}

/// The OpenAI engine against `llm` over the test's table.
pub fn openai_app(table: &TestTable, llm: &ScriptedLlm) -> App {
    AppBuilder::new(table).openai(llm).build()
}
