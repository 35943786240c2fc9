//! Point locations in municipal CSV files: WGS84 `lon,lat` columns or RD New `x,y` columns.
//! Coordinates in the wrong columns are refused rather than silently placed at sea.

use super::IngestError;
use super::table::{Row, Table};
use crate::spatial::frame::MetricFrame;
use geo::Point;

/// Which columns hold the location and in what CRS.
pub enum PointColumns {
    LonLat { lon: usize, lat: usize },
    Rd { x: usize, y: usize },
}

impl PointColumns {
    pub fn resolve(table: &Table) -> Result<Self, IngestError> {
        if let (Some(lon), Some(lat)) = (
            table.column(&["lon", "longitude", "lng"]),
            table.column(&["lat", "latitude"]),
        ) {
            return Ok(PointColumns::LonLat { lon, lat });
        }
        if let (Some(x), Some(y)) = (
            table.column(&["x", "rd_x", "x_rd"]),
            table.column(&["y", "rd_y", "y_rd"]),
        ) {
            return Ok(PointColumns::Rd { x, y });
        }
        Err(IngestError::line(
            table.path(),
            1,
            format!(
                "the header has no location columns (found: {})",
                table.headers().join(", ")
            ),
            "add lon and lat columns (WGS84 degrees) or x and y columns (RD New metres)",
        )
        .with_field("lon/lat or x/y"))
    }

    /// The row's location in WGS84.
    pub fn point(&self, row: &Row<'_>, frame: &MetricFrame) -> Result<Point<f64>, IngestError> {
        match *self {
            PointColumns::LonLat { lon, lat } => {
                let (x, y) = (row.f64(lon, "lon")?, row.f64(lat, "lat")?);
                if frame.contains_metric(geo::Coord { x, y }) && (x.abs() > 180.0 || y.abs() > 90.0)
                {
                    return Err(row.error(
                        "lon",
                        format!("{x}, {y} are RD New metres, not WGS84 degrees"),
                        "rename the columns to x and y, or convert the coordinates to lon/lat",
                    ));
                }
                if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                    return Err(row.error(
                        "lon",
                        format!("{x}, {y} is not a lon/lat position"),
                        "use WGS84 degrees, lon first",
                    ));
                }
                Ok(Point::new(x, y))
            }
            PointColumns::Rd { x, y } => {
                let (x, y) = (row.f64(x, "x")?, row.f64(y, "y")?);
                if !frame.contains_metric(geo::Coord { x, y }) {
                    return Err(row.error(
                        "x",
                        format!("{x}, {y} lies outside the RD New area"),
                        "x/y columns must be RD New metres (EPSG:28992); use lon/lat columns for WGS84",
                    ));
                }
                let (lon, lat) = frame.to_wgs84(x, y);
                Ok(Point::new(lon, lat))
            }
        }
    }
}

/// How far outside the imported areas a point may lie before it is taken for a mistake
/// rather than a place just across the border: 25 km beyond the box around the buurten.
/// Far enough for an incident in the next gemeente (a note, as before), near enough that
/// every gross error is caught: swapped lon/lat, degrees read as RD metres and zero/zero all
/// land hundreds or thousands of kilometres away, and one such point would stretch every
/// grid (KDE, coverage) over half the globe.
pub const FAR_KM: f64 = 25.0;

/// The box around the imported areas (WGS84), against which far-out points are judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaExtent {
    min: geo::Coord<f64>,
    max: geo::Coord<f64>,
}

/// Why a point is far out: the likely cause, said in the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FarCause {
    /// 0, 0 (in degrees or in RD metres): the location was never filled in.
    ZeroZero,
    /// lat, lon in the place of lon, lat: the swapped pair falls inside the areas.
    Swapped,
    /// WGS84 degrees read as RD New metres (a file that declares RD but holds degrees).
    DegreesAsRd,
    /// None of the above.
    Unknown,
}

/// A point far outside every area, with how far and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FarPoint {
    pub at: Point<f64>,
    pub km: f64,
    pub cause: FarCause,
}

impl AreaExtent {
    /// The box around the given (lon/lat) boxes; `None` when there are none.
    pub fn of(rects: impl IntoIterator<Item = geo::Rect<f64>>) -> Option<AreaExtent> {
        rects.into_iter().fold(None, |acc: Option<AreaExtent>, r| {
            let (lo, hi) = (r.min(), r.max());
            Some(match acc {
                None => AreaExtent { min: lo, max: hi },
                Some(e) => AreaExtent {
                    min: geo::Coord {
                        x: e.min.x.min(lo.x),
                        y: e.min.y.min(lo.y),
                    },
                    max: geo::Coord {
                        x: e.max.x.max(hi.x),
                        y: e.max.y.max(hi.y),
                    },
                },
            })
        })
    }

    /// Kilometres from `p` to the box (0 inside), on a local flat approximation of the
    /// earth: accurate to a few percent at these distances, which is all the rule needs.
    pub fn distance_km(&self, p: Point<f64>) -> f64 {
        let (x, y) = (p.x(), p.y());
        if !x.is_finite() || !y.is_finite() {
            return f64::INFINITY;
        }
        let dx = (self.min.x - x).max(x - self.max.x).max(0.0);
        let dy = (self.min.y - y).max(y - self.max.y).max(0.0);
        let lat = y.clamp(self.min.y, self.max.y).to_radians();
        let kx = 111.32 * lat.cos();
        (dx * kx).hypot(dy * 110.57)
    }

    fn near(&self, p: Point<f64>) -> bool {
        self.distance_km(p) <= FAR_KM
    }

    /// `Some` when `p` lies more than [`FAR_KM`] outside the box, with the likely cause.
    pub fn far(&self, p: Point<f64>) -> Option<FarPoint> {
        let km = self.distance_km(p);
        if km <= FAR_KM {
            return None;
        }
        let (lon, lat) = (p.x(), p.y());
        let (rx, ry) = MetricFrame::rd().to_metric(lon, lat);
        let cause = if (lon.abs() < 1e-3 && lat.abs() < 1e-3) || (rx.abs() < 1.0 && ry.abs() < 1.0)
        {
            FarCause::ZeroZero
        } else if self.near(Point::new(lat, lon)) {
            FarCause::Swapped
        } else if rx.is_finite() && ry.is_finite() && self.near(Point::new(rx, ry)) {
            FarCause::DegreesAsRd
        } else {
            FarCause::Unknown
        };
        Some(FarPoint { at: p, km, cause })
    }
}

impl FarPoint {
    /// What is wrong, for the error or the note of what `--repair` dropped.
    pub fn problem(&self) -> String {
        let (lon, lat) = (self.at.x(), self.at.y());
        let cause = match self.cause {
            FarCause::ZeroZero => {
                "the location is 0, 0 (zero/zero): it was never filled in".to_string()
            }
            FarCause::Swapped => {
                format!("lon and lat look swapped: {lat}, {lon} lies within the imported areas")
            }
            FarCause::DegreesAsRd => {
                let (x, y) = MetricFrame::rd().to_metric(lon, lat);
                format!(
                    "WGS84 degrees were read as RD New metres: the file's values were about {x:.4}, {y:.4}, which as lon/lat lie within the imported areas"
                )
            }
            FarCause::Unknown => "the cause is not clear".to_string(),
        };
        format!(
            "the point {lon}, {lat} lies {:.0} km outside the imported areas (more than {FAR_KM:.0} km away); {cause}",
            self.km
        )
    }

    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self.cause {
            FarCause::ZeroZero => {
                "fill in the location, or import with --repair to leave such points out"
            }
            FarCause::Swapped => {
                "swap the lon and lat of this row, or import with --repair to leave such points out"
            }
            FarCause::DegreesAsRd => {
                "declare the file's CRS as WGS84 (EPSG:4326) or give RD New metres, or import with --repair to leave such points out"
            }
            FarCause::Unknown => {
                "check the position and its coordinate system, or import with --repair to leave such points out"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn almelo() -> AreaExtent {
        AreaExtent::of([geo::Rect::new(
            geo::Coord { x: 6.58, y: 52.31 },
            geo::Coord { x: 6.74, y: 52.40 },
        )])
        .unwrap()
    }

    #[test]
    fn near_points_pass_and_far_ones_name_their_cause() {
        let e = almelo();
        assert_eq!(e.distance_km(Point::new(6.66, 52.35)), 0.0);
        // Enschede, about 20 km east: near, not far.
        assert!(e.far(Point::new(6.89, 52.22)).is_none());
        let swapped = e.far(Point::new(52.35, 6.66)).unwrap();
        assert_eq!(swapped.cause, FarCause::Swapped);
        assert!(swapped.km > 3000.0 && swapped.problem().contains("swapped"));
        assert_eq!(
            e.far(Point::new(0.0, 0.0)).unwrap().cause,
            FarCause::ZeroZero
        );
        // RD 0, 0 as the conversion of an empty RD position.
        let (lon, lat) = MetricFrame::rd().to_wgs84(0.0, 0.0);
        assert_eq!(
            e.far(Point::new(lon, lat)).unwrap().cause,
            FarCause::ZeroZero
        );
        // Degrees that a file declaring RD New held: converted as metres from RD's origin.
        let (lon, lat) = MetricFrame::rd().to_wgs84(6.66, 52.35);
        assert_eq!(
            e.far(Point::new(lon, lat)).unwrap().cause,
            FarCause::DegreesAsRd
        );
        // Amsterdam: far, no known cause.
        assert_eq!(
            e.far(Point::new(4.90, 52.37)).unwrap().cause,
            FarCause::Unknown
        );
    }
}
