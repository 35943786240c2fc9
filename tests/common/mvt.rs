//! A reader of Mapbox Vector Tiles for tests: the protobuf messages of the MVT 2.1 spec
//! (`vector_tile.proto`) decoded with prost, and the geometry commands decoded here, so that
//! the tiles are checked by another implementation than the one that wrote them.
#![allow(dead_code)]

use prost::Message;

#[derive(Clone, PartialEq, Message)]
pub struct Tile {
    #[prost(message, repeated, tag = "3")]
    pub layers: Vec<Layer>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Value {
    #[prost(string, optional, tag = "1")]
    pub string_value: Option<String>,
    #[prost(float, optional, tag = "2")]
    pub float_value: Option<f32>,
    #[prost(double, optional, tag = "3")]
    pub double_value: Option<f64>,
    #[prost(int64, optional, tag = "4")]
    pub int_value: Option<i64>,
    #[prost(uint64, optional, tag = "5")]
    pub uint_value: Option<u64>,
    #[prost(sint64, optional, tag = "6")]
    pub sint_value: Option<i64>,
    #[prost(bool, optional, tag = "7")]
    pub bool_value: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Feature {
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    #[prost(uint32, repeated, tag = "2")]
    pub tags: Vec<u32>,
    #[prost(int32, optional, tag = "3")]
    pub r#type: Option<i32>,
    #[prost(uint32, repeated, tag = "4")]
    pub geometry: Vec<u32>,
}

#[derive(Clone, PartialEq, Message)]
pub struct Layer {
    #[prost(uint32, required, tag = "15")]
    pub version: u32,
    #[prost(string, required, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub features: Vec<Feature>,
    #[prost(string, repeated, tag = "3")]
    pub keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    pub values: Vec<Value>,
    #[prost(uint32, optional, tag = "5")]
    pub extent: Option<u32>,
}

pub fn decode(bytes: &[u8]) -> Tile {
    Tile::decode(bytes).expect("a valid MVT protobuf")
}

impl Layer {
    /// A feature's string or integer property.
    pub fn property(&self, f: &Feature, key: &str) -> Option<String> {
        f.tags.chunks(2).find_map(|kv| {
            (self.keys[kv[0] as usize] == key).then(|| {
                let v = &self.values[kv[1] as usize];
                v.string_value
                    .clone()
                    .or(v.uint_value.map(|u| u.to_string()))
                    .or(v.int_value.map(|u| u.to_string()))
                    .unwrap_or_default()
            })
        })
    }
}

/// A feature's rings (polygons) or points, in tile coordinates, decoded from the commands.
pub fn rings(f: &Feature) -> Vec<Vec<(i64, i64)>> {
    let g = &f.geometry;
    let (mut x, mut y) = (0i64, 0i64);
    let mut out: Vec<Vec<(i64, i64)>> = Vec::new();
    let mut i = 0;
    let zz = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
    while i < g.len() {
        let (id, count) = (g[i] & 7, g[i] >> 3);
        i += 1;
        match id {
            1 | 2 => {
                for _ in 0..count {
                    x += zz(g[i]);
                    y += zz(g[i + 1]);
                    i += 2;
                    if id == 1 {
                        out.push(vec![(x, y)]);
                    } else {
                        out.last_mut().expect("LineTo after MoveTo").push((x, y));
                    }
                }
            }
            7 => {
                let first = out.last().expect("ClosePath after a ring")[0];
                out.last_mut().unwrap().push(first);
            }
            other => panic!("unknown geometry command {other}"),
        }
    }
    out
}

/// Shoelace sum of a closed ring in tile coordinates (positive = clockwise, y down).
pub fn area(ring: &[(i64, i64)]) -> f64 {
    ring.windows(2)
        .map(|w| (w[0].0 * w[1].1 - w[1].0 * w[0].1) as f64)
        .sum::<f64>()
        / 2.0
}

/// Even–odd point-in-polygon over every ring of a feature: a point on an edge shared by two
/// features (the same segment in both) is in exactly one of them.
pub fn contains(rings: &[Vec<(i64, i64)>], px: f64, py: f64) -> bool {
    let mut inside = false;
    for r in rings {
        for w in r.windows(2) {
            // The same edge walked either way computes the same crossing: ordered by y.
            let (p, q) = if w[0].1 <= w[1].1 {
                (w[0], w[1])
            } else {
                (w[1], w[0])
            };
            let (ax, ay) = (p.0 as f64, p.1 as f64);
            let (bx, by) = (q.0 as f64, q.1 as f64);
            if (ay > py) != (by > py) && px < ax + (py - ay) / (by - ay) * (bx - ax) {
                inside = !inside;
            }
        }
    }
    inside
}
