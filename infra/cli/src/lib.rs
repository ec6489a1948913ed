//! The operator's command-line tool (`account-summary`) and the local stack: a local API
//! gateway in front of the three functions' handlers, unchanged, and a moto server.

pub mod apigw;
