//! The `wijkveilig` command: serve the dashboard, import files, and run the spatial join.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use wijkveilig::auth::audit::{self, Action, Event};
use wijkveilig::auth::{Principal, Role};
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
    /// (Its value is not shown in --help: it may hold a password.)
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    database_url: String,
    /// Database connections this process keeps at most (default: 4 for SQLite, 8 for
    /// PostgreSQL).
    #[arg(long, env = "WIJKVEILIG_DB_POOL_SIZE", global = true)]
    db_pool_size: Option<u32>,
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
        /// Minutes without a request after which a session ends.
        #[arg(long, default_value_t = 30)]
        session_idle_minutes: u64,
        /// Hours after signing in after which a session ends in any case.
        #[arg(long, default_value_t = 10)]
        session_max_hours: u64,
        /// Behind a reverse proxy: take the client address from the last X-Forwarded-For
        /// entry (for the audit trail and the sign-in throttle).
        #[arg(long)]
        trust_forwarded_for: bool,
        /// Days the audit trail is kept; older rows are pruned at start-up (the chain stays
        /// verifiable from the last pruned row).
        #[arg(long, env = "WIJKVEILIG_AUDIT_RETENTION_DAYS", default_value_t = 730)]
        audit_retention_days: u32,
        /// For `bench/auth_overhead.sh` only: serve everything as the local administrator,
        /// without sessions or the access policy. Refused unless --addr is a loopback address.
        #[arg(long, hide = true)]
        benchmark_without_auth: bool,
        /// A host name (without port) the server answers for, besides localhost; repeat it or
        /// separate names by commas; `.example.nl` allows every name under it. Requests for
        /// any other name are refused (DNS rebinding).
        #[arg(
            long = "allowed-host",
            env = "WIJKVEILIG_ALLOWED_HOSTS",
            value_delimiter = ','
        )]
        allowed_hosts: Vec<String>,
        /// Open connections at once.
        #[arg(long, env = "WIJKVEILIG_MAX_CONNECTIONS", default_value_t = 1_024)]
        max_connections: usize,
        /// The largest request body, in KiB.
        #[arg(long, default_value_t = 1_024)]
        body_limit_kib: usize,
        /// Heavy calculations (density, permutation tests, placement) at once; default: one
        /// per core.
        #[arg(long, env = "WIJKVEILIG_HEAVY_PARALLEL")]
        heavy_parallel: Option<usize>,
        /// Seconds after which a heavy calculation is stopped.
        #[arg(long, default_value_t = 20)]
        heavy_deadline_seconds: u64,
        /// Single sign-on (OpenID Connect); the client secret is read from
        /// WIJKVEILIG_OIDC_CLIENT_SECRET. See docs/sso.md.
        #[command(flatten)]
        oidc: wijkveilig::auth::oidc::OidcArgs,
    },
    /// Manage accounts. The command line acts as the local administrator.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail (BIO2 8.15): verify its hash chain, or export it as CSV.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import a file. The format is detected from its content; an import is all or nothing.
    Import {
        #[arg(value_enum)]
        kind: ImportKind,
        file: PathBuf,
        /// Check the file without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Make invalid polygons valid (each repair is reported) instead of refusing them, and
        /// leave out points more than 25 km outside every imported area (swapped lon/lat,
        /// zero/zero, degrees read as RD metres; each one dropped is listed) instead of
        /// refusing the file.
        #[arg(long)]
        repair: bool,
        /// The CBS boundary year of an area file that does not state it (a `year` or `jaar`
        /// property); sets of different years are kept apart.
        #[arg(long)]
        boundary_year: Option<i32>,
    },
    /// Download a gemeente's boundaries (PDOK), crime and population (CBS) and import them.
    /// An interrupted fetch resumes when rerun. See docs/fetch.md.
    Fetch {
        #[command(flatten)]
        args: wijkveilig::fetch::FetchArgs,
    },
    /// Write the steering-group report as one self-contained HTML file (an empty database
    /// gets the synthetic demo first).
    Report {
        /// `2023`, `2023H1` or `2023H2`.
        #[arg(long)]
        period: String,
        /// The gemeente (`GM0141`) when the data holds several; default: the one with the
        /// most offence figures.
        #[arg(long)]
        gemeente: Option<String>,
        #[arg(long, default_value = "report.html")]
        out: PathBuf,
    },
    /// Vector tiles of the imported areas.
    Tiles {
        #[command(subcommand)]
        command: TilesCommand,
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

#[derive(Subcommand)]
enum UserCommand {
    /// Add a local account; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: Role,
        /// A wijk a wijkregisseur works on (WKggggww); repeat for several.
        #[arg(long = "wijk")]
        wijken: Vec<String>,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the accounts: name, role, wijken, sign-in kind.
    List,
    /// Change an account's role (and wijken).
    SetRole {
        name: String,
        #[arg(value_enum)]
        role: Role,
        #[arg(long = "wijk")]
        wijken: Vec<String>,
    },
    /// Disable an account; its sessions end at their next request.
    Disable { name: String },
}

#[derive(Subcommand)]
enum TilesCommand {
    /// Write the tiles `/tiles/{level}/{z}/{x}/{y}.mvt` serves to one PMTiles archive, for a
    /// web server or CDN of your own.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// `buurt` (default), `wijk` or `gemeente`.
        #[arg(long, default_value = "buurt")]
        level: String,
        /// The boundary year; default: the newest imported.
        #[arg(long)]
        indeling: Option<i64>,
        #[arg(long, default_value_t = 0)]
        min_zoom: u8,
        #[arg(long, default_value_t = wijkveilig::tiles::MAX_ZOOM)]
        max_zoom: u8,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits non-zero and names the first broken row.
    Verify,
    /// Write the rows of a date range as CSV.
    Export {
        /// First day, YYYY-MM-DD (inclusive).
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD (inclusive).
        #[arg(long)]
        to: String,
        /// Write here instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,geo=error".into()),
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
            .and_then(|rt| {
                let out = rt.block_on(run(cli.database_url, cli.db_pool_size, command));
                // Heavy work stopped at shutdown ends at its next checkpoint; don't wait longer.
                rt.shutdown_timeout(std::time::Duration::from_secs(2));
                out
            }),
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

async fn run(
    database_url: String,
    db_pool_size: Option<u32>,
    command: Command,
) -> anyhow::Result<()> {
    let store = Store::connect_with(&database_url, db_pool_size)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                wijkveilig::config::redact_url(&database_url)
            )
        })?;
    match command {
        Command::Serve {
            addr,
            basemap_style_url,
            session_idle_minutes,
            session_max_hours,
            trust_forwarded_for,
            audit_retention_days,
            benchmark_without_auth,
            allowed_hosts,
            max_connections,
            body_limit_kib,
            heavy_parallel,
            heavy_deadline_seconds,
            oidc,
        } => {
            if benchmark_without_auth {
                anyhow::ensure!(
                    addr.ip().is_loopback(),
                    "--benchmark-without-auth serves everything to anyone: only on a loopback address"
                );
                eprintln!("WARNING: benchmark mode: no sign-in, no access policy, no audit");
            }
            let oidc = oidc
                .config(std::env::var("WIJKVEILIG_OIDC_CLIENT_SECRET").ok())
                .map_err(anyhow::Error::msg)?
                .map(wijkveilig::auth::oidc::Oidc::new)
                .transpose()
                .map_err(anyhow::Error::msg)?;
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
            if !store.is_demo().await? && !store.has_admin().await? {
                anyhow::bail!(
                    "this database holds real data and has no beheerder account, so nobody could sign in.\n\
                     Make one first, e.g.:\n  wijkveilig user add NAME --role beheerder --password-stdin"
                );
            }
            let cutoff = time::OffsetDateTime::now_utc()
                - time::Duration::days(i64::from(audit_retention_days));
            let cutoff = cutoff
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let pruned = store.audit_prune(&cutoff).await?;
            if pruned > 0 {
                audit::record(
                    &store,
                    &Event::by(
                        &Principal::local_admin(),
                        Action::AuditPrune,
                        &format!("{pruned} rows before {cutoff}"),
                        "cli",
                    ),
                )
                .await?;
            }
            let access = wijkveilig::http::AccessConfig {
                // Plain HTTP on loopback (development, the demo) cannot use Secure cookies;
                // anything else is expected behind TLS.
                secure_cookie: !config.addr.ip().is_loopback(),
                idle: std::time::Duration::from_secs(session_idle_minutes * 60),
                absolute: std::time::Duration::from_secs(session_max_hours * 3600),
                trust_forwarded_for,
                benchmark_without_auth,
            };
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            eprintln!(
                "wijkveilig serves http://{} ({} store)",
                listener.local_addr()?,
                store.backend().as_str()
            );
            let mut limits = wijkveilig::config::ServerLimits {
                max_connections,
                body_limit: body_limit_kib.saturating_mul(1024),
                ..Default::default()
            };
            if !config.addr.ip().is_unspecified() {
                limits.allowed_hosts.push(config.addr.ip().to_string());
            }
            limits
                .allowed_hosts
                .extend(allowed_hosts.into_iter().map(|h| h.trim().to_string()));
            let default_work = wijkveilig::service::work::WorkLimits::default();
            let work = wijkveilig::service::work::WorkLimits {
                parallel: heavy_parallel.unwrap_or(default_work.parallel),
                deadline: std::time::Duration::from_secs(heavy_deadline_seconds.max(1)),
                ..default_work
            };
            eprintln!(
                "answers for host names: {}",
                limits.allowed_hosts.join(", ")
            );
            let mut state = wijkveilig::server_state(store.clone(), config.basemap_style_url)
                .with_access(access)
                .with_limits(limits)
                .with_work_limits(work);
            if let Some(oidc) = oidc {
                eprintln!(
                    "single sign-on with {} ({})",
                    oidc.config().issuer.as_str(),
                    oidc.config().name
                );
                state = state.with_oidc(oidc);
            }
            wijkveilig::http::serve(listener, state).await?;
        }
        Command::Import {
            kind,
            file,
            dry_run,
            repair,
            boundary_year,
        } => {
            let opts = ImportOptions {
                dry_run,
                repair,
                demo: false,
                boundary_year,
            };
            // A refused import changes nothing (not even the audit trail: the database stays
            // byte-for-byte as it was); the operator sees why on the terminal.
            let report = import_file(&store, kind, &file, &opts).await?;
            if !dry_run {
                audit_import(&store, &file, &report).await?;
            }
            println!("{report}");
        }
        Command::Fetch { args } => {
            let fetched = wijkveilig::fetch::fetch(&args).await?;
            eprintln!(
                "fetched into {}: {} page(s) downloaded, {} reused from an earlier run; boundaries of {}",
                fetched.dir.display(),
                fetched.downloaded,
                fetched.reused,
                fetched.boundary_year
            );
            for note in &fetched.notes {
                eprintln!("  - {note}");
            }
            let reports = wijkveilig::fetch::import(
                &store,
                &fetched,
                args.dry_run,
                async |file: &std::path::Path, report: &wijkveilig::importer::ImportReport| {
                    audit_import(&store, file, report).await
                },
            )
            .await?;
            for report in reports {
                println!("{report}");
            }
        }
        Command::User { command } => user_command(&store, command).await?,
        Command::Audit { command } => audit_command(&store, command).await?,
        Command::Report {
            period,
            gemeente,
            out,
        } => {
            let bytes =
                wijkveilig::report::write_report(&store, &period, gemeente.as_deref(), &out)
                    .await?;
            eprintln!(
                "report for {period} written to {} ({bytes} bytes)",
                out.display()
            );
        }
        Command::Tiles {
            command:
                TilesCommand::Export {
                    out,
                    level,
                    indeling,
                    min_zoom,
                    max_zoom,
                },
        } => {
            let level = wijkveilig::domain::AreaLevel::parse(&level)
                .ok_or_else(|| anyhow::anyhow!("--level {level}: use gemeente, wijk or buurt"))?;
            let service = wijkveilig::service::Service::new(store.clone());
            let scope = wijkveilig::service::Scope {
                year: indeling,
                ..wijkveilig::service::Scope::all()
            };
            let set = service.tile_set(&scope).await?;
            let started = std::time::Instant::now();
            let summary = tokio::task::spawn_blocking(move || {
                wijkveilig::tiles::export::write_pmtiles(&set, level, min_zoom, max_zoom, &out)
                    .map(|s| (s, out))
            })
            .await??;
            let (s, out) = summary;
            eprintln!(
                "{} tiles (zoom {min_zoom}–{max_zoom}) written to {} ({} bytes) in {:.1} s; largest tile {} bytes",
                s.tiles,
                out.display(),
                s.file_bytes,
                started.elapsed().as_secs_f64(),
                s.largest
            );
        }
        Command::Join { .. } | Command::Openapi => unreachable!("handled without a runtime"),
    }
    store.close().await;
    Ok(())
}

/// Records a committed import in the audit trail (a refused or dry-run import records nothing).
async fn audit_import(
    store: &Store,
    file: &std::path::Path,
    report: &wijkveilig::importer::ImportReport,
) -> Result<(), wijkveilig::store::StoreError> {
    let object = format!("{:?} {}: {} rows", report.kind, file.display(), report.rows);
    audit::record(
        store,
        &Event::by(&Principal::local_admin(), Action::Import, &object, "cli"),
    )
    .await
    .map(drop)
}

async fn user_command(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    use wijkveilig::auth::users;
    let admin = Principal::local_admin();
    match command {
        UserCommand::Add {
            name, role, wijken, ..
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            users::add(store, &admin, &name, role, &wijken, password).await?;
            eprintln!("user {name} added as {role}");
        }
        UserCommand::List => {
            for u in store.users().await? {
                println!("{}", users::describe(&u));
            }
        }
        UserCommand::SetRole { name, role, wijken } => {
            users::set_role(store, &admin, &name, role, &wijken).await?;
            eprintln!("user {name} is now {role}");
        }
        UserCommand::Disable { name } => {
            users::disable(store, &admin, &name).await?;
            eprintln!("user {name} is disabled");
        }
    }
    Ok(())
}

async fn audit_command(store: &Store, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => match audit::verify(store).await? {
            Ok(n) => eprintln!("audit trail intact: {n} rows verified"),
            Err(broken) => anyhow::bail!("{broken}"),
        },
        AuditCommand::Export { from, to, out } => {
            let day = |s: &str, flag: &str| {
                time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                    .with_context(|| format!("--{flag} {s}: use a date like 2026-01-31"))
            };
            let (from, to) = (
                day(&from, "from")?,
                day(&to, "to")?.next_day().unwrap_or(time::Date::MAX),
            );
            let rows = store
                .audit_rows(&format!("{from}T00:00:00Z"), &format!("{to}T00:00:00Z"))
                .await?;
            match &out {
                Some(path) => {
                    let f = std::fs::File::create(path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    audit::write_csv(&rows, f)?;
                    eprintln!("{} audit rows written to {}", rows.len(), path.display());
                }
                None => audit::write_csv(&rows, std::io::stdout())?,
            }
            audit::record(
                store,
                &Event::by(
                    &Principal::local_admin(),
                    Action::Export,
                    &format!("audit {from}..{to}"),
                    "cli",
                ),
            )
            .await?;
        }
    }
    Ok(())
}
