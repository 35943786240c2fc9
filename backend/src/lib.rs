//! wijkveilig joins police offence counts and municipal safety registrations to CBS
//! neighbourhoods, and serves the figures to a map dashboard.
//!
//! Data flows one way: [`ingest`] parses files into [`domain`] values, [`store`] persists them
//! (SQLite or PostgreSQL), [`service`] answers the product's questions with the pure
//! [`analysis`] functions, and [`http`] and [`report`] serve and print those answers (they
//! never import each other; [`server_state`] wires them together). [`spatial`] holds the
//! geometry building blocks shared by all of them.
//! [`commands`] holds the command-line work that needs no server (`wijkveilig join`).
//! [`fetch`] downloads a gemeente's open data and hands it to [`importer`].

pub mod analysis;
pub mod auth;
/// CLI commands that compose [`ingest`] and [`spatial`] without a server or a database.
pub mod commands;
pub mod config;
pub mod demo;
pub mod domain;
pub mod fetch;
pub mod http;
pub mod importer;
pub mod ingest;
pub mod report;
pub mod service;
pub mod spatial;
pub mod store;
#[cfg(test)]
mod testdata;
pub mod tiles;

/// The server's state with everything wired in: the service over `store`, and the HTML
/// report renderer for `GET /api/report?format=html`.
pub fn server_state(store: store::Store, basemap_style_url: Option<String>) -> http::AppState {
    http::AppState::new(store, basemap_style_url).with_report_renderer(
        report::html::render,
        report::html::content_security_policy(),
    )
}
