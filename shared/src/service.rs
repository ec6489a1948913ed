//! The use cases behind the three routes and the schedule, as plain async functions over the
//! store and the engine. Handlers turn requests into these calls and results into responses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::stream::{self, StreamExt};
use std::time::{Duration as StdDuration, Instant};
use tokio::sync::Semaphore;

use serde::Deserialize;
use time::{Date, OffsetDateTime};

use crate::attributes::Account;
use crate::cache_policy::{is_servable, may_replace, ttl_for};
use crate::engine::Engine;
use crate::error::{ApiError, ErrorCode};
use crate::ids::is_valid_id;
use crate::store::{DueSummary, Store, StoreError};
use crate::summary::{FeedbackView, Summary, SummaryView, Vote};
use crate::tenant::TenantConfig;

/// Who is asking, from the verified token's claims only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub tenant_id: String,
    pub user_id: String,
    pub roles: Vec<String>,
}

/// How long a tenant's config is trusted before it is read again: an admin's change is seen
/// by every function within this time.
pub const DEFAULT_TENANT_CACHE_TTL: StdDuration = StdDuration::from_secs(30);

/// The longest comment a vote may carry.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// Timing of single-flight generation and hard-refresh limits.
#[derive(Debug, Clone)]
pub struct FlightSettings {
    /// How long a generation lease holds; longer than any generation may take.
    pub lease: time::Duration,
    /// How long a request waits on another's generation: well under API Gateway's 29 s.
    pub wait_limit: StdDuration,
    pub poll_interval: StdDuration,
    /// One hard refresh per account per interval.
    pub hard_refresh_interval: time::Duration,
    /// The scheduled refresh keeps summaries warm only if viewed within this many days.
    pub keep_warm_for: time::Duration,
}

impl Default for FlightSettings {
    fn default() -> Self {
        FlightSettings {
            lease: time::Duration::seconds(30),
            wait_limit: StdDuration::from_secs(24),
            poll_interval: StdDuration::from_millis(200),
            hard_refresh_interval: time::Duration::seconds(60),
            keep_warm_for: time::Duration::days(7),
        }
    }
}

pub struct SummaryService {
    store: Store,
    engine: Engine,
    flight: FlightSettings,
    tenant_cache_ttl: StdDuration,
    tenants: Mutex<HashMap<String, (Instant, TenantConfig)>>,
    /// The CloudWatch namespace of the generation metrics.
    metrics_namespace: String,
}

fn unavailable(err: StoreError) -> ApiError {
    tracing::error!(error = %err, "store request failed");
    ApiError::unavailable()
}

/// The body of a feedback POST.
#[derive(Debug, Deserialize)]
pub struct FeedbackRequest {
    pub summary_id: String,
    pub vote: String,
    #[serde(default)]
    pub comment: Option<String>,
}

impl FeedbackRequest {
    /// Parses and validates a feedback body; every problem is a 400 that says what is wrong.
    pub fn parse(body: &[u8]) -> Result<(String, Option<Vote>, Option<String>), ApiError> {
        let req: FeedbackRequest = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "The body must be JSON {{\"summary_id\": \"...\", \"vote\": \"like\"|\"dislike\"|\"none\", \"comment\": \"...\"}}: {}",
                e.to_string().split(" at line").next().unwrap_or_default()
            ))
        })?;
        if !is_valid_id(&req.summary_id) {
            return Err(ApiError::bad_request("summary_id is not a valid id."));
        }
        let vote = match req.vote.as_str() {
            "none" => None,
            other => Some(Vote::parse(other).ok_or_else(|| {
                ApiError::bad_request("vote must be \"like\", \"dislike\" or \"none\".")
            })?),
        };
        if req
            .comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
        {
            return Err(ApiError::bad_request(format!(
                "comment is longer than {MAX_COMMENT_CHARS} characters."
            )));
        }
        Ok((req.summary_id, vote, req.comment))
    }
}

fn check_account_id(account_id: &str) -> Result<(), ApiError> {
    if is_valid_id(account_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "The account id must be 1-128 letters, digits or -_.:@ characters.",
        ))
    }
}

impl SummaryService {
    pub fn new(store: Store, engine: Engine) -> SummaryService {
        SummaryService {
            store,
            engine,
            flight: FlightSettings::default(),
            tenant_cache_ttl: DEFAULT_TENANT_CACHE_TTL,
            tenants: Mutex::new(HashMap::new()),
            metrics_namespace: crate::metrics::DEFAULT_NAMESPACE.to_string(),
        }
    }

    pub fn with_metrics_namespace(mut self, namespace: impl Into<String>) -> SummaryService {
        self.metrics_namespace = namespace.into();
        self
    }

    pub fn with_tenant_cache_ttl(mut self, ttl: StdDuration) -> SummaryService {
        self.tenant_cache_ttl = ttl;
        self
    }

    pub fn with_flight_settings(mut self, flight: FlightSettings) -> SummaryService {
        self.flight = flight;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    async fn tenant_config(&self, tenant: &str) -> Result<TenantConfig, ApiError> {
        if let Some((at, config)) = self.tenants.lock().expect("tenant cache lock").get(tenant)
            && at.elapsed() < self.tenant_cache_ttl
        {
            return Ok(config.clone());
        }
        let config = self
            .store
            .get_tenant(tenant)
            .await
            .map_err(unavailable)?
            .unwrap_or_else(|| TenantConfig::absent(tenant));
        self.tenants
            .lock()
            .expect("tenant cache lock")
            .insert(tenant.to_string(), (Instant::now(), config.clone()));
        Ok(config)
    }

    /// The tenant has opted in and the user's roles allow summaries.
    async fn authorize(&self, who: &Identity) -> Result<TenantConfig, ApiError> {
        let config = self.tenant_config(&who.tenant_id).await?;
        if !config.enabled {
            return Err(ApiError::feature_disabled());
        }
        if !config.allows_roles(&who.roles) {
            return Err(ApiError::forbidden());
        }
        Ok(config)
    }

    async fn account(&self, who: &Identity, account_id: &str) -> Result<Account, ApiError> {
        self.store
            .get_account(&who.tenant_id, account_id)
            .await
            .map_err(unavailable)?
            .ok_or_else(ApiError::account_not_found)
    }

    /// GET: the cached summary while it is servable, else a new one — generated once for
    /// everyone who asks at the same time.
    pub async fn get_summary(
        &self,
        who: &Identity,
        account_id: &str,
    ) -> Result<SummaryView, ApiError> {
        check_account_id(account_id)?;
        let config = self.authorize(who).await?;
        let (cached, mine) = self
            .store
            .get_summary_with_vote(&who.tenant_id, account_id, &who.user_id)
            .await
            .map_err(unavailable)?;
        let now = OffsetDateTime::now_utc();
        if let Some(summary) = cached.as_ref().filter(|s| is_servable(s, now)) {
            self.note_view(&who.tenant_id, summary, now.date()).await;
            return Ok(summary.view(true, mine, false));
        }
        let account = self.account(who, account_id).await?;
        self.single_flight(who, &config, &account, cached, Want::Servable)
            .await
    }

    /// POST refresh: a new summary replacing the cached one, at most once per interval per
    /// account. When only a fallback could be written and a good summary is still valid, that
    /// one is served with `refresh_failed`.
    pub async fn refresh_summary(
        &self,
        who: &Identity,
        account_id: &str,
    ) -> Result<SummaryView, ApiError> {
        check_account_id(account_id)?;
        let config = self.authorize(who).await?;
        let account = self.account(who, account_id).await?;
        let now = OffsetDateTime::now_utc();
        if let Err(wait_seconds) = self
            .store
            .admit_hard_refresh(
                &who.tenant_id,
                account_id,
                now,
                self.flight.hard_refresh_interval,
            )
            .await
            .map_err(unavailable)?
        {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                "This account's summary was refreshed moments ago. Please wait before refreshing again.",
            )
            .retry_after(wait_seconds));
        }
        let (cached, _) = self
            .store
            .get_summary_with_vote(&who.tenant_id, account_id, &who.user_id)
            .await
            .map_err(unavailable)?;
        let previous_id = cached.as_ref().map(|s| s.summary_id.clone());
        self.single_flight(who, &config, &account, cached, Want::NewerThan(previous_id))
            .await
    }

    /// Exactly one request generates while others wait for its summary. The lease is a
    /// conditional write with its own expiry, so a crashed holder blocks nobody for long.
    async fn single_flight(
        &self,
        who: &Identity,
        config: &TenantConfig,
        account: &Account,
        seen: Option<Summary>,
        want: Want,
    ) -> Result<SummaryView, ApiError> {
        let tenant = &who.tenant_id;
        let account_id = &account.account_id;
        let owner = ulid::Ulid::new().to_string();
        let started = Instant::now();
        loop {
            let now = OffsetDateTime::now_utc();
            let acquired = self
                .store
                .try_acquire_lease(tenant, account_id, &owner, now, now + self.flight.lease)
                .await
                .map_err(unavailable)?;
            if acquired {
                let result = self
                    .generate_under_lease(who, config, account, seen.as_ref(), &want)
                    .await;
                if let Err(err) = self.store.release_lease(tenant, account_id, &owner).await {
                    // The lease lapses on its own; a failed release only delays the next one.
                    tracing::warn!(error = %err, "releasing the generation lease failed");
                }
                return result;
            }
            if started.elapsed() >= self.flight.wait_limit {
                return Err(ApiError::new(
                    ErrorCode::GenerationUnavailable,
                    "The summary is still being generated. Please try again in a moment.",
                )
                .retry_after(3));
            }
            tokio::time::sleep(self.flight.poll_interval).await;
            let (current, mine) = self
                .store
                .get_summary_with_vote(tenant, account_id, &who.user_id)
                .await
                .map_err(unavailable)?;
            if let Some(summary) = current.filter(|s| want.is_met_by(s, OffsetDateTime::now_utc()))
            {
                return Ok(summary.view(true, mine, false));
            }
        }
    }

    async fn generate_under_lease(
        &self,
        who: &Identity,
        config: &TenantConfig,
        account: &Account,
        seen: Option<&Summary>,
        want: &Want,
    ) -> Result<SummaryView, ApiError> {
        // The previous holder may have stored what we want between our read and our lease.
        let (current, mine) = self
            .store
            .get_summary_with_vote(&who.tenant_id, &account.account_id, &who.user_id)
            .await
            .map_err(unavailable)?;
        if let Some(summary) = current
            .as_ref()
            .filter(|s| want.is_met_by(s, OffsetDateTime::now_utc()))
        {
            return Ok(summary.view(true, mine, false));
        }
        let cached = current.as_ref().or(seen);
        match self
            .generate_and_store(&who.tenant_id, config, account, cached)
            .await?
        {
            Generation::Stored(summary) => Ok(summary.view(false, None, false)),
            Generation::Kept(previous) => {
                let refresh_failed = matches!(want, Want::NewerThan(_));
                Ok(previous.view(true, mine, refresh_failed))
            }
        }
    }

    /// A tenant whose monthly token budget is spent gets no new generations until the next
    /// month (cached summaries are still served).
    async fn check_token_budget(
        &self,
        tenant: &str,
        config: &TenantConfig,
    ) -> Result<(), ApiError> {
        let Some(budget) = config.monthly_token_budget else {
            return Ok(());
        };
        let now = OffsetDateTime::now_utc();
        let spent = self
            .store
            .monthly_tokens(tenant, &month_of(now))
            .await
            .map_err(unavailable)?;
        if spent < budget {
            return Ok(());
        }
        let next_month = next_month_start(now);
        Err(ApiError::new(
            ErrorCode::RateLimited,
            "Your organization's monthly summary budget is spent. New summaries resume next month.",
        )
        .retry_after((next_month - now).whole_seconds().max(1) as u64))
    }

    /// Records the first view of the day; a failure here never fails the request.
    async fn note_view(&self, tenant: &str, summary: &Summary, today: Date) {
        if summary.last_viewed_on == Some(today) {
            return;
        }
        if let Err(err) = self
            .store
            .mark_viewed(tenant, &summary.account_id, &summary.summary_id, today)
            .await
        {
            tracing::warn!(error = %err, "recording the view failed");
        }
    }

    /// POST feedback: one vote per user per summary; `None` withdraws it.
    pub async fn submit_feedback(
        &self,
        who: &Identity,
        account_id: &str,
        body: &[u8],
    ) -> Result<FeedbackView, ApiError> {
        check_account_id(account_id)?;
        // A tenant that has not opted in hears only that, whatever it sent.
        self.authorize(who).await?;
        let (summary_id, vote, comment) = FeedbackRequest::parse(body)?;
        let existed = self
            .store
            .summary_existed(&who.tenant_id, account_id, &summary_id)
            .await
            .map_err(unavailable)?;
        if !existed {
            return Err(ApiError::summary_not_found());
        }
        let (likes, dislikes) = self
            .store
            .record_vote(
                &who.tenant_id,
                account_id,
                &summary_id,
                &who.user_id,
                vote,
                comment.as_deref(),
            )
            .await
            .map_err(unavailable)?;
        Ok(FeedbackView {
            summary_id,
            likes,
            dislikes,
            mine: vote,
        })
    }

    /// Generates a summary and stores it unless the cache policy keeps the cached one; returns
    /// what the cache now serves.
    async fn generate_and_store(
        &self,
        tenant: &str,
        config: &TenantConfig,
        account: &Account,
        cached: Option<&Summary>,
    ) -> Result<Generation, ApiError> {
        let as_of = reference_day(account);
        self.check_token_budget(tenant, config).await?;
        let started = Instant::now();
        let generated = self.engine.generate(account, config, as_of).await;
        crate::metrics::emit(
            &crate::metrics::GenerationMetrics {
                tenant_id: tenant,
                source: generated.source,
                latency_ms: started.elapsed().as_millis() as u64,
                usage: generated.usage,
                ungrounded: generated.ungrounded.len(),
            },
            &self.metrics_namespace,
        );
        if let Some(usage) = generated.usage
            && let Err(err) = self
                .store
                .add_tokens(
                    tenant,
                    &month_of(OffsetDateTime::now_utc()),
                    usage.prompt_tokens + usage.completion_tokens,
                )
                .await
        {
            tracing::warn!(error = %err, "recording token usage failed");
        }
        let now = OffsetDateTime::now_utc();
        if !may_replace(generated.source, cached, now) {
            let kept = cached.expect("may_replace keeps only an existing summary");
            return Ok(Generation::Kept(kept.clone()));
        }
        let summary = Summary {
            summary_id: ulid::Ulid::new().to_string(),
            account_id: account.account_id.clone(),
            generated_at: now,
            expires_at: now + ttl_for(generated.source),
            source: generated.source,
            model: generated.model,
            prompt_version: generated.prompt_version,
            sections: generated.sections,
            input_hash: self.engine.input_hash(account, config, as_of),
            usage: generated.usage,
            ungrounded: generated.ungrounded,
            likes: 0,
            dislikes: 0,
            last_viewed_on: Some(now.date()),
        };
        self.store
            .put_summary(tenant, &summary)
            .await
            .map_err(unavailable)?;
        tracing::info!(
            account_id = %summary.account_id,
            summary_id = %summary.summary_id,
            source = summary.source.as_str(),
            "summary generated"
        );
        Ok(Generation::Stored(summary))
    }
}

/// What one scheduled run covers and how hard it may push.
#[derive(Debug, Clone)]
pub struct RefreshPlan {
    /// Look ahead: summaries expiring within this are refreshed now.
    pub window: time::Duration,
    /// Look back: summaries that lapsed unrefreshed (a run ran out of time) are caught up.
    pub grace: time::Duration,
    /// Generations in flight at once.
    pub concurrency: usize,
    /// Generations in flight at once for one tenant (its share of the LLM rate limit).
    pub per_tenant_concurrency: usize,
    /// The index shards this run covers.
    pub shards: Vec<u32>,
    /// When to stop starting generations and hand the remaining shards over.
    pub stop_at: Option<Instant>,
}

impl Default for RefreshPlan {
    fn default() -> Self {
        RefreshPlan {
            window: time::Duration::minutes(75),
            grace: time::Duration::hours(12),
            concurrency: 50,
            per_tenant_concurrency: 20,
            shards: (0..crate::store::REFRESH_SHARDS).collect(),
            stop_at: None,
        }
    }
}

/// What one scheduled run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefreshReport {
    pub due: u64,
    pub regenerated: u64,
    /// Input unchanged since the last generation: kept, with a later expiry, no LLM call.
    pub extended: u64,
    /// Tenant disabled, account gone, summary replaced or being generated meanwhile.
    pub skipped: u64,
    /// Not viewed lately: left to expire, regenerated on the next view.
    pub cold: u64,
    /// Shards this run did not reach: the next run (or a continuation) covers them.
    pub handed_over: Vec<u32>,
    pub failed: u64,
}

impl SummaryService {
    /// The scheduled refresh: regenerates the summaries of `plan.shards` that expire within
    /// the look-ahead window (or lapsed unrefreshed within the grace period), except those
    /// whose de-identified input is unchanged, which are kept for another period.
    ///
    /// The shards' due summaries are read page by page, only as the generations need more
    /// work, into one stream that keeps `plan.concurrency` generations in flight across shard
    /// and page boundaries. Once `plan.stop_at` has passed no further generation starts: the
    /// shard in progress and those not reached are reported as handed over (a summary already
    /// refreshed is no longer due, so the next run repeats nothing).
    pub async fn refresh_due(&self, plan: &RefreshPlan) -> Result<RefreshReport, StoreError> {
        let now = OffsetDateTime::now_utc();
        let (from, until) = (
            (now - plan.grace).unix_timestamp(),
            (now + plan.window).unix_timestamp(),
        );
        let stop_passed = || plan.stop_at.is_some_and(|stop| Instant::now() >= stop);
        let tenant_slots: Mutex<HashMap<String, Arc<Semaphore>>> = Mutex::new(HashMap::new());
        let handed_over: Mutex<Vec<u32>> = Mutex::new(Vec::new());
        let hand_over_from = |position: usize| {
            *handed_over.lock().expect("hand-over lock") = plan.shards[position..].to_vec();
        };
        let failure: Mutex<Option<StoreError>> = Mutex::new(None);
        let due = AtomicU64::new(0);
        let pages = stream::unfold((0usize, None), |(position, start)| {
            let (failure, hand_over_from) = (&failure, &hand_over_from);
            async move {
                let shard = *plan.shards.get(position)?;
                if stop_passed() {
                    hand_over_from(position);
                    return None;
                }
                let page = self
                    .store
                    .due_summaries(&format!("SHARD#{shard:02}"), from, until, start)
                    .await;
                match page {
                    Ok((items, next)) => {
                        let state = match next {
                            Some(key) => (position, Some(key)),
                            None => (position + 1, None),
                        };
                        let items: Vec<(usize, DueSummary)> =
                            items.into_iter().map(|item| (position, item)).collect();
                        Some((stream::iter(items), state))
                    }
                    Err(err) => {
                        *failure.lock().expect("failure lock") = Some(err);
                        None
                    }
                }
            }
        })
        // Boxed: without it rustc cannot prove the handlers' futures Send (a known limit of
        // its higher-ranked lifetime inference through these closures).
        .boxed();
        let outcomes: Vec<_> = pages
            .flatten()
            .take_while(|(position, _)| {
                let go_on = !stop_passed();
                if !go_on {
                    hand_over_from(*position);
                }
                std::future::ready(go_on)
            })
            .filter(|(_, item)| {
                due.fetch_add(1, Ordering::Relaxed);
                let warm = item
                    .last_viewed_on
                    .is_some_and(|day| day >= now.date() - self.flight.keep_warm_for);
                std::future::ready(warm)
            })
            .map(|(_, item)| {
                let slot = tenant_slots
                    .lock()
                    .expect("tenant slots lock")
                    .entry(item.tenant_id.clone())
                    .or_insert_with(|| Arc::new(Semaphore::new(plan.per_tenant_concurrency)))
                    .clone();
                async move {
                    let _permit = slot.acquire().await.expect("semaphore never closed");
                    let outcome = self.refresh_one(&item).await;
                    if let Err(err) = &outcome {
                        tracing::warn!(account_id = %item.account_id, error = %err, "scheduled refresh failed");
                    }
                    outcome
                }
            })
            .buffer_unordered(plan.concurrency.max(1))
            .collect()
            .await;
        if let Some(err) = failure.into_inner().expect("failure lock") {
            return Err(err);
        }
        let mut report = RefreshReport {
            due: due.into_inner(),
            handed_over: handed_over.into_inner().expect("hand-over lock"),
            ..RefreshReport::default()
        };
        for outcome in outcomes {
            match outcome {
                Ok(RefreshOutcome::Regenerated) => report.regenerated += 1,
                Ok(RefreshOutcome::Extended) => report.extended += 1,
                Ok(RefreshOutcome::Skipped) => report.skipped += 1,
                Err(_) => report.failed += 1,
            }
        }
        report.cold =
            report.due - report.regenerated - report.extended - report.skipped - report.failed;
        Ok(report)
    }

    /// Refreshes one due summary under the account's generation lease. The account and its
    /// cached summary are read under the lease (one request), so a generation that finished
    /// meanwhile (a GET, a hard refresh, a duplicate delivery of the same event) is seen and
    /// not repeated.
    async fn refresh_one(&self, due: &DueSummary) -> Result<RefreshOutcome, RefreshFailure> {
        let (tenant, account_id) = (due.tenant_id.as_str(), due.account_id.as_str());
        // Through the tenant cache: one read per tenant per run, not one per summary.
        let config = self.tenant_config(tenant).await?;
        if !config.enabled {
            return Ok(RefreshOutcome::Skipped);
        }
        let owner = ulid::Ulid::new().to_string();
        let now = OffsetDateTime::now_utc();
        if !self
            .store
            .try_acquire_lease(tenant, account_id, &owner, now, now + self.flight.lease)
            .await?
        {
            return Ok(RefreshOutcome::Skipped);
        }
        let outcome = match self.store.get_account_and_summary(tenant, account_id).await {
            // Still the summary the index found due: nobody replaced or extended it meanwhile.
            Ok((Some(account), Some(cached)))
                if cached.expires_at.unix_timestamp() == due.expires_at =>
            {
                self.refresh_under_lease(tenant, &config, &account, &cached)
                    .await
            }
            Ok(_) => Ok(RefreshOutcome::Skipped),
            Err(err) => Err(err.into()),
        };
        self.store.release_lease(tenant, account_id, &owner).await?;
        outcome
    }

    async fn refresh_under_lease(
        &self,
        tenant: &str,
        config: &TenantConfig,
        account: &Account,
        cached: &Summary,
    ) -> Result<RefreshOutcome, RefreshFailure> {
        let account_id = &account.account_id;
        let as_of = reference_day(account);
        let now = OffsetDateTime::now_utc();
        if cached.source == crate::summary::Source::Ai
            && cached.input_hash == self.engine.input_hash(account, config, as_of)
        {
            let extended = self
                .store
                .extend_summary(
                    tenant,
                    account_id,
                    &cached.summary_id,
                    now + crate::cache_policy::AI_SUMMARY_TTL,
                )
                .await?;
            return Ok(if extended {
                RefreshOutcome::Extended
            } else {
                RefreshOutcome::Skipped
            });
        }
        let generation = self
            .generate_and_store(tenant, config, account, Some(cached))
            .await?;
        Ok(match generation {
            Generation::Stored(_) => RefreshOutcome::Regenerated,
            Generation::Kept(_) => RefreshOutcome::Skipped,
        })
    }
}

enum RefreshOutcome {
    Regenerated,
    Extended,
    Skipped,
}

/// Why one scheduled refresh failed: logged and counted, the run goes on.
#[derive(Debug, thiserror::Error)]
enum RefreshFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tenant's config could not be read, or the summary not generated and stored.
    #[error(transparent)]
    Service(#[from] ApiError),
}

/// What a request waiting on another's generation accepts.
enum Want {
    /// Any summary the cache may serve (GET).
    Servable,
    /// A servable summary other than the one seen before (hard refresh).
    NewerThan(Option<String>),
}

impl Want {
    fn is_met_by(&self, summary: &Summary, now: OffsetDateTime) -> bool {
        is_servable(summary, now)
            && match self {
                Want::Servable => true,
                Want::NewerThan(previous) => {
                    previous.as_deref() != Some(summary.summary_id.as_str())
                }
            }
    }
}

/// What a generation left in the cache.
enum Generation {
    Stored(Summary),
    /// Only a fallback could be written and a valid AI summary was kept instead.
    Kept(Summary),
}

/// `YYYY-MM`: the period a token budget covers.
pub fn month_of(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

fn next_month_start(t: OffsetDateTime) -> OffsetDateTime {
    let (year, month) = match t.month() {
        time::Month::December => (t.year() + 1, time::Month::January),
        m => (t.year(), m.next()),
    };
    time::Date::from_calendar_date(year, month, 1)
        .expect("the first of a month exists")
        .midnight()
        .assume_utc()
}

/// The day relative dates count from: the export's day when known, else today.
pub fn reference_day(account: &Account) -> Date {
    account
        .as_of
        .unwrap_or_else(|| OffsetDateTime::now_utc().date())
}
