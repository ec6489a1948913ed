//! The operator's command-line tool (`account-summary`) and the local stack: a local API
//! gateway in front of the three functions' handlers, unchanged, and a moto server.
//!
//! One job per module: `cli` (arguments), `commands` (what each command does and prints),
//! `import` (CSV into the store), `feedback` (the feedback report and the
//! tenant purge), `local` (prompt, summarize, export-account: no AWS),
//! `render` (a summary as text), `token` (development JWTs), `apigw` (API Gateway's request
//! shape), `gateway` (the local API gateway), `moto` (the moto child process), `aws` (SDK
//! configuration), `stack` (the local stack behind `dev` and `demo`).

pub mod apigw;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod feedback;
pub mod gateway;
pub mod import;
pub mod local;
pub mod moto;
pub mod render;
pub mod stack;
pub mod token;
