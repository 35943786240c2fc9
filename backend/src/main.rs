//! The `wijkveilig` command: serve the dashboard, import files, and run the spatial join.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use wijkveilig::config::{Config, DEFAULT_DATABASE_URL};
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::store::Store;

#[derive(Parser)]
#[command(
    name = "wijkveilig",
    version,
    about = "District-safety dashboard for Dutch municipalities"
)]
struct Cli {
    /// Database: sqlite://path (default: a file wijkveilig.db here) or postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the map dashboard and the API. An empty database gets the synthetic demo.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// A MapLibre style URL for a basemap, e.g. the PDOK BRT vector tiles. Without it the
        /// map needs no network at all.
        #[arg(long, env = "WIJKVEILIG_BASEMAP_STYLE_URL")]
        basemap_style_url: Option<String>,
    },
    /// Import a file. The format is detected from its content; an import is all or nothing.
    Import {
        #[arg(value_enum)]
        kind: ImportKind,
        file: PathBuf,
        /// Check the file without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Make invalid polygons valid (each repair is reported) instead of refusing them.
        #[arg(long)]
        repair: bool,
    },
    /// Write the steering-group report as one self-contained HTML file (an empty database
    /// gets the synthetic demo first).
    Report {
        /// `2023`, `2023H1` or `2023H2`.
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "report.html")]
        out: PathBuf,
    },
    /// Print the API's OpenAPI document (what `/api/openapi.json` serves); the frontend's
    /// TypeScript types are generated from it (`frontend/openapi.json`).
    Openapi,
    /// Count points (CSV id,lon,lat) per polygon; prints code,count sorted by code.
    Join {
        #[arg(long)]
        polygons: PathBuf,
        #[arg(long)]
        points: PathBuf,
        /// Write the counts here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        // The join is CPU work on its own threads; it needs no async runtime.
        Command::Join {
            polygons,
            points,
            out,
        } => run_join(&polygons, &points, out.as_deref()),
        Command::Openapi => {
            println!("{}", wijkveilig::http::openapi_json());
            Ok(())
        }
        command => tokio::runtime::Runtime::new()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(run(cli.database_url, command))),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_join(
    polygons: &std::path::Path,
    points: &std::path::Path,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let summary = wijkveilig::commands::join::run_join(polygons, points, out)?;
    eprintln!("{summary}");
    Ok(())
}

async fn run(database_url: String, command: Command) -> anyhow::Result<()> {
    let store = Store::connect(&database_url)
        .await
        .with_context(|| format!("cannot open the database {database_url}"))?;
    match command {
        Command::Serve {
            addr,
            basemap_style_url,
        } => {
            let config = Config {
                database_url,
                addr,
                basemap_style_url,
            };
            if store.is_empty().await? {
                eprintln!(
                    "the database is empty: loading the built-in synthetic demo town (import your own data to replace it)"
                );
                let rows = wijkveilig::demo::load(&store).await?;
                eprintln!("demo loaded: {rows} rows");
            }
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            eprintln!(
                "wijkveilig serves http://{} ({} store)",
                listener.local_addr()?,
                store.backend().as_str()
            );
            let state = wijkveilig::server_state(store.clone(), config.basemap_style_url);
            wijkveilig::http::serve(listener, state).await?;
        }
        Command::Import {
            kind,
            file,
            dry_run,
            repair,
        } => {
            let opts = ImportOptions {
                dry_run,
                repair,
                demo: false,
            };
            let report = import_file(&store, kind, &file, &opts).await?;
            println!("{report}");
        }
        Command::Report { period, out } => {
            let bytes = wijkveilig::report::write_report(&store, &period, &out).await?;
            eprintln!(
                "report for {period} written to {} ({bytes} bytes)",
                out.display()
            );
        }
        Command::Join { .. } | Command::Openapi => unreachable!("handled without a runtime"),
    }
    store.close().await;
    Ok(())
}
