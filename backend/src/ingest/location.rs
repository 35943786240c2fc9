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
