//! What the frontend needs to set itself up: health, the data's extent and periods, the
//! wijken, the crime-type hierarchy, and whether this is the synthetic demo.

use super::error::ApiResult;
use super::params::default_range_for;
use super::state::AppState;
use crate::domain::{AreaLevel, CrimeType};
use axum::Json;
use axum::extract::State;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub store: &'static str,
    pub demo: bool,
    pub version: &'static str,
}

#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    Ok(Json(Health {
        status: "ok",
        store: state.store.backend().as_str(),
        demo: state.store.is_demo().await?,
        version: env!("CARGO_PKG_VERSION"),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NamedArea {
    pub code: String,
    pub name: String,
    pub bbox: [f64; 4],
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Periods {
    /// First and last month with monthly data, or January/December of the yearly data.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Whether the offence data has monthly figures (otherwise only years).
    pub monthly: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Range {
    pub from: String,
    pub to: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub buurten: usize,
    pub wijken: usize,
    pub cameras: i64,
    pub enforcement: i64,
    pub initiatives: i64,
    pub incidents: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Meta {
    pub demo: bool,
    pub demo_notice: Option<String>,
    pub gemeente: Option<NamedArea>,
    pub boundary_year: Option<i64>,
    pub bbox: Option<[f64; 4]>,
    pub periods: Periods,
    pub default_range: Range,
    pub wijken: Vec<NamedArea>,
    pub basemap_style_url: Option<String>,
    pub counts: Counts,
}

pub const DEMO_NOTICE: &str = "Synthetische demodata: een verzonnen gemeente, geen echte cijfers. \
    Laad eigen gegevens met 'wijkveilig import'.";

#[utoipa::path(get, path = "/api/meta", tag = "meta", responses((status = 200, body = Meta)))]
pub async fn meta(State(state): State<AppState>) -> ApiResult<Json<Meta>> {
    let set = state.areas().await?;
    let demo = state.store.is_demo().await?;
    let named = |i: usize| {
        let r = &set.rows[i];
        NamedArea {
            code: r.code.clone(),
            name: r.name.clone(),
            bbox: r.bbox,
        }
    };
    let mut bbox: Option<[f64; 4]> = None;
    for r in &set.rows {
        let b = bbox.get_or_insert(r.bbox);
        *b = [
            b[0].min(r.bbox[0]),
            b[1].min(r.bbox[1]),
            b[2].max(r.bbox[2]),
            b[3].max(r.bbox[3]),
        ];
    }
    let gemeente = set
        .level(AreaLevel::Gemeente)
        .next()
        .map(named)
        .or_else(|| {
            // Boundary files often hold only buurten and wijken; name the gemeente by its code.
            set.rows.first().map(|r| {
                let code = format!("GM{}", &r.code[2..6]);
                NamedArea {
                    name: code.clone(),
                    code,
                    bbox: bbox.unwrap_or_default(),
                }
            })
        });
    let (months, years) = state.store.offence_extent().await?;
    let periods = match (months, years) {
        (Some((a, b)), _) => Periods {
            first: Some(a.iso()),
            last: Some(b.iso()),
            monthly: true,
        },
        (None, Some((a, b))) => Periods {
            first: Some(format!("{a}-01")),
            last: Some(format!("{b}-12")),
            monthly: false,
        },
        _ => Periods {
            first: None,
            last: None,
            monthly: false,
        },
    };
    let range = default_range_for((months, years));
    Ok(Json(Meta {
        demo,
        demo_notice: demo.then(|| DEMO_NOTICE.to_string()),
        gemeente,
        boundary_year: set.rows.iter().find_map(|r| r.boundary_year),
        bbox,
        periods,
        default_range: Range {
            from: range.from.iso(),
            to: range.to.iso(),
        },
        wijken: set.level(AreaLevel::Wijk).map(named).collect(),
        basemap_style_url: state.basemap_style_url.clone(),
        counts: Counts {
            buurten: set.level(AreaLevel::Buurt).count(),
            wijken: set.level(AreaLevel::Wijk).count(),
            cameras: state.store.table_count("cameras").await?,
            enforcement: state.store.table_count("enforcement").await?,
            initiatives: state.store.table_count("initiatives").await?,
            incidents: state.store.table_count("incidents").await?,
        },
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CrimeTypeNode {
    pub code: String,
    pub title: String,
    pub parent: Option<String>,
    pub level: usize,
}

#[utoipa::path(get, path = "/api/crime-types", tag = "meta",
    responses((status = 200, description = "The SoortMisdrijf hierarchy of the codes in the data, total first", body = [CrimeTypeNode])))]
pub async fn crime_types(State(state): State<AppState>) -> ApiResult<Json<Vec<CrimeTypeNode>>> {
    let titles = state.store.crime_type_titles().await?;
    let mut codes = state.store.offence_crime_types().await?;
    // Parents that the data lacks still belong in the tree, so children can be grouped.
    let parents: Vec<String> = codes
        .iter()
        .filter_map(|c| CrimeType::parent_code(c))
        .collect();
    for p in parents {
        let mut p = Some(p);
        while let Some(code) = p {
            if !codes.contains(&code) {
                codes.push(code.clone());
            }
            p = CrimeType::parent_code(&code);
        }
    }
    codes.sort_by_key(|c| sort_key(c));
    Ok(Json(
        codes
            .into_iter()
            .map(|c| CrimeTypeNode {
                title: titles.get(&c).cloned().unwrap_or_else(|| c.clone()),
                parent: CrimeType::parent_code(&c),
                level: CrimeType::level(&c),
                code: c,
            })
            .collect(),
    ))
}

/// Numeric order (1.2 before 1.10), total first.
fn sort_key(code: &str) -> Vec<u32> {
    code.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}
