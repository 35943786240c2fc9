//! What every route needs, in one table. The `authorize` middleware looks each request's
//! route up here; a route missing from the table is refused (deny by default), and a test
//! checks the table against the router's OpenAPI document both ways.

use crate::auth::Need;
use axum::http::Method;

/// `(method, route as the router writes it, need)`.
pub const ROUTES: &[(&str, &str, Need)] = &[
    ("GET", "/api/health", Need::Public),
    ("POST", "/api/session", Need::Public),
    ("GET", "/api/session", Need::Aggregates),
    ("DELETE", "/api/session", Need::Aggregates),
    ("PUT", "/api/session/demo-role", Need::Public),
    ("GET", "/api/session/oidc", Need::Public),
    ("GET", "/api/session/oidc/login", Need::Public),
    ("GET", "/api/session/oidc/callback", Need::Public),
    ("GET", "/api/meta", Need::Aggregates),
    ("GET", "/api/crime-types", Need::Aggregates),
    ("GET", "/api/areas", Need::Aggregates),
    ("GET", "/api/areas/{code}", Need::Aggregates),
    ("GET", "/api/figures", Need::Aggregates),
    // Boundaries, codes and names only (CBS open data): see `http::tiles`.
    ("GET", "/api/tiles", Need::Public),
    ("GET", "/tiles/{level}/{z}/{x}/{tile}", Need::Public),
    ("GET", "/api/cameras", Need::Points),
    ("POST", "/api/cameras", Need::ChangeCameras),
    ("PUT", "/api/cameras/{id}", Need::ChangeCameras),
    ("DELETE", "/api/cameras/{id}", Need::ChangeCameras),
    ("GET", "/api/hotspots", Need::Aggregates),
    ("GET", "/api/hotspots/emerging", Need::Aggregates),
    ("GET", "/api/kde", Need::Aggregates),
    ("GET", "/api/coverage", Need::Planning),
    ("POST", "/api/coverage/what-if", Need::Planning),
    ("POST", "/api/planning/placement", Need::Planning),
    ("GET", "/api/patrol", Need::Planning),
    ("GET", "/api/patrol.csv", Need::Planning),
    ("GET", "/api/enforcement", Need::Points),
    ("GET", "/api/initiatives", Need::Points),
    ("GET", "/api/incidents", Need::Points),
    ("GET", "/api/indicators", Need::Aggregates),
    ("PUT", "/api/indicators/{key}/target", Need::ChangeTargets),
    (
        "PUT",
        "/api/indicators/{key}/baseline",
        Need::ChangeBaselines,
    ),
    ("GET", "/api/indicators/{key}/breakdown", Need::Aggregates),
    ("GET", "/api/report", Need::Report),
    ("GET", "/api/openapi.json", Need::Aggregates),
    ("GET", "/api/docs", Need::Aggregates),
    ("GET", "/api/docs/", Need::Aggregates),
    ("GET", "/api/docs/{*rest}", Need::Aggregates),
];

/// The need of a route, or `None` when the table does not list it (refused).
pub fn need_for(method: &Method, route: &str) -> Option<Need> {
    // HEAD is answered like GET.
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map(|&(_, _, n)| n)
}
