//! The account-summary core: what a summary is made of and how it is produced, cached and
//! voted on. Domain modules (`attributes`, `tenant`, `summary`, `cache_policy`, `deid`,
//! `prompt`, `engine::offline`) know nothing of AWS or HTTP; the adapters (`store`,
//! `secrets`, `engine::openai`, `http`) translate between them and the outside world.

pub mod attributes;
pub mod cache_policy;
pub mod config;
pub mod csv_import;
pub mod deid;
pub mod engine;
pub mod error;
pub mod http;
pub mod ids;
pub mod metrics;
pub mod prompt;
pub mod secrets;
pub mod service;
pub mod store;
pub mod summary;
pub mod tenant;
pub mod time_fmt;
