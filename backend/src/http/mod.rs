//! The HTTP API (axum): thin handlers that parse the request, ask the [`crate::service`], and
//! serialise the typed answer. One file per resource; one error type; every request gets an
//! id that error responses and the log share.

mod areas;
mod assets;
mod error;
mod extract;
mod hotspots;
mod indicators;
mod kept;
pub mod limits;
mod meta;
mod oidc;
mod planning;
mod points;
pub mod policy;
mod security;
mod session;
mod state;
mod tiles;

pub use error::{ApiError, ErrorBody};
pub use session::AccessConfig;
pub use state::{AppState, ReportRenderer};

use axum::Router;
use axum::routing::{get, post, put};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "wijkveilig API", description = "District-safety figures per CBS buurt and wijk. \
        Periods are YYYY-MM months or YYYY years (CBS codes like 2023MM04 are accepted). \
        A count of null is withheld by CBS, never zero."),
    paths(
        session::current, session::sign_in, session::sign_out, session::demo_role,
        oidc::info, oidc::login, oidc::callback,
        meta::health, meta::meta, meta::crime_types,
        areas::list, areas::detail, tiles::figures, tiles::info, tiles::tile,
        points::cameras, points::enforcement, points::initiatives, points::incidents,
        indicators::list, indicators::set_target, indicators::set_baseline, indicators::breakdown, indicators::report,
        hotspots::hotspots, hotspots::emerging, hotspots::density,
        planning::coverage_now, planning::what_if, planning::placement,
        planning::create_camera, planning::update_camera, planning::delete_camera,
        planning::patrol, planning::patrol_csv,
    ),
    components(schemas(
        ErrorBody,
        crate::auth::Role,
        crate::auth::Need,
        crate::service::areas::Level,
        crate::service::hotspots::HotspotValue,
        crate::service::hotspots::WeightsKind,
        crate::service::hotspots::Smoothing,
        crate::service::hotspots::Step,
        indicators::ReportFormat,
    )),
    tags((name = "session"), (name = "meta"), (name = "areas"), (name = "layers"), (name = "indicators"), (name = "hotspots"), (name = "planning"))
)]
pub struct ApiDoc;

pub fn router(state: AppState) -> Router {
    let sessions = tower_sessions::SessionManagerLayer::new(
        crate::auth::sessions::DbSessionStore::new(state.service.store().clone()),
    )
    .with_name("wijkveilig_session")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Strict)
    .with_secure(state.access.secure_cookie)
    .with_expiry(tower_sessions::Expiry::OnInactivity(
        time::Duration::seconds(state.access.idle.as_secs() as i64),
    ));
    let auth = axum_login::AuthManagerLayerBuilder::new(
        crate::auth::Accounts::new(state.service.store().clone()),
        sessions,
    )
    .build();
    let security_state = security::Csp::new(state.basemap_style_url.clone());
    let docs = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::authorize,
        ));
    let api = Router::new()
        .route(
            "/api/session",
            get(session::current)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route("/api/session/demo-role", put(session::demo_role))
        .route("/api/session/oidc", get(oidc::info))
        .route("/api/session/oidc/login", get(oidc::login))
        .route("/api/session/oidc/callback", get(oidc::callback))
        .route("/api/health", get(meta::health))
        .route("/api/meta", get(meta::meta))
        .route("/api/crime-types", get(meta::crime_types))
        .route("/api/areas", get(areas::list))
        .route("/api/figures", get(tiles::figures))
        .route("/api/tiles", get(tiles::info))
        .route("/api/areas/{code}", get(areas::detail))
        .route(
            "/api/cameras",
            get(points::cameras).post(planning::create_camera),
        )
        .route(
            "/api/cameras/{id}",
            put(planning::update_camera).delete(planning::delete_camera),
        )
        .route("/api/hotspots", get(hotspots::hotspots))
        .route("/api/hotspots/emerging", get(hotspots::emerging))
        .route("/api/kde", get(hotspots::density))
        .route("/api/coverage", get(planning::coverage_now))
        .route("/api/coverage/what-if", post(planning::what_if))
        .route("/api/planning/placement", post(planning::placement))
        .route("/api/patrol", get(planning::patrol))
        .route("/api/patrol.csv", get(planning::patrol_csv))
        .route("/api/enforcement", get(points::enforcement))
        .route("/api/initiatives", get(points::initiatives))
        .route("/api/incidents", get(points::incidents))
        .route("/api/indicators", get(indicators::list))
        .route("/api/indicators/{key}/target", put(indicators::set_target))
        .route(
            "/api/indicators/{key}/baseline",
            put(indicators::set_baseline),
        )
        .route(
            "/api/indicators/{key}/breakdown",
            get(indicators::breakdown),
        )
        .route("/api/report", get(indicators::report))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::authorize,
        ))
        .with_state(state.clone());
    // Tiles are public and read no session (see `tiles`): they join outside the session layers.
    let tiles = Router::new()
        .route("/tiles/{level}/{z}/{x}/{tile}", get(tiles::tile))
        .with_state(state.clone());
    Router::new()
        .merge(docs)
        .merge(api)
        .fallback(assets::serve)
        .layer(auth)
        .merge(tiles)
        // Inside compression, so that it reads the framework's plain text uncompressed.
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            security_state,
            security::headers,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.limits.body_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.limits.clone(),
            limits::hosts,
        ))
        .layer(axum::middleware::from_fn(request_id))
        .layer(TraceLayer::new_for_http())
}

/// Gives each request an id (`x-request-id` on the response), under which errors are logged
/// and which error bodies name.
async fn request_id(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() & 0xff_ffff)
    });
    let id = format!("{:06x}-{}", *START, NEXT.fetch_add(1, Ordering::Relaxed));
    // A panic in a handler becomes the documented JSON 500 with this id, not a dropped
    // connection; the panic's message goes to the log only.
    let answer = async {
        use futures_util::FutureExt;
        match std::panic::AssertUnwindSafe(next.run(req))
            .catch_unwind()
            .await
        {
            Ok(res) => res,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                axum::response::IntoResponse::into_response(error::ApiError::Internal(format!(
                    "a handler panicked: {what}"
                )))
            }
        }
    };
    let mut res = error::REQUEST_ID.scope(id.clone(), answer).await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The OpenAPI document, as `/api/openapi.json` serves it.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// Serves until Ctrl-C or SIGTERM. Then heavy work in flight is stopped (its requests get a
/// retryable 503), open requests get [`SHUTDOWN_GRACE`] to finish, and the server returns.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let work = state.service.work().clone();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown_signal().await;
        tracing::info!("shutting down: stopping heavy work, finishing open requests");
        work.shut_down();
        let _ = stopping_tx.send(());
    };
    // `tap_io` only so that axum's `ConnectInfo<SocketAddr>` works with our listener.
    let listener = axum::serve::ListenerExt::tap_io(
        limits::Listener::new(listener, state.limits.max_connections),
        |_| {},
    );
    let server = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let mut server = std::pin::pin!(server.into_future());
    let mut stopping = std::pin::pin!(stopping_rx);
    tokio::select! {
        done = &mut server => done,
        _ = &mut stopping => {
            match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
                Ok(done) => done,
                Err(_) => {
                    tracing::warn!("requests still open after {SHUTDOWN_GRACE:?}: closing them");
                    Ok(())
                }
            }
        }
    }
}

/// How long open requests may take to finish after SIGTERM.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;

    #[tokio::test]
    async fn a_panicking_handler_answers_the_json_500_with_its_request_id() {
        async fn boom() -> &'static str {
            panic!("secret detail")
        }
        let app = Router::new()
            .route("/boom", get(boom))
            .layer(axum::middleware::from_fn(super::request_id));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let res = reqwest::get(format!("http://{addr}/boom")).await.unwrap();
        assert_eq!(res.status().as_u16(), 500);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "internal");
        assert_eq!(body["request_id"], id.as_str());
        assert!(
            !body["message"].as_str().unwrap().contains("secret"),
            "{body}"
        );
    }
}
