//! The command line: every command, argument and environment variable of `account-summary`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use time::Date;

use crate::local::EngineChoice;

#[derive(Debug, Parser)]
#[command(
    name = "account-summary",
    version,
    about = "Operator tool for AI account summaries: import accounts, manage tenants, audit \
             prompts, and run the local stack."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load accounts from a CSV export into DynamoDB (TABLE_NAME); bad rows are reported
    /// with their line numbers and skipped.
    Import(ImportArgs),
    /// Enable or disable a tenant, set its Key Info attributes, or purge its summaries.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// What users think of the summaries: likes, dislikes and comments.
    Feedback {
        #[command(subcommand)]
        command: FeedbackCommand,
    },
    /// Create the table with its expiry index and TTL (local endpoints; AWS uses the
    /// deployment template).
    CreateTable,
    /// Print a signed development JWT for the local gateway (secret: LOCAL_JWT_SECRET).
    Token(TokenArgs),
    /// Print the exact JSON body that would be sent to the LLM for an account file.
    Prompt(PromptArgs),
    /// Write a summary of an account file with the offline or the OpenAI engine.
    Summarize(SummarizeArgs),
    /// Print the account file of one CSV row (input for `prompt` and `summarize`).
    ExportAccount(ExportArgs),
    /// Run the local stack (moto + local API gateway) in the foreground until Ctrl-C.
    Dev(StackArgs),
    /// Start the local stack, request one summary over HTTP, print it, stop everything.
    Demo(StackArgs),
}

/// `YYYY-MM-DD` (or `DD-MM-YYYY`).
pub fn parse_day(s: &str) -> Result<Date, String> {
    summary_core::attributes::parse_date(s.trim())
        .ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tenant the accounts belong to.
    #[arg(long)]
    pub tenant: String,
    /// The CSV export: one row per account, a header row, UTF-8 (a byte-order mark is fine).
    #[arg(long)]
    pub csv: PathBuf,
    /// The column holding the account id; every other column is an attribute.
    #[arg(long, default_value = "account_id")]
    pub id_column: String,
    /// The day the export was taken (relative dates count from it). Default: today.
    #[arg(long, value_parser = parse_day)]
    pub as_of: Option<Date>,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Opt the tenant in to account summaries.
    Enable { tenant: String },
    /// Opt the tenant out: its users get 403 feature_disabled and nothing is sent anywhere.
    Disable { tenant: String },
    /// Set the Key Info attributes summaries use, in order (empty: every attribute).
    KeyInfo {
        tenant: String,
        /// Comma-separated attribute names, e.g. plan_tier,seats,next_renewal_date.
        attributes: String,
    },
    /// Delete the tenant's cached summaries and print how many (opt-out; run `disable`
    /// first). The feedback history is kept: it holds no summary text.
    Purge { tenant: String },
}

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Likes, dislikes and comments per prompt version and model, with totals, from the
    /// history of generated summaries (kept 400 days).
    Report(FeedbackReportArgs),
}

#[derive(Debug, Args)]
pub struct FeedbackReportArgs {
    #[arg(long)]
    pub tenant: String,
    /// Only summaries generated on or after this day (UTC). Default: every summary kept.
    #[arg(long, value_parser = parse_day)]
    pub since: Option<Date>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[arg(long)]
    pub tenant: String,
    /// The user id (`sub` claim).
    #[arg(long)]
    pub user: String,
    /// Comma-separated roles (`roles` claim).
    #[arg(long, value_delimiter = ',')]
    pub roles: Vec<String>,
    #[arg(long, default_value_t = 60)]
    pub ttl_minutes: u32,
}

#[derive(Debug, Args)]
pub struct AccountInput {
    /// Account file: {"account_id": "...", "attributes": {...}} (see export-account).
    #[arg(long)]
    pub account: PathBuf,
    /// Tenant config file (key_info, attribute_policy, model, ...). Default: all defaults.
    #[arg(long)]
    pub tenant_config: Option<PathBuf>,
    /// The reference day. Default: the file's as_of, else today.
    #[arg(long, value_parser = parse_day)]
    pub as_of: Option<Date>,
}

#[derive(Debug, Args)]
pub struct PromptArgs {
    #[command(flatten)]
    pub input: AccountInput,
    /// Indent the JSON for reading (the default prints the exact bytes sent).
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    #[command(flatten)]
    pub input: AccountInput,
    /// Default: openai when OPENAI_API_KEY is set, else offline.
    #[arg(long, value_enum)]
    pub engine: Option<EngineChoice>,
    /// Print the Summary object of API.md instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub csv: PathBuf,
    /// The account id of the row.
    #[arg(long)]
    pub account: String,
    #[arg(long, default_value = "account_id")]
    pub id_column: String,
    /// The day the export was taken. Default: today.
    #[arg(long, value_parser = parse_day)]
    pub as_of: Option<Date>,
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// The local gateway's port [dev default: 9000; demo default: a free port].
    #[arg(long, env = "PORT")]
    pub port: Option<u16>,
    /// moto's port [dev default: 5005; demo default: a free port].
    #[arg(long, env = "LOCAL_AWS_PORT")]
    pub aws_port: Option<u16>,
    /// moto's server [default: .venv/bin/moto_server of the repository].
    #[arg(long, env = "MOTO_SERVER")]
    pub moto_server: Option<PathBuf>,
    /// Start no moto and seed nothing: the functions use the AWS SDK's environment
    /// (AWS_ENDPOINT_URL, AWS_REGION, credentials) and their settings (TABLE_NAME,
    /// OPENAI_SECRET_ID, ...) exactly as in Lambda.
    #[arg(long)]
    pub no_moto: bool,
    /// The accounts moto is seeded with [default: tests/fixtures/ravenstack/key_info.csv].
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// The tenant seeded, enabled, and named in tokens.
    #[arg(long, default_value = "demo")]
    pub tenant: String,
    /// The day the sample accounts describe.
    #[arg(long, value_parser = parse_day, default_value = "2026-12-01")]
    pub as_of: Date,
    /// The account of the printed curl line (dev) or of the request (demo).
    #[arg(long, default_value = "A-2e4581")]
    pub account: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn roles_split_on_commas_and_days_parse() {
        let cli = Cli::try_parse_from([
            "account-summary",
            "token",
            "--tenant",
            "demo",
            "--user",
            "u",
            "--roles",
            "csm,admin",
        ])
        .unwrap();
        let Command::Token(args) = cli.command else {
            panic!("not token")
        };
        assert_eq!(args.roles, ["csm", "admin"]);
        assert_eq!(args.ttl_minutes, 60);
        assert!(parse_day("2026-12-01").is_ok());
        assert!(parse_day("tomorrow").is_err());
    }

    #[test]
    fn purge_and_the_feedback_report_parse() {
        let cli = Cli::try_parse_from(["account-summary", "tenant", "purge", "acme"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Tenant { command: TenantCommand::Purge { tenant } } if tenant == "acme"
        ));
        let cli = Cli::try_parse_from([
            "account-summary",
            "feedback",
            "report",
            "--tenant",
            "acme",
            "--since",
            "2026-11-01",
        ])
        .unwrap();
        let Command::Feedback {
            command: FeedbackCommand::Report(args),
        } = cli.command
        else {
            panic!("not feedback report")
        };
        assert_eq!(args.tenant, "acme");
        assert_eq!(args.since, parse_day("2026-11-01").ok());
        assert!(!args.json);
        assert!(Cli::try_parse_from(["account-summary", "feedback", "report"]).is_err());
    }
}
