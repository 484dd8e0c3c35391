//! The rops-hub HTTP service: configuration, authentication, handlers and the OpenAPI
//! document. The binary (`rops-hub`) is a thin command line over this library.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod cors;
pub mod csv_import;
pub mod error;
pub mod export;
pub mod guard;
pub mod http;
pub mod oidc;
pub mod openapi;
pub mod pages;
pub mod rollup_cache;
pub mod routes;
pub mod schemas;
pub mod shared_reads;
pub mod state;
pub mod telemetry;

#[cfg(test)]
mod accounts_tests;
#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod entity_report_tests;
#[cfg(test)]
mod entity_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod page_tests;
#[cfg(test)]
mod rollup_cache_tests;
#[cfg(test)]
mod tests;
