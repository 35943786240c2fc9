//! What every handler shares: the service (store and area cache), the configuration the
//! frontend is told about, and the report renderer the composition root hands in (so that
//! `http` need not import `report`).

use super::session::AccessConfig;
use crate::service::Service;
use crate::service::report::ReportData;
use crate::store::Store;

/// Renders the steering report as one HTML file.
pub type ReportRenderer = fn(&ReportData) -> String;

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub basemap_style_url: Option<String>,
    /// For `GET /api/report?format=html`; without it that format answers 404.
    pub report_html: Option<ReportRenderer>,
    /// The Content-Security-Policy of the HTML report (its stylesheet's hash).
    pub report_csp: String,
    /// Cookie and session rules.
    pub access: AccessConfig,
    /// Single sign-on, when configured (`--oidc-issuer`).
    pub oidc: Option<std::sync::Arc<crate::auth::oidc::Oidc>>,
    /// Connections, body size and host names (see [`super::limits`]).
    pub limits: std::sync::Arc<crate::config::ServerLimits>,
}

impl AppState {
    pub fn new(store: Store, basemap_style_url: Option<String>) -> Self {
        AppState {
            service: Service::new(store),
            basemap_style_url,
            report_html: None,
            report_csp: "default-src 'none'".into(),
            access: AccessConfig::default(),
            oidc: None,
            limits: Default::default(),
        }
    }

    pub fn with_limits(mut self, limits: crate::config::ServerLimits) -> Self {
        self.limits = std::sync::Arc::new(limits);
        self
    }

    /// The same state with other limits on heavy work (see [`crate::service::work`]).
    pub fn with_work_limits(mut self, limits: crate::service::work::WorkLimits) -> Self {
        self.service = self.service.with_work_limits(limits);
        self
    }

    pub fn with_access(mut self, access: AccessConfig) -> Self {
        self.access = access;
        self
    }

    pub fn with_oidc(mut self, oidc: crate::auth::oidc::Oidc) -> Self {
        self.oidc = Some(std::sync::Arc::new(oidc));
        self
    }

    pub fn with_report_renderer(mut self, render: ReportRenderer, csp: String) -> Self {
        self.report_html = Some(render);
        self.report_csp = csp;
        self
    }
}
