//! The HTTP API (axum): thin handlers that parse the request, ask the store and the
//! analysis, and serialise the answer. One file per resource; one error type.

pub mod areas;
pub mod assets;
pub mod error;
pub mod hotspots;
pub mod indicators;
pub mod meta;
pub mod params;
pub mod planning;
pub mod points;
pub mod state;

pub use state::AppState;

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
        meta::health, meta::meta, meta::crime_types,
        areas::list, areas::detail,
        points::cameras, points::enforcement, points::initiatives, points::incidents,
        indicators::list, indicators::set_target, indicators::set_baseline, indicators::breakdown, indicators::report,
        hotspots::hotspots, hotspots::emerging, hotspots::density,
        planning::coverage_now, planning::what_if, planning::placement,
        planning::create_camera, planning::update_camera, planning::delete_camera,
        planning::patrol, planning::patrol_csv,
    ),
    tags((name = "meta"), (name = "areas"), (name = "layers"), (name = "indicators"), (name = "hotspots"), (name = "planning"))
)]
pub struct ApiDoc;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/health", get(meta::health))
        .route("/api/meta", get(meta::meta))
        .route("/api/crime-types", get(meta::crime_types))
        .route("/api/areas", get(areas::list))
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
        .merge(indicators::routes())
        .with_state(state);
    Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .merge(api)
        .fallback(assets::serve)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

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
