//! What the frontend needs to set itself up: health, the data's extent and periods, the
//! wijken, the crime-type hierarchy, and whether this is the synthetic demo.

use super::selection::default_range;
use super::{Scope, Service, ServiceResult};
use crate::domain::crime_type::TOTAL;
use crate::domain::{CrimeType, code_lists};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub store: &'static str,
    pub demo: bool,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NamedArea {
    pub code: String,
    pub name: String,
    pub bbox: [f64; 4],
}

/// A gemeente to choose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GemeenteOption {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Periods {
    /// First and last month with monthly data, or January/December of the yearly data.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Whether the offence data has monthly figures (otherwise only years).
    pub monthly: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Range {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub buurten: usize,
    pub wijken: usize,
    pub cameras: i64,
    pub enforcement: i64,
    pub initiatives: i64,
    pub incidents: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Meta {
    pub demo: bool,
    pub demo_notice: Option<String>,
    /// The gemeente shown; `None` when every gemeente of the boundary year is shown.
    pub gemeente: Option<NamedArea>,
    /// Whether the scope is every gemeente of the boundary year (`gemeente=alle`).
    pub all_gemeenten: bool,
    /// The gemeenten of the boundary year, to choose from.
    pub gemeenten: Vec<GemeenteOption>,
    /// The boundary year shown; `None` when the boundary file did not state it.
    pub boundary_year: Option<i64>,
    /// Every imported boundary year, newest first (0: a set whose year is not known).
    pub boundary_years: Vec<i64>,
    pub bbox: Option<[f64; 4]>,
    pub periods: Periods,
    pub default_range: Range,
    pub wijken: Vec<NamedArea>,
    pub basemap_style_url: Option<String>,
    pub counts: Counts,
}

pub const DEMO_NOTICE: &str = "Synthetische demodata: een verzonnen gemeente, geen echte cijfers. \
    Laad eigen gegevens met 'wijkveilig import'.";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrimeTypeNode {
    pub code: String,
    /// The Dutch title (from the shipped CBS code list, else the imported label).
    pub title: String,
    pub parent: Option<String>,
    pub level: usize,
    /// Whether the offence figures hold this code or one inside it.
    pub offences: bool,
    /// Whether imported incidents hold this code or one inside it.
    pub incidents: bool,
}

/// Numeric order (1.2 before 1.10), total first.
fn sort_key(code: &str) -> Vec<u32> {
    code.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

impl Service {
    pub async fn health(&self) -> ServiceResult<Health> {
        Ok(Health {
            status: "ok",
            store: self.store().backend().as_str(),
            demo: self.store().is_demo().await?,
            version: env!("CARGO_PKG_VERSION"),
        })
    }

    /// The data's set-up; `basemap_style_url` is configuration the caller passes through.
    pub async fn meta(
        &self,
        basemap_style_url: Option<String>,
        scope: &Scope,
    ) -> ServiceResult<Meta> {
        let set = self.areas(scope).await?;
        let (years, gemeenten) = self.area_sets().await?;
        let year = set.scope.year;
        let store = self.store();
        let demo = store.is_demo().await?;
        let named = |i: usize| {
            let a = &set.areas[i];
            NamedArea {
                code: a.code.to_string(),
                name: a.name.clone(),
                bbox: a.bbox,
            }
        };
        let bbox = set.bbox();
        // Boundary files often hold only buurten and wijken: then the gemeente's name comes
        // from the CBS list of its boundary year.
        let gemeente = set
            .scope
            .gemeente
            .as_ref()
            .map(|g| match set.position(g.as_str()) {
                Some(i) => named(i),
                None => NamedArea {
                    name: set.display_name(g).unwrap_or_else(|| g.to_string()),
                    code: g.to_string(),
                    bbox: bbox.unwrap_or_default(),
                },
            });
        let choices = gemeenten
            .get(&year)
            .map(|codes| {
                codes
                    .iter()
                    .map(|g| GemeenteOption {
                        code: g.to_string(),
                        name: code_lists::gemeente_name(g.as_str(), set.scope.boundary_year())
                            .map_or_else(|| g.to_string(), str::to_string),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let extent = self.period_extent().await?;
        let periods = match extent {
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
        let range = default_range(extent);
        Ok(Meta {
            demo,
            demo_notice: demo.then(|| DEMO_NOTICE.to_string()),
            gemeente,
            all_gemeenten: set.scope.gemeente.is_none() && !set.areas.is_empty(),
            gemeenten: choices,
            boundary_year: set.scope.boundary_year(),
            boundary_years: years,
            bbox,
            periods,
            default_range: Range {
                from: range.from.iso(),
                to: range.to.iso(),
            },
            wijken: set.wijken.iter().map(|&i| named(i)).collect(),
            basemap_style_url,
            counts: Counts {
                buurten: set.buurten.len(),
                wijken: set.wijken.len(),
                cameras: store.table_count("cameras").await?,
                enforcement: store.table_count("enforcement").await?,
                initiatives: store.table_count("initiatives").await?,
                incidents: store.table_count("incidents").await?,
            },
        })
    }

    /// The SoortMisdrijf hierarchy of the codes in the data (offence figures and incidents),
    /// total first, with the parents the data lacks, so children can be grouped; each says
    /// whether offence figures or incidents hold it, because yearly downloads often hold
    /// only the total while incidents carry their own types.
    pub async fn crime_types(&self) -> ServiceResult<Vec<CrimeTypeNode>> {
        let titles = self.store().crime_type_titles().await?;
        let offence_codes = self.offence_crime_types().await?;
        let incident_codes = self.store().incident_crime_types().await?;
        let mut codes: Vec<String> = offence_codes.clone();
        for c in &incident_codes {
            if !codes.contains(c) {
                codes.push(c.clone());
            }
        }
        if !incident_codes.is_empty() && !codes.iter().any(|c| c == TOTAL) {
            codes.push(TOTAL.to_string());
        }
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
        Ok(codes
            .into_iter()
            .map(|c| CrimeTypeNode {
                title: code_lists::crime_type_title(&c)
                    .map(str::to_string)
                    .or_else(|| titles.get(&c).cloned())
                    .unwrap_or_else(|| c.clone()),
                parent: CrimeType::parent_code(&c),
                level: CrimeType::level(&c),
                // The total holds every code.
                offences: offence_codes
                    .iter()
                    .any(|o| c == TOTAL || CrimeType::is_within(o, &c)),
                incidents: incident_codes
                    .iter()
                    .any(|o| c == TOTAL || CrimeType::is_within(o, &c)),
                code: c,
            })
            .collect())
    }
}
