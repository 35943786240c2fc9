//! The CBS *wijkenbuurten* GeoPackage: an SQLite file whose feature tables (layers
//! `buurten`, `wijken`, `gemeenten`) hold geometries as GeoPackage binary (a small header
//! followed by WKB). Read with sqlx's SQLite driver; WKB is decoded here.

use super::crs::normalise_crs_name;
use super::{FeatureSet, IngestError, RawFeature};
use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use serde_json::{Map, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Column, ConnectOptions, Row, TypeInfo, ValueRef};
use std::io::Read;
use std::path::Path;

/// Whether the file starts with the SQLite header (a GeoPackage is an SQLite database).
pub fn is_geopackage(path: &Path) -> Result<bool, IngestError> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| {
        IngestError::file(
            path,
            format!("cannot open the file ({e})"),
            "check the path and the file's permissions",
        )
    })?;
    let n = f
        .read(&mut head)
        .map_err(|e| IngestError::file(path, format!("cannot read ({e})"), "check the file"))?;
    Ok(n == 16 && &head == b"SQLite format 3\0")
}

/// Reads every feature table of the GeoPackage into one [`FeatureSet`].
pub async fn read_features(path: &Path) -> Result<FeatureSet, IngestError> {
    let bad = |problem: String| {
        IngestError::file(
            path,
            problem,
            "use the CBS wijkenbuurten GeoPackage as downloaded, or convert it to GeoJSON",
        )
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| bad(format!("cannot open the GeoPackage ({e})")))?;
    let layers: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
         JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
         WHERE c.data_type = 'features' ORDER BY c.table_name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(|e| bad(format!("the file is SQLite but not a GeoPackage ({e})")))?;
    if layers.is_empty() {
        return Err(bad("the GeoPackage has no feature layers".into()));
    }
    let mut set = FeatureSet::default();
    for (table, geom_column, srs_id) in layers {
        let crs = srs_name(&mut conn, srs_id).await;
        match (&set.declared_crs, crs) {
            (Some(a), Some(b)) if *a != b => {
                return Err(bad(format!("layers use different CRSs ({a} and {b})")));
            }
            (None, Some(b)) => set.declared_crs = Some(b),
            _ => {}
        }
        let sql = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
        let rows: Vec<SqliteRow> = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(&mut conn)
            .await
            .map_err(|e| bad(format!("cannot read layer {table} ({e})")))?;
        for row in rows {
            let index = set.features.len();
            let mut properties = Map::new();
            let mut geometry = None;
            for (i, column) in row.columns().iter().enumerate() {
                if column.name() == geom_column {
                    let blob: Option<Vec<u8>> = row.try_get(i).unwrap_or(None);
                    geometry = match blob {
                        Some(b) => decode_gpkg_geometry(&b).map_err(|e| {
                            IngestError::feature(
                                path,
                                index,
                                None,
                                format!("layer {table}: the geometry cannot be decoded ({e})"),
                                "repair the GeoPackage in QGIS",
                            )
                        })?,
                        None => None,
                    };
                } else {
                    properties.insert(column.name().to_string(), column_value(&row, i));
                }
            }
            properties.insert("layer".into(), Value::String(table.clone()));
            set.features.push(RawFeature {
                index,
                id: None,
                properties,
                geometry,
            });
        }
    }
    Ok(set)
}

async fn srs_name(conn: &mut sqlx::SqliteConnection, srs_id: i64) -> Option<String> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = $1",
    )
    .bind(srs_id)
    .fetch_optional(conn)
    .await
    .ok()
    .flatten();
    match row {
        Some((org, id)) if org.eq_ignore_ascii_case("EPSG") => Some(format!("EPSG:{id}")),
        Some((org, id)) => Some(normalise_crs_name(&format!("{org}:{id}"))),
        // srs_id 0 and -1 are GeoPackage's "undefined"; detection decides.
        None => None,
    }
}

fn column_value(row: &SqliteRow, i: usize) -> Value {
    let Ok(raw) = row.try_get_raw(i) else {
        return Value::Null;
    };
    if raw.is_null() {
        return Value::Null;
    }
    match raw.type_info().name() {
        "INTEGER" => row
            .try_get::<i64, _>(i)
            .map(Value::from)
            .unwrap_or(Value::Null),
        "REAL" => row
            .try_get::<f64, _>(i)
            .map(Value::from)
            .unwrap_or(Value::Null),
        _ => row
            .try_get::<String, _>(i)
            .map(Value::from)
            .unwrap_or(Value::Null),
    }
}

/// Decodes a GeoPackage binary geometry (header + WKB). `Ok(None)` for an empty geometry.
pub fn decode_gpkg_geometry(blob: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("not GeoPackage binary (missing 'GP' magic)".into());
    }
    let flags = blob[3];
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("invalid envelope indicator {e}")),
    };
    if flags & 0b1_0000 != 0 {
        return Ok(None);
    }
    let start = 8 + envelope;
    let mut reader = Wkb {
        bytes: blob.get(start..).ok_or("truncated header")?,
        pos: 0,
    };
    reader.geometry().map(Some)
}

struct Wkb<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let s = self
            .bytes
            .get(self.pos..self.pos + N)
            .ok_or("truncated WKB")?;
        self.pos += N;
        Ok(s.try_into().expect("slice has length N"))
    }

    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    fn coord(&mut self, le: bool, dims: usize) -> Result<Coord<f64>, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(Coord { x, y })
    }

    fn ring(&mut self, le: bool, dims: usize) -> Result<LineString<f64>, String> {
        let n = self.u32(le)? as usize;
        if n > self.bytes.len() / 16 {
            return Err("point count exceeds the data".into());
        }
        (0..n)
            .map(|_| self.coord(le, dims))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    }

    fn polygon(&mut self, le: bool, dims: usize) -> Result<Polygon<f64>, String> {
        let rings = self.u32(le)? as usize;
        let mut all = (0..rings)
            .map(|_| self.ring(le, dims))
            .collect::<Result<Vec<_>, _>>()?;
        if all.is_empty() {
            return Ok(Polygon::new(LineString::new(vec![]), vec![]));
        }
        let exterior = all.remove(0);
        Ok(Polygon::new(exterior, all))
    }

    fn geometry(&mut self) -> Result<Geometry<f64>, String> {
        let le = self.take::<1>()?[0] == 1;
        let raw_type = self.u32(le)?;
        // ISO WKB adds 1000/2000/3000 for Z/M/ZM; EWKB sets high bits instead.
        let ewkb_dims =
            2 + usize::from(raw_type & 0x8000_0000 != 0) + usize::from(raw_type & 0x4000_0000 != 0);
        if raw_type & 0x2000_0000 != 0 {
            self.u32(le)?; // EWKB SRID
        }
        let t = raw_type & 0x0FFF_FFFF;
        let (base, dims) = match t / 1000 {
            0 => (t, ewkb_dims),
            1 | 2 => (t % 1000, 3),
            3 => (t % 1000, 4),
            _ => return Err(format!("unknown WKB type {raw_type}")),
        };
        let count = |s: &mut Self| s.u32(le).map(|n| n as usize);
        Ok(match base {
            1 => Geometry::Point(Point::from(self.coord(le, dims)?)),
            2 => Geometry::LineString(self.ring(le, dims)?),
            3 => Geometry::Polygon(self.polygon(le, dims)?),
            4..=7 => {
                let n = count(self)?;
                let parts = (0..n)
                    .map(|_| self.geometry())
                    .collect::<Result<Vec<_>, _>>()?;
                match base {
                    4 => Geometry::MultiPoint(MultiPoint::new(
                        parts
                            .into_iter()
                            .filter_map(|g| Point::try_from(g).ok())
                            .collect(),
                    )),
                    5 => Geometry::MultiLineString(MultiLineString::new(
                        parts
                            .into_iter()
                            .filter_map(|g| LineString::try_from(g).ok())
                            .collect(),
                    )),
                    6 => Geometry::MultiPolygon(MultiPolygon::new(
                        parts
                            .into_iter()
                            .filter_map(|g| Polygon::try_from(g).ok())
                            .collect(),
                    )),
                    _ => Geometry::GeometryCollection(GeometryCollection::new_from(parts)),
                }
            }
            other => return Err(format!("unsupported WKB geometry type {other}")),
        })
    }
}
