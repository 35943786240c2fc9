//! The point and registration layers as GeoJSON: cameras, enforcement actions, watch
//! initiatives and incidents.

use super::access::{require, sees_point};
use super::geojson::{Feature, FeatureCollection, Geometry};
use super::{Resolved, Service, ServiceResult};
use crate::auth::{Need, Principal};
use crate::store::CameraRow;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CameraProps {
    pub id: String,
    pub name: String,
    /// `active` or `planned`.
    pub status: String,
    pub radius_m: f64,
    pub installed: Option<String>,
    pub buurt_code: Option<String>,
}

/// A camera as a feature.
pub fn camera_feature(c: CameraRow) -> Feature<CameraProps> {
    Feature::new(
        c.id.clone(),
        Geometry::point(c.lon, c.lat),
        CameraProps {
            id: c.id,
            name: c.name,
            status: c.status,
            radius_m: c.radius_m,
            installed: c.installed,
            buurt_code: c.buurt_code,
        },
    )
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnforcementProps {
    pub id: String,
    /// `YYYY-MM-DD`
    pub date: String,
    pub domain: String,
    pub outcome: String,
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InitiativeProps {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub members: Option<i64>,
    pub buurt_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentProps {
    pub id: String,
    /// `YYYY-MM-DDTHH:MM:SS`, local time.
    pub time: String,
    pub crime_type: String,
    pub buurt_code: Option<String>,
}

impl Service {
    pub async fn cameras(&self, who: &Principal) -> ServiceResult<FeatureCollection<CameraProps>> {
        require(who, Need::Points)?;
        Ok(FeatureCollection::new(
            self.store()
                .cameras()
                .await?
                .into_iter()
                .filter(|c| sees_point(who, c.buurt_code.as_deref()))
                .map(camera_feature)
                .collect(),
        ))
    }

    pub async fn enforcement(
        &self,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<FeatureCollection<EnforcementProps>> {
        require(who, Need::Points)?;
        let set = self.areas(&sel.scope).await?;
        Ok(FeatureCollection::new(
            self.store()
                .enforcement(sel.range)
                .await?
                .into_iter()
                .filter(|e| {
                    set.scope.holds_point(e.buurt_code.as_deref())
                        && sees_point(who, e.buurt_code.as_deref())
                })
                .map(|e| {
                    Feature::new(
                        e.id.clone(),
                        Geometry::point(e.lon, e.lat),
                        EnforcementProps {
                            id: e.id,
                            date: e.date,
                            domain: e.domain,
                            outcome: e.outcome,
                            buurt_code: e.buurt_code,
                        },
                    )
                })
                .collect(),
        ))
    }

    pub async fn initiatives(
        &self,
        who: &Principal,
    ) -> ServiceResult<FeatureCollection<InitiativeProps>> {
        require(who, Need::Points)?;
        Ok(FeatureCollection::new(
            self.store()
                .initiatives()
                .await?
                .into_iter()
                .filter(|i| sees_point(who, i.buurt_code.as_deref()))
                .map(|i| {
                    Feature::new(
                        i.id.clone(),
                        Geometry::raw(i.geometry),
                        InitiativeProps {
                            id: i.id,
                            name: i.name,
                            kind: i.kind,
                            start_date: i.start_date,
                            end_date: i.end_date,
                            members: i.members,
                            buurt_code: i.buurt_code,
                        },
                    )
                })
                .collect(),
        ))
    }

    pub async fn incident_layer(
        &self,
        sel: &Resolved,
        who: &Principal,
    ) -> ServiceResult<FeatureCollection<IncidentProps>> {
        require(who, Need::Points)?;
        Ok(FeatureCollection::new(
            self.incidents(sel)
                .await?
                .into_iter()
                .filter(|i| sees_point(who, i.buurt_code.as_deref()))
                .map(|i| {
                    Feature::new(
                        i.id.clone(),
                        Geometry::point(i.lon, i.lat),
                        IncidentProps {
                            id: i.id,
                            time: i.time,
                            crime_type: i.crime_type,
                            buurt_code: i.buurt_code,
                        },
                    )
                })
                .collect(),
        ))
    }
}
