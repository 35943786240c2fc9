//! Who may see and do what: the roles of the programme, what a route needs, and the one table
//! that says which role has which need (deny by default).
//!
//! | role | sees | may change |
//! |---|---|---|
//! | `beheerder` | everything | users, targets and baselines, cameras |
//! | `veiligheidsteam` | all aggregates of the gemeente; incident and enforcement points; planning | cameras |
//! | `wijkregisseur` | buurt-level aggregates and points only inside own wijk(en); wijk-level aggregates of the whole gemeente | nothing |
//! | `stuurgroep` | aggregates only, with small counts suppressed; indicators; report | targets |
//! | anonymous | the sign-in page, `/api/health` | nothing |
//!
//! Routes declare a [`Need`]; [`Principal::may`] is the only place that grants one. What a
//! granted request then *sees* (which buurten, which points, suppressed small counts) is the
//! [`Principal`]'s scope, applied by the service where data leaves it.

use crate::domain::AreaCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A role of the programme. The names are the Dutch ones the municipality uses.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Administrator: sees everything; manages users, targets, baselines and cameras.
    Beheerder,
    /// The safety team: every aggregate and point of the gemeente, planning, cameras.
    Veiligheidsteam,
    /// A district director: buurt figures and points inside their own wijken only.
    Wijkregisseur,
    /// The steering group: aggregates with small counts suppressed, indicators, the report.
    Stuurgroep,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Beheerder,
        Role::Veiligheidsteam,
        Role::Wijkregisseur,
        Role::Stuurgroep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Beheerder => "beheerder",
            Role::Veiligheidsteam => "veiligheidsteam",
            Role::Wijkregisseur => "wijkregisseur",
            Role::Stuurgroep => "stuurgroep",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a route needs. Every route of the API declares one (`http::policy`); a route without
/// a declaration is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Anyone, signed in or not: `/api/health`, signing in.
    Public,
    /// Any signed-in user: aggregates (scoped and suppressed per role), metadata.
    Aggregates,
    /// Point layers: incidents, enforcement actions, cameras, initiatives (scoped per role).
    Points,
    /// Camera and patrol planning from incident locations.
    Planning,
    /// The steering report and indicator targets' overview.
    Report,
    /// Adding, moving and removing cameras.
    ChangeCameras,
    /// Setting an indicator's target.
    ChangeTargets,
    /// Setting an indicator's baseline.
    ChangeBaselines,
    /// Managing accounts.
    ChangeUsers,
}

impl Need {
    pub const ALL: [Need; 9] = [
        Need::Public,
        Need::Aggregates,
        Need::Points,
        Need::Planning,
        Need::Report,
        Need::ChangeCameras,
        Need::ChangeTargets,
        Need::ChangeBaselines,
        Need::ChangeUsers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Need::Public => "public",
            Need::Aggregates => "aggregates",
            Need::Points => "points",
            Need::Planning => "planning",
            Need::Report => "report",
            Need::ChangeCameras => "change_cameras",
            Need::ChangeTargets => "change_targets",
            Need::ChangeBaselines => "change_baselines",
            Need::ChangeUsers => "change_users",
        }
    }
}

/// The one grant table: whether `role` has `need`.
pub fn grants(role: Role, need: Need) -> bool {
    use Need::*;
    use Role::*;
    match need {
        Public | Aggregates => true,
        Points => matches!(role, Beheerder | Veiligheidsteam | Wijkregisseur),
        Planning | ChangeCameras => matches!(role, Beheerder | Veiligheidsteam),
        Report => matches!(role, Beheerder | Veiligheidsteam | Stuurgroep),
        ChangeTargets => matches!(role, Beheerder | Stuurgroep),
        ChangeBaselines | ChangeUsers => role == Beheerder,
    }
}

/// Who is asking: a signed-in account (or the command line acting as the local
/// administrator, or a visitor of the demo in the role they picked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Principal {
    pub username: String,
    pub role: Role,
    /// The wijken a wijkregisseur works on (CBS WK codes); empty for other roles.
    #[schema(value_type = Vec<String>)]
    pub wijken: Vec<AreaCode>,
}

impl Principal {
    /// The command line: the local administrator (whoever can run the binary on the server
    /// can read its database anyway).
    pub fn local_admin() -> Principal {
        Principal {
            username: "cli".into(),
            role: Role::Beheerder,
            wijken: vec![],
        }
    }

    pub fn may(&self, need: Need) -> bool {
        grants(self.role, need)
    }

    /// Whether this principal sees buurt-level figures and points of `area` (a buurt or a
    /// wijk): everyone but a wijkregisseur sees all; a wijkregisseur only inside their wijken.
    pub fn sees_detail_of(&self, area: &AreaCode) -> bool {
        match self.role {
            Role::Wijkregisseur => self.wijken.iter().any(|w| w == area || w.contains(area)),
            Role::Stuurgroep => false,
            Role::Beheerder | Role::Veiligheidsteam => true,
        }
    }

    /// Whether figures shown to this principal have small counts suppressed (everywhere for
    /// the steering group; outside their own wijken for a wijkregisseur).
    pub fn suppresses_small_counts(&self) -> bool {
        matches!(self.role, Role::Stuurgroep | Role::Wijkregisseur)
    }

    /// Whether this principal sees the heatmap built from exact incident locations (the
    /// others get the one built so that no single incident can be located).
    pub fn sees_exact_heatmap(&self) -> bool {
        matches!(self.role, Role::Beheerder | Role::Veiligheidsteam)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regisseur(wijk: &str) -> Principal {
        Principal {
            username: "w".into(),
            role: Role::Wijkregisseur,
            wijken: vec![AreaCode::parse(wijk).unwrap()],
        }
    }

    #[test]
    fn a_wijkregisseur_sees_detail_only_inside_their_wijk() {
        let p = regisseur("WK014101");
        assert!(p.sees_detail_of(&AreaCode::parse("BU01410101").unwrap()));
        assert!(p.sees_detail_of(&AreaCode::parse("WK014101").unwrap()));
        assert!(!p.sees_detail_of(&AreaCode::parse("BU01410201").unwrap()));
        assert!(!p.sees_detail_of(&AreaCode::parse("GM0141").unwrap()));
        assert!(!p.may(Need::Planning));
        assert!(p.may(Need::Points));
    }

    #[test]
    fn only_the_administrator_manages_users_and_baselines() {
        for role in Role::ALL {
            assert_eq!(grants(role, Need::ChangeUsers), role == Role::Beheerder);
            assert_eq!(grants(role, Need::ChangeBaselines), role == Role::Beheerder);
        }
        assert!(!grants(Role::Stuurgroep, Need::Points));
        assert!(grants(Role::Stuurgroep, Need::ChangeTargets));
    }
}
