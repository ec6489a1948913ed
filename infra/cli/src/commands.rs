//! Each command of the command line: read its inputs, call the library, print the result
//! (data on stdout, reports and progress on stderr).

use std::io::BufReader;

use anyhow::Context;
use time::OffsetDateTime;

use crate::cli::{Command, FeedbackCommand, StackArgs, TenantCommand};
use crate::local::{choose_engine, prompt_body, read_account_file, read_tenant_config};
use crate::render::render_summary;
use crate::stack::{Backend, MOTO_IN_VENV, SAMPLE_CSV, StackOptions, repo_path};
use crate::token::{JwtSecret, TokenSubject, mint};
use summary_core::config::Settings;

/// The log filter when `RUST_LOG` is unset: the local stack reports its requests; one-shot
/// commands stay quiet unless something is wrong. The SDK's own search for a region or
/// credentials (IMDS on a laptop) is not something wrong: our errors say what is missing.
pub fn default_log_filter(command: &Command) -> &'static str {
    match command {
        Command::Dev(_) => "info,aws_config=error",
        _ => "warn,aws_config=error",
    }
}

fn today() -> time::Date {
    OffsetDateTime::now_utc().date()
}

fn open(path: &std::path::Path) -> anyhow::Result<BufReader<std::fs::File>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::new(file))
}

fn openai_api_key() -> Option<String> {
    std::env::var("OPENAI_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Import(args) => {
            let settings = Settings::from_env();
            let sdk = crate::aws::from_env().await?;
            let store = crate::aws::store(&sdk, &settings);
            crate::aws::require_table(&store, &sdk).await?;
            let as_of = args.as_of.unwrap_or_else(today);
            let report = crate::import::import_accounts(
                &store,
                &args.tenant,
                open(&args.csv)?,
                &args.id_column,
                as_of,
            )
            .await
            .with_context(|| format!("importing {}", args.csv.display()))?;
            for row in &report.skipped {
                eprintln!("{}: {row} (skipped)", args.csv.display());
            }
            eprintln!(
                "imported {} accounts for tenant {} into table {} (as of {}); {} rows skipped",
                report.imported,
                args.tenant,
                store.table(),
                summary_core::time_fmt::iso_date(as_of),
                report.skipped.len()
            );
        }
        Command::Tenant { command } => tenant(command).await?,
        Command::Feedback {
            command: FeedbackCommand::Report(args),
        } => {
            anyhow::ensure!(
                summary_core::ids::is_valid_id(&args.tenant),
                "the tenant id must be 1-128 letters, digits or -_.:@ characters"
            );
            let settings = Settings::from_env();
            let sdk = crate::aws::from_env().await?;
            let store = crate::aws::store(&sdk, &settings);
            crate::aws::require_table(&store, &sdk).await?;
            let report = crate::feedback::feedback_report(&store, &args.tenant, args.since)
                .await
                .with_context(|| format!("reading the feedback of tenant {}", args.tenant))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", crate::feedback::render_report(&report));
            }
        }
        Command::CreateTable => {
            let settings = Settings::from_env();
            let sdk = crate::aws::from_env().await?;
            let store = crate::aws::store(&sdk, &settings);
            if crate::aws::table_exists(&store).await == Some(true) {
                anyhow::bail!(
                    "table {} already exists on {}",
                    store.table(),
                    crate::aws::describe(&sdk)
                );
            }
            store
                .create_table()
                .await
                .with_context(|| format!("creating table {}", store.table()))?;
            eprintln!(
                "created table {} on {}",
                store.table(),
                crate::aws::describe(&sdk)
            );
        }
        Command::Token(args) => {
            let subject = TokenSubject {
                tenant_claim: Settings::from_env().tenant_claim,
                tenant: args.tenant,
                user: args.user,
                roles: args.roles,
            };
            let ttl = time::Duration::minutes(i64::from(args.ttl_minutes));
            let token = mint(
                &JwtSecret::from_env(),
                &subject,
                OffsetDateTime::now_utc(),
                ttl,
            )?;
            println!("{token}");
        }
        Command::Prompt(args) => {
            let account = read_account_file(&args.input.account)?;
            let config = read_tenant_config(args.input.tenant_config.as_deref())?;
            let as_of = crate::local::reference_day(&account, args.input.as_of);
            let (body, guard) = prompt_body(&account, &config, as_of, &Settings::from_env());
            if args.pretty {
                println!("{}", serde_json::to_string_pretty(&body)?);
            } else {
                println!("{body}");
            }
            if let Err(code) = guard {
                anyhow::bail!(
                    "the de-identification guard would refuse to send this body ({code}); \
                     the engine would serve the offline summary instead"
                );
            }
        }
        Command::Summarize(args) => {
            let account = read_account_file(&args.input.account)?;
            let config = read_tenant_config(args.input.tenant_config.as_deref())?;
            let as_of = crate::local::reference_day(&account, args.input.as_of);
            let key = openai_api_key();
            let engine = choose_engine(args.engine, key.as_deref());
            let summary = crate::local::summarize(
                &account,
                &config,
                as_of,
                engine,
                key,
                &Settings::from_env(),
            )
            .await?;
            let view = summary.view(false, None, false);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                print!("{}", render_summary(&view));
            }
        }
        Command::ExportAccount(args) => {
            let account = crate::local::export_account(
                open(&args.csv)?,
                &args.id_column,
                &args.account,
                args.as_of.unwrap_or_else(today),
            )?;
            println!("{}", serde_json::to_string_pretty(&account)?);
        }
        Command::Dev(args) => {
            let options = stack_options(&args, 9000, 5005)?;
            crate::stack::dev(&options, &args.account).await?;
        }
        Command::Demo(args) => {
            let options = stack_options(&args, 0, 0)?;
            let view = crate::stack::demo(&options, &args.account).await?;
            println!();
            print!("{}", render_summary(&view));
        }
    }
    Ok(())
}

async fn tenant(command: TenantCommand) -> anyhow::Result<()> {
    let settings = Settings::from_env();
    let sdk = crate::aws::from_env().await?;
    let store = crate::aws::store(&sdk, &settings);
    crate::aws::require_table(&store, &sdk).await?;
    let check = |tenant: &str| {
        anyhow::ensure!(
            summary_core::ids::is_valid_id(tenant),
            "the tenant id must be 1-128 letters, digits or -_.:@ characters"
        );
        Ok(())
    };
    match command {
        TenantCommand::Enable { tenant } => {
            check(&tenant)?;
            store.set_tenant_enabled(&tenant, true).await?;
            eprintln!("tenant {tenant}: enabled");
        }
        TenantCommand::Disable { tenant } => {
            check(&tenant)?;
            store.set_tenant_enabled(&tenant, false).await?;
            eprintln!("tenant {tenant}: disabled");
        }
        TenantCommand::KeyInfo { tenant, attributes } => {
            check(&tenant)?;
            let names: Vec<String> = attributes
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            store.set_tenant_key_info(&tenant, &names).await?;
            if names.is_empty() {
                eprintln!("tenant {tenant}: Key Info cleared (every attribute is used)");
            } else {
                eprintln!("tenant {tenant}: Key Info = {}", names.join(", "));
            }
        }
        TenantCommand::Purge { tenant } => {
            check(&tenant)?;
            let outcome = crate::feedback::purge_tenant(&store, &tenant).await?;
            eprint!("{}", crate::feedback::render_purge(&tenant, &outcome));
        }
    }
    Ok(())
}

/// The local stack's options; a zero port means any free port.
fn stack_options(
    args: &StackArgs,
    default_port: u16,
    default_aws_port: u16,
) -> anyhow::Result<StackOptions> {
    let backend = if args.no_moto {
        Backend::Environment
    } else {
        let port = match args.aws_port.unwrap_or(default_aws_port) {
            0 => crate::moto::free_port()?,
            port => port,
        };
        Backend::Moto {
            program: args
                .moto_server
                .clone()
                .unwrap_or_else(|| repo_path(MOTO_IN_VENV)),
            port,
            openai_api_key: openai_api_key(),
        }
    };
    Ok(StackOptions {
        backend,
        gateway_port: args.port.unwrap_or(default_port),
        csv: args.csv.clone().unwrap_or_else(|| repo_path(SAMPLE_CSV)),
        tenant: args.tenant.clone(),
        as_of: args.as_of,
    })
}
