//! Counts and the municipality's own registrations, each tied to a place or an area.

use super::{AreaCode, Month, Period};
use geo::{Geometry, Point};
use serde::{Deserialize, Serialize};
use time::{Date, PrimitiveDateTime};

/// A registered-crime count from a StatLine table. `count: None` means CBS withheld the cell,
/// which is not the same as zero.
#[derive(Debug, Clone, PartialEq)]
pub struct OffenceCount {
    pub area: AreaCode,
    pub period: Period,
    pub crime_type: String,
    pub count: Option<i64>,
}

/// A single police-registered offence with a location (personal data: never served raw to
/// aggregate-only roles).
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: String,
    pub time: PrimitiveDateTime,
    pub crime_type: String,
    pub location: Point<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CameraStatus {
    Active,
    Planned,
}

impl CameraStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CameraStatus::Active => "active",
            CameraStatus::Planned => "planned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" | "actief" => Some(CameraStatus::Active),
            "planned" | "gepland" => Some(CameraStatus::Planned),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Camera {
    pub id: String,
    pub name: String,
    pub location: Point<f64>,
    pub radius_m: f64,
    pub status: CameraStatus,
    pub installed: Option<Date>,
}

/// What an enforcement action led to. Programme indicator 3 counts the first against all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnforcementOutcome {
    /// Compliance restored without any sanction.
    ComplianceWithoutSanction,
    Warning,
    /// Last onder dwangsom or bestuurlijke boete.
    AdministrativeSanction,
    /// Proces-verbaal.
    CriminalReport,
}

impl EnforcementOutcome {
    pub const ALL: [EnforcementOutcome; 4] = [
        EnforcementOutcome::ComplianceWithoutSanction,
        EnforcementOutcome::Warning,
        EnforcementOutcome::AdministrativeSanction,
        EnforcementOutcome::CriminalReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementOutcome::ComplianceWithoutSanction => "compliance_without_sanction",
            EnforcementOutcome::Warning => "warning",
            EnforcementOutcome::AdministrativeSanction => "administrative_sanction",
            EnforcementOutcome::CriminalReport => "criminal_report",
        }
    }

    /// Accepts the stable English codes and the Dutch terms municipal systems use.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "compliance_without_sanction" | "naleving_zonder_sanctie" | "hersteld" => {
                EnforcementOutcome::ComplianceWithoutSanction
            }
            "warning" | "waarschuwing" => EnforcementOutcome::Warning,
            "administrative_sanction"
            | "last_onder_dwangsom"
            | "bestuurlijke_boete"
            | "bestuurlijke_strafbeschikking" => EnforcementOutcome::AdministrativeSanction,
            "criminal_report" | "proces_verbaal" | "pv" => EnforcementOutcome::CriminalReport,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct EnforcementAction {
    pub id: String,
    pub date: Date,
    pub location: Point<f64>,
    /// `building`, `environment`, `public_space`, … (free text, lower case).
    pub domain: String,
    pub outcome: EnforcementOutcome,
}

/// A neighbourhood-watch initiative (buurtpreventie): a WhatsApp group, a foot patrol, …
#[derive(Debug, Clone)]
pub struct Initiative {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// A Polygon/MultiPolygon for the area it watches, or a Point.
    pub geometry: Geometry<f64>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub members: Option<i64>,
}

/// Police E33 (confused-person) reports per area per month. `with_fitting_care` feeds
/// programme indicator 5 where the care partner registers it.
#[derive(Debug, Clone, PartialEq)]
pub struct E33Report {
    pub area: AreaCode,
    pub month: Month,
    pub count: i64,
    pub with_fitting_care: Option<i64>,
}
