//! A GeoJSON FeatureCollection reader that goes straight from bytes to `geo` coordinates.
//!
//! Area files reach 80 MB (14,000 polygons of a few hundred vertices). Parsing them through a
//! generic JSON tree (`geojson::GeoJson`, a `Vec<f64>` per position) costs seconds and several
//! times the file size in memory, so this reader drives `serde_json` with visitors that write
//! positions into one reusable buffer and copy each ring out once. The file is memory-mapped
//! (or gunzipped into memory for `.gz`), so the text is never copied into a `String`.
//!
//! Coordinates are returned as they are in the file; the legacy `crs` member is normalised into
//! [`FeatureSet::declared_crs`] so callers can reproject.
//!
//! ```
//! use std::path::Path;
//! use wijkveilig::ingest::geojson::read_features_from_slice;
//!
//! let text = br#"{"type":"FeatureCollection",
//!   "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},
//!   "features":[{"type":"Feature","id":"BU01410101","properties":{"name":"Centrum"},
//!     "geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,0]]]}}]}"#;
//! let set = read_features_from_slice(text, Path::new("areas.geojson")).unwrap();
//! assert_eq!(set.declared_crs.as_deref(), Some("EPSG:28992"));
//! assert_eq!(set.features[0].id.as_deref(), Some("BU01410101"));
//! ```

use std::cell::RefCell;
use std::fmt;
use std::io::Read;
use std::path::Path;

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::IngestError;
use super::features::{FeatureSet, RawFeature};

/// Reads a GeoJSON FeatureCollection (`.geojson`/`.json`, or the same gzipped as `.gz`).
///
/// An empty `features` array is not an error here; callers decide whether it is for them.
pub fn read_features(path: &Path) -> Result<FeatureSet, IngestError> {
    let open_err = |e: std::io::Error| {
        IngestError::file(
            path,
            format!("cannot read the file ({e})"),
            "Check the path and the file permissions.",
        )
    };
    let file = std::fs::File::open(path).map_err(open_err)?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if gz {
        let mut bytes = Vec::new();
        flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file)).read_to_end(&mut bytes).map_err(|e| {
            IngestError::file(
                path,
                format!("cannot decompress the gzip file ({e})"),
                "Check that the file is a complete gzip file, or unzip it and pass the .geojson.",
            )
        })?;
        return read_features_from_slice(&bytes, path);
    }
    let len = file.metadata().map_err(open_err)?.len();
    if len == 0 {
        return read_features_from_slice(&[], path);
    }
    // SAFETY: the map is read-only and private to this call. If another process truncates the
    // file while we parse it, reads may fault; that is the accepted risk of mapping input files.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(open_err)?;
    read_features_from_slice(&map, path)
}

/// Parses GeoJSON text already in memory; `path_for_errors` only names the file in errors.
pub fn read_features_from_slice(
    bytes: &[u8],
    path_for_errors: &Path,
) -> Result<FeatureSet, IngestError> {
    let path = path_for_errors;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::file(
            path,
            "the file is empty",
            "Export the layer again as a GeoJSON FeatureCollection.",
        ));
    }
    if let Some(set) = parse_in_halves(bytes) {
        return Ok(set);
    }
    let (result, context) = parse_document(bytes);
    result.map_err(|e| to_ingest_error(path, e, &context))
}

fn parse_document(bytes: &[u8]) -> (Result<FeatureSet, serde_json::Error>, Context) {
    let context = RefCell::new(Context::default());
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = CollectionSeed { context: &context }
        .deserialize(&mut de)
        .and_then(|set| de.end().map(|()| set));
    (result, context.into_inner())
}

/// Below this size one thread parses the whole file; above it, two halves in parallel.
const SPLIT_MIN_BYTES: usize = 8 << 20;

/// Parses a large FeatureCollection as two documents on two threads, or returns `None` and
/// leaves the file to the one-thread parse (which also gives the exact error for a bad file).
///
/// The split is a comma between two features near the middle, found by the first feature's
/// opening bytes. The first half is parsed as `…, feature_k]}` and the second as
/// `{"type":"FeatureCollection","features":[feature_k+1, …`. A wrong guess cannot slip
/// through: the first half only parses if the comma sits directly in an array that is the
/// value of a top-level member, that member must be `features` (checked), and the second half
/// must then parse as features followed by the rest of the document.
fn parse_in_halves(bytes: &[u8]) -> Option<FeatureSet> {
    if bytes.len() < SPLIT_MIN_BYTES
        || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2
    {
        return None;
    }
    let head = &bytes[..bytes.len().min(64 << 10)];
    let key = find(head, b"\"features\"")?;
    let mut at = key + b"\"features\"".len();
    let skip_ws = |i: &mut usize| {
        while bytes.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    skip_ws(&mut at);
    (bytes.get(at) == Some(&b':')).then_some(())?;
    at += 1;
    skip_ws(&mut at);
    (bytes.get(at) == Some(&b'[')).then_some(())?;
    at += 1;
    skip_ws(&mut at);
    // The first feature's opening bytes, e.g. `{"type":"Feature"`; features of one export
    // all start alike.
    let opening = &bytes[at..(at + 17).min(bytes.len())];
    (opening.first() == Some(&b'{') && opening.len() > 8).then_some(())?;
    let mid = bytes.len() / 2;
    let window = &bytes[mid..(mid + (4 << 20)).min(bytes.len())];
    let next = find(window, opening)? + mid;
    let mut comma = next;
    while comma > mid && bytes[comma - 1].is_ascii_whitespace() {
        comma -= 1;
    }
    (comma > mid && bytes[comma - 1] == b',').then_some(())?;
    let comma = comma - 1;

    let (first, second) = std::thread::scope(|s| {
        let second = s.spawn(|| {
            let prefix = b"{\"type\":\"FeatureCollection\",\"features\":[";
            let mut doc = Vec::with_capacity(prefix.len() + bytes.len() - comma);
            doc.extend_from_slice(prefix);
            doc.extend_from_slice(&bytes[comma + 1..]);
            parse_document(&doc)
        });
        let mut doc = Vec::with_capacity(comma + 2);
        doc.extend_from_slice(&bytes[..comma]);
        doc.extend_from_slice(b"]}");
        let first = parse_document(&doc);
        (first, second.join().ok())
    });
    let (Ok(mut set), cx) = first else {
        return None;
    };
    let (Ok(rest), _) = second? else {
        return None;
    };
    if cx.last_top_level_key.as_deref() != Some("features") || set.features.is_empty() {
        return None;
    }
    let offset = set.features.len();
    set.features.extend(rest.features.into_iter().map(|mut f| {
        f.index += offset;
        f
    }));
    set.declared_crs = set.declared_crs.or(rest.declared_crs);
    Some(set)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the parser is, so a `serde_json` error can name the feature it occurred in.
#[derive(Default)]
struct Context {
    feature: Option<usize>,
    feature_id: Option<String>,
    /// Set when our own visitors raised the error, so it is reported per feature.
    own_error: bool,
    /// Reusable position buffer: one allocation for the whole file instead of one per ring.
    scratch: Coords,
    /// The member of the top-level object read last.
    last_top_level_key: Option<String>,
}

fn to_ingest_error(path: &Path, e: serde_json::Error, cx: &Context) -> IngestError {
    use serde_json::error::Category;
    let at = format!("line {} column {}", e.line(), e.column());
    let mut msg = e.to_string();
    // serde_json appends " at line L column C"; we say it ourselves, once.
    if let Some(cut) = msg.rfind(" at line ") {
        msg.truncate(cut);
    }
    let (problem, fix) = match e.classify() {
        Category::Eof => (
            format!("the JSON ends early at {at}; the file looks truncated"),
            "Download or export the file again; it was cut off.",
        ),
        Category::Syntax if cx.feature.is_none() && e.line() == 1 && e.column() <= 1 => (
            format!("this is not JSON ({msg} at {at})"),
            "Pass a GeoJSON file (a FeatureCollection exported from QGIS, PDOK or CBS).",
        ),
        Category::Syntax => (
            format!("invalid JSON at {at}: {msg}"),
            "Repair the file or export it again as GeoJSON.",
        ),
        Category::Io => (
            format!("cannot read the file at {at}: {msg}"),
            "Check the file and try again.",
        ),
        Category::Data if cx.own_error || cx.feature.is_some() => (
            format!("{msg} (at {at})"),
            "Repair the geometry (e.g. in QGIS: Vector > Geometry Tools > Check Validity) or export the file again.",
        ),
        Category::Data => (
            format!("{msg} (at {at})"),
            "Pass a GeoJSON FeatureCollection: an object with \"type\": \"FeatureCollection\" and a \"features\" array.",
        ),
    };
    match cx.feature {
        Some(index) if !matches!(e.classify(), Category::Eof) => {
            IngestError::feature(path, index, cx.feature_id.clone(), problem, fix)
        }
        _ => IngestError::file(path, problem, fix),
    }
}

fn own_error<E: de::Error>(cx: &RefCell<Context>, msg: impl fmt::Display) -> E {
    cx.borrow_mut().own_error = true;
    E::custom(msg)
}

/// Normalises a legacy GeoJSON `crs` name to `EPSG:nnnn`; other names are kept as given so
/// the caller can report them.
fn normalise_crs(name: &str) -> String {
    let n = name.trim();
    let upper = n.to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper.ends_with("CRS:84") {
        return "EPSG:4326".to_string();
    }
    if upper.contains("EPSG") {
        let digits: String = upper
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if !digits.is_empty() {
            return format!("EPSG:{}", digits.chars().rev().collect::<String>());
        }
    }
    n.to_string()
}

struct CollectionSeed<'c> {
    context: &'c RefCell<Context>,
}

impl<'de> DeserializeSeed<'de> for CollectionSeed<'_> {
    type Value = FeatureSet;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FeatureSet, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CollectionSeed<'_> {
    type Value = FeatureSet;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FeatureSet, A::Error> {
        let mut set = FeatureSet::default();
        let mut saw_features = false;
        let mut kind: Option<String> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            self.context.borrow_mut().last_top_level_key = Some(key.to_string());
            match key.as_ref() {
                "type" => kind = Some(map.next_value::<String>()?),
                "crs" => {
                    let crs: Value = map.next_value()?;
                    set.declared_crs = crs
                        .pointer("/properties/name")
                        .and_then(Value::as_str)
                        .map(normalise_crs);
                }
                "features" => {
                    if kind.as_deref().is_some_and(|k| k != "FeatureCollection") {
                        break;
                    }
                    set.features = map.next_value_seed(FeaturesSeed {
                        context: self.context,
                    })?;
                    saw_features = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match kind.as_deref() {
            Some("FeatureCollection") => {}
            Some(other) => {
                return Err(de::Error::custom(format!(
                    "the GeoJSON is a {other}, not a FeatureCollection"
                )));
            }
            None => {
                return Err(de::Error::custom(
                    "the object has no \"type\": \"FeatureCollection\"",
                ));
            }
        }
        if !saw_features {
            return Err(de::Error::custom(
                "the FeatureCollection has no \"features\" array",
            ));
        }
        Ok(set)
    }
}

struct FeaturesSeed<'c> {
    context: &'c RefCell<Context>,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = Vec<RawFeature>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<RawFeature>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = Vec<RawFeature>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a \"features\" array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<RawFeature>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            {
                let mut cx = self.context.borrow_mut();
                cx.feature = Some(out.len());
                cx.feature_id = None;
            }
            match seq.next_element_seed(FeatureSeed {
                context: self.context,
                index: out.len(),
            })? {
                Some(f) => out.push(f),
                None => break,
            }
        }
        self.context.borrow_mut().feature = None;
        Ok(out)
    }
}

struct FeatureSeed<'c> {
    context: &'c RefCell<Context>,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = RawFeature;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawFeature, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = RawFeature;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON Feature object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFeature, A::Error> {
        let mut feature = RawFeature {
            index: self.index,
            id: None,
            properties: Map::new(),
            geometry: None,
        };
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => {
                    let t = map.next_value::<std::borrow::Cow<'de, str>>()?;
                    if t != "Feature" {
                        return Err(own_error(
                            self.context,
                            format!("a member of \"features\" has type {t}, not Feature"),
                        ));
                    }
                }
                "id" => {
                    feature.id = match map.next_value::<Value>()? {
                        Value::String(s) => Some(s),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    };
                    self.context.borrow_mut().feature_id.clone_from(&feature.id);
                }
                "properties" => {
                    feature.properties = map
                        .next_value::<Option<Map<String, Value>>>()?
                        .unwrap_or_default();
                    let mut cx = self.context.borrow_mut();
                    if cx.feature_id.is_none() {
                        // Name the feature by its code when the id comes later or not at all.
                        cx.feature_id = ["code", "statcode", "id"].iter().find_map(|k| {
                            feature
                                .properties
                                .get(*k)
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        });
                    }
                }
                "geometry" => {
                    feature.geometry = map.next_value_seed(GeometrySeed {
                        context: self.context,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(feature)
    }
}

/// The GeoJSON geometry types.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    GeometryCollection,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "Point" => Kind::Point,
            "MultiPoint" => Kind::MultiPoint,
            "LineString" => Kind::LineString,
            "MultiLineString" => Kind::MultiLineString,
            "Polygon" => Kind::Polygon,
            "MultiPolygon" => Kind::MultiPolygon,
            "GeometryCollection" => Kind::GeometryCollection,
            _ => return None,
        })
    }

    /// Depth of the arrays that are rings, for the early "too few positions" check.
    fn ring_depth(self) -> Option<usize> {
        match self {
            Kind::Polygon => Some(1),
            Kind::MultiPolygon => Some(2),
            _ => None,
        }
    }
}

/// Marks a position in [`Coords::counts`]; other entries are element counts of arrays.
const POSITION: u32 = u32::MAX;

/// A parsed `coordinates` member of unknown depth: positions in document order, and for every
/// nesting depth the arrays at that depth in document order (their element count, or
/// [`POSITION`]). Lets `coordinates` come before `type`, as the spec allows.
#[derive(Default)]
struct Coords {
    positions: Vec<Coord<f64>>,
    counts: Vec<Vec<u32>>,
    /// Ring depth of the declared type, when the type came first.
    ring_depth: Option<usize>,
}

impl Coords {
    fn clear(&mut self) {
        self.positions.clear();
        self.counts.iter_mut().for_each(Vec::clear);
        self.ring_depth = None;
    }
}

/// What an element of a `coordinates` array turned out to be.
enum Elem {
    Number(f64),
    Array(u32),
}

struct ArraySeed<'a, 'c> {
    coords: &'a mut Coords,
    context: &'c RefCell<Context>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = Elem;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Elem, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = Elem;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a coordinate array or number")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Elem, E> {
        Ok(Elem::Number(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Elem, E> {
        Ok(Elem::Number(v as f64))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Elem, E> {
        Ok(Elem::Number(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Elem, E> {
        Err(own_error(
            self.context,
            format!("a coordinate is the text \"{v}\", not a number"),
        ))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Elem, E> {
        Err(own_error(
            self.context,
            format!("a coordinate is {v}, not a number"),
        ))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Elem, E> {
        Err(own_error(
            self.context,
            "a coordinate is null, not a number",
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Elem, A::Error> {
        Err(own_error(
            self.context,
            "a coordinate is an object, not a number",
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Elem, A::Error> {
        let ArraySeed {
            coords,
            context,
            depth,
        } = self;
        if coords.counts.len() <= depth {
            coords.counts.resize_with(depth + 1, Vec::new);
        }
        let first = seq.next_element_seed(ArraySeed {
            coords: &mut *coords,
            context,
            depth: depth + 1,
        })?;
        let entry = match first {
            None => 0,
            Some(Elem::Number(x)) => {
                let mut numbers = 1;
                let mut y = f64::NAN;
                while let Some(e) = seq.next_element_seed(ArraySeed {
                    coords: &mut *coords,
                    context,
                    depth: depth + 1,
                })? {
                    match e {
                        Elem::Number(v) if numbers == 1 => y = v,
                        Elem::Number(_) => {}
                        Elem::Array(_) => {
                            return Err(own_error(context, "a position mixes numbers and arrays"));
                        }
                    }
                    numbers += 1;
                }
                if numbers < 2 {
                    return Err(own_error(
                        context,
                        "a position has 1 number; it needs at least 2 (x, y)",
                    ));
                }
                coords.positions.push(Coord { x, y });
                POSITION
            }
            Some(Elem::Array(first_entry)) => {
                let mut n: u32 = 1;
                while let Some(e) = seq.next_element_seed(ArraySeed {
                    coords: &mut *coords,
                    context,
                    depth: depth + 1,
                })? {
                    if matches!(e, Elem::Number(_)) {
                        return Err(own_error(
                            context,
                            "a coordinate array mixes numbers and arrays",
                        ));
                    }
                    n += 1;
                }
                if coords.ring_depth == Some(depth) && first_entry == POSITION && n < 4 {
                    return Err(own_error(context, ring_message(n as usize)));
                }
                n
            }
        };
        coords.counts[depth].push(entry);
        Ok(Elem::Array(entry))
    }
}

fn ring_message(n: usize) -> String {
    format!("a polygon ring has {n} positions; a ring needs at least 4 (a closed triangle)")
}

/// Turns [`Coords`] into a geometry once the type is known, checking the nesting depth.
struct Builder<'a> {
    coords: &'a Coords,
    cursor: Vec<usize>,
    next_position: usize,
}

impl<'a> Builder<'a> {
    fn new(coords: &'a Coords) -> Self {
        Builder {
            coords,
            cursor: vec![0; coords.counts.len()],
            next_position: 0,
        }
    }

    fn entry(&mut self, depth: usize) -> Result<u32, String> {
        let list = self
            .coords
            .counts
            .get(depth)
            .ok_or("the coordinates are nested too shallowly")?;
        let e = *list
            .get(self.cursor[depth])
            .ok_or("the coordinates are nested too shallowly")?;
        self.cursor[depth] += 1;
        Ok(e)
    }

    /// A position, or `None` for an empty array (only meaningful for a Point).
    fn position(&mut self, depth: usize) -> Result<Option<Coord<f64>>, String> {
        match self.entry(depth)? {
            POSITION => {
                let c = self.coords.positions[self.next_position];
                self.next_position += 1;
                Ok(Some(c))
            }
            0 => Ok(None),
            _ => Err("the coordinates are nested too deeply for the geometry type".into()),
        }
    }

    fn count(&mut self, depth: usize) -> Result<usize, String> {
        match self.entry(depth)? {
            POSITION => {
                Err("the coordinates are nested too shallowly for the geometry type".into())
            }
            n => Ok(n as usize),
        }
    }

    fn line(&mut self, depth: usize) -> Result<LineString<f64>, String> {
        let n = self.count(depth)?;
        let start = self.next_position;
        for _ in 0..n {
            self.position(depth + 1)?
                .ok_or("a position is an empty array")?;
        }
        Ok(LineString(
            self.coords.positions[start..self.next_position].to_vec(),
        ))
    }

    fn polygon(&mut self, depth: usize) -> Result<Polygon<f64>, String> {
        let n = self.count(depth)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            let ring = self.line(depth + 1)?;
            if ring.0.len() < 4 {
                return Err(ring_message(ring.0.len()));
            }
            rings.push(ring);
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    fn build(mut self, kind: Kind) -> Result<Option<Geometry<f64>>, String> {
        let g = match kind {
            Kind::Point => return Ok(self.position(0)?.map(|c| Geometry::Point(Point(c)))),
            Kind::MultiPoint => {
                let n = self.count(0)?;
                let mut pts = Vec::with_capacity(n);
                for _ in 0..n {
                    pts.push(Point(
                        self.position(1)?.ok_or("a position is an empty array")?,
                    ));
                }
                Geometry::MultiPoint(MultiPoint(pts))
            }
            Kind::LineString => Geometry::LineString(self.line(0)?),
            Kind::MultiLineString => {
                let n = self.count(0)?;
                Geometry::MultiLineString(MultiLineString(
                    (0..n).map(|_| self.line(1)).collect::<Result<_, _>>()?,
                ))
            }
            Kind::Polygon => Geometry::Polygon(self.polygon(0)?),
            Kind::MultiPolygon => {
                let n = self.count(0)?;
                Geometry::MultiPolygon(MultiPolygon(
                    (0..n).map(|_| self.polygon(1)).collect::<Result<_, _>>()?,
                ))
            }
            Kind::GeometryCollection => {
                return Err("a GeometryCollection has \"coordinates\"".into());
            }
        };
        Ok(Some(g))
    }
}

struct GeometrySeed<'c> {
    context: &'c RefCell<Context>,
}

impl<'de> DeserializeSeed<'de> for GeometrySeed<'_> {
    type Value = Option<Geometry<f64>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for GeometrySeed<'_> {
    type Value = Option<Geometry<f64>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON geometry object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let cx = self.context;
        let mut kind: Option<Kind> = None;
        let mut built: Option<Option<Geometry<f64>>> = None;
        // Coordinates seen before `type`: kept aside until the type is known.
        let mut pending: Option<Coords> = None;
        let mut members: Option<Vec<Geometry<f64>>> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => {
                    let t = map.next_value::<std::borrow::Cow<'de, str>>()?;
                    kind = Some(Kind::parse(&t).ok_or_else(|| {
                        own_error::<A::Error>(cx, format!("unknown geometry type \"{t}\""))
                    })?);
                }
                "coordinates" => {
                    let mut coords = std::mem::take(&mut cx.borrow_mut().scratch);
                    coords.clear();
                    coords.ring_depth = kind.and_then(Kind::ring_depth);
                    let parsed = map.next_value_seed(ArraySeed {
                        coords: &mut coords,
                        context: cx,
                        depth: 0,
                    });
                    if let Err(e) = parsed {
                        cx.borrow_mut().scratch = coords;
                        return Err(e);
                    }
                    if matches!(parsed, Ok(Elem::Number(_))) {
                        cx.borrow_mut().scratch = coords;
                        return Err(own_error(cx, "\"coordinates\" is a number, not an array"));
                    }
                    match kind {
                        Some(k) => {
                            let g = Builder::new(&coords)
                                .build(k)
                                .map_err(|m| own_error::<A::Error>(cx, m));
                            cx.borrow_mut().scratch = coords;
                            built = Some(g?);
                        }
                        None => pending = Some(coords),
                    }
                }
                "geometries" => {
                    let list: Vec<Option<Geometry<f64>>> =
                        map.next_value_seed(GeometryListSeed { context: cx })?;
                    members = Some(list.into_iter().flatten().collect());
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| own_error::<A::Error>(cx, "a geometry has no \"type\""))?;
        if kind == Kind::GeometryCollection {
            let members = members.ok_or_else(|| {
                own_error::<A::Error>(cx, "a GeometryCollection has no \"geometries\" array")
            })?;
            return Ok(Some(Geometry::GeometryCollection(GeometryCollection(
                members,
            ))));
        }
        if let Some(coords) = pending {
            let g = Builder::new(&coords)
                .build(kind)
                .map_err(|m| own_error::<A::Error>(cx, m))?;
            // Depth-checked late, so check rings here too.
            return Ok(g);
        }
        built.ok_or_else(|| own_error(cx, format!("a {kind:?} geometry has no \"coordinates\"")))
    }
}

struct GeometryListSeed<'c> {
    context: &'c RefCell<Context>,
}

impl<'de> DeserializeSeed<'de> for GeometryListSeed<'_> {
    type Value = Vec<Option<Geometry<f64>>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GeometryListSeed<'_> {
    type Value = Vec<Option<Geometry<f64>>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of geometries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(g) = seq.next_element_seed(GeometrySeed {
            context: self.context,
        })? {
            out.push(g);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Location;
    use std::path::PathBuf;

    fn read(text: &str) -> Result<FeatureSet, IngestError> {
        read_features_from_slice(text.as_bytes(), Path::new("t.geojson"))
    }

    fn err(text: &str) -> IngestError {
        read(text).expect_err("should fail")
    }

    fn fc(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    use crate::testdata::shared_data_dir as data_dir;

    #[test]
    fn reads_every_geometry_type() {
        let text = fc(r#"
            {"type":"Feature","id":1,"properties":{"a":1},"geometry":{"type":"Point","coordinates":[1,2,3]}},
            {"type":"Feature","properties":null,"geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[1,1]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[9,9]}]}},
            {"type":"Feature","properties":{},"geometry":null},
            {"geometry":{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"},"properties":{},"type":"Feature"},
            {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[]}}
        "#);
        let set = read(&text).unwrap();
        assert_eq!(set.features.len(), 10);
        assert_eq!(set.declared_crs, None);
        let g: Vec<_> = set.features.iter().map(|f| f.geometry.clone()).collect();
        assert_eq!(set.features[0].id.as_deref(), Some("1"));
        assert_eq!(g[0], Some(Geometry::Point(Point::new(1.0, 2.0))));
        assert!(matches!(&g[1], Some(Geometry::MultiPoint(m)) if m.0.len() == 2));
        assert!(
            matches!(&g[2], Some(Geometry::LineString(l)) if l.0[1] == Coord { x: 3.0, y: 4.0 })
        );
        assert!(
            matches!(&g[3], Some(Geometry::MultiLineString(m)) if m.0[1].0[1] == Coord { x: 7.0, y: 8.0 })
        );
        assert!(
            matches!(&g[4], Some(Geometry::Polygon(p)) if p.interiors().len() == 1 && p.exterior().0.len() == 5)
        );
        assert!(
            matches!(&g[5], Some(Geometry::MultiPolygon(m)) if m.0.len() == 2 && m.0[1].exterior().0[0].x == 5.0)
        );
        assert!(matches!(&g[6], Some(Geometry::GeometryCollection(c)) if c.0.len() == 1));
        assert_eq!(g[7], None);
        assert!(
            matches!(&g[8], Some(Geometry::Polygon(p)) if p.exterior().0.len() == 4),
            "type after coordinates"
        );
        assert!(matches!(&g[9], Some(Geometry::MultiPolygon(m)) if m.0.is_empty()));
    }

    #[test]
    fn normalises_legacy_crs_names() {
        for (name, want) in [
            ("urn:ogc:def:crs:EPSG::28992", "EPSG:28992"),
            ("EPSG:28992", "EPSG:28992"),
            ("http://www.opengis.net/def/crs/EPSG/0/28992", "EPSG:28992"),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"),
            ("urn:ogc:def:crs:EPSG::4326", "EPSG:4326"),
            ("something else", "something else"),
        ] {
            let text = format!(
                r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"{name}"}}}},"features":[]}}"#
            );
            assert_eq!(
                read(&text).unwrap().declared_crs.as_deref(),
                Some(want),
                "{name}"
            );
        }
    }

    #[test]
    fn empty_features_is_not_an_error_and_bom_is_tolerated() {
        let set = read_features_from_slice(
            b"\xEF\xBB\xBF{\"features\":[],\"type\":\"FeatureCollection\"}",
            Path::new("t.geojson"),
        )
        .unwrap();
        assert!(set.features.is_empty());
    }

    #[test]
    fn truncated_json_says_so() {
        let e = err(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,"#,
        );
        assert_eq!(e.location, Location::File);
        assert!(
            e.problem.contains("truncated") && e.problem.contains("line 1"),
            "{e}"
        );
        assert_eq!(e.file, PathBuf::from("t.geojson"));
    }

    #[test]
    fn not_json_says_so() {
        let e = err("id,lon,lat\n1,6.6,52.3\n");
        assert!(e.problem.contains("not JSON"), "{e}");
        let e = err("");
        assert!(e.problem.contains("empty"), "{e}");
    }

    #[test]
    fn a_feature_or_other_json_is_not_a_feature_collection() {
        let e = err(r#"{"type":"Feature","properties":{},"geometry":null}"#);
        assert!(e.problem.contains("not a FeatureCollection"), "{e}");
        let e = err(r#"[1,2,3]"#);
        assert!(e.problem.contains("FeatureCollection"), "{e}");
        let e = err(r#"{"type":"FeatureCollection"}"#);
        assert!(e.problem.contains("no \"features\" array"), "{e}");
    }

    #[test]
    fn short_position_names_feature_and_line() {
        let e = err(&fc(
            "{\"type\":\"Feature\",\"id\":\"A\",\"properties\":{},\"geometry\":null},\n\
             {\"type\":\"Feature\",\"id\":\"B\",\"properties\":{},\n\"geometry\":{\"type\":\"Point\",\"coordinates\":[5]}}",
        ));
        assert_eq!(
            e.location,
            Location::Feature {
                index: 1,
                id: Some("B".into())
            }
        );
        assert!(
            e.problem.contains("at least 2") && e.problem.contains("line 3"),
            "{e}"
        );
    }

    #[test]
    fn non_numeric_coordinate_names_feature_index_and_id() {
        let e = err(&fc(
            r#"{"type":"Feature","properties":{"code":"BU01410101"},"geometry":{"type":"LineString","coordinates":[[1,2],["6,6",52]]}}"#,
        ));
        assert_eq!(
            e.location,
            Location::Feature {
                index: 0,
                id: Some("BU01410101".into())
            }
        );
        assert!(
            e.problem.contains("not a number") && e.problem.contains("column"),
            "{e}"
        );
        assert!(e.to_string().contains("feature 0 (BU01410101)"), "{e}");
    }

    #[test]
    fn short_ring_is_an_error_whichever_member_comes_first() {
        for geom in [
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
            r#"{"coordinates":[[[0,0],[1,0],[0,0]]],"type":"Polygon"}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[0,0]]]]}"#,
        ] {
            let e = err(&fc(&format!(
                r#"{{"type":"Feature","id":"X","properties":{{}},"geometry":{geom}}}"#
            )));
            assert_eq!(
                e.location,
                Location::Feature {
                    index: 0,
                    id: Some("X".into())
                },
                "{geom}"
            );
            assert!(
                e.problem.contains("3 positions") && e.problem.contains("at least 4"),
                "{e}"
            );
        }
    }

    #[test]
    fn wrong_nesting_depth_is_an_error() {
        let e = err(&fc(
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}}"#,
        ));
        assert!(e.problem.contains("nested"), "{e}");
    }

    #[test]
    fn reads_gzip_and_real_almelo_files() {
        let Some(dir) = data_dir() else { return };
        let rd = read_features(&dir.join("almelo-buurten-rd.geojson")).unwrap();
        assert_eq!(rd.declared_crs.as_deref(), Some("EPSG:28992"));
        assert_eq!(rd.features.len(), 71);
        let first = &rd.features[0];
        assert_eq!(first.id.as_deref(), Some("BU01411000"));
        let Some(Geometry::Polygon(p)) = &first.geometry else {
            panic!("polygon expected")
        };
        assert_eq!(
            p.exterior().0[0],
            Coord {
                x: 242_557.068,
                y: 486_757.729
            }
        );

        let wgs = read_features(&dir.join("almelo-buurten.geojson")).unwrap();
        assert_eq!(wgs.declared_crs, None);
        let multis = wgs
            .features
            .iter()
            .filter(|f| matches!(f.geometry, Some(Geometry::MultiPolygon(_))))
            .count();
        assert!(multis >= 2, "BU01411309 and BU01411920 are MultiPolygons");

        let nl = read_features(&dir.join("nl-buurten-2014-coarse.geojson.gz")).unwrap();
        assert_eq!(nl.features.len(), 11_691);
        let nulls = nl.features.iter().filter(|f| f.geometry.is_none()).count();
        assert_eq!(nulls, 1_054, "SOURCES.md: 1,054 features collapsed to null");
    }

    /// A FeatureCollection of `n` square polygons, large enough to be parsed in halves.
    fn big_collection(n: usize, before: &str, after: &str) -> String {
        let features: Vec<String> = (0..n)
            .map(|i| {
                let x = i as f64 * 0.001;
                format!(
                    r#"{{"type":"Feature","id":"F{i}","properties":{{"name":"f {i}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},0],[{x},1],[{x1},1],[{x1},0],[{x},0]]]}}}}"#,
                    x1 = x + 0.001
                )
            })
            .collect();
        format!(
            r#"{{"type":"FeatureCollection",{before}"features":[{}]{after}}}"#,
            features.join(",\n")
        )
    }

    fn summary(set: &FeatureSet) -> Vec<(usize, Option<String>, Option<Geometry<f64>>)> {
        set.features
            .iter()
            .map(|f| (f.index, f.id.clone(), f.geometry.clone()))
            .collect()
    }

    #[test]
    fn a_large_file_parsed_in_halves_equals_the_one_thread_parse() {
        let text = big_collection(
            60_000,
            "",
            r#","crs":{"type":"name","properties":{"name":"EPSG:28992"}}"#,
        );
        assert!(text.len() > SPLIT_MIN_BYTES);
        let halves = parse_in_halves(text.as_bytes()).expect("splits between two features");
        let (whole, _) = parse_document(text.as_bytes());
        let whole = whole.unwrap();
        assert_eq!(summary(&halves), summary(&whole));
        assert_eq!(halves.declared_crs.as_deref(), Some("EPSG:28992"));
        assert_eq!(halves.features[59_999].index, 59_999);
    }

    #[test]
    fn a_split_outside_the_features_array_falls_back_to_one_thread() {
        // A foreign member after `features` holding Feature-like objects, larger than the
        // features themselves, so the middle of the file lies inside it.
        let links: Vec<String> = (0..120_000)
            .map(|i| {
                format!(
                    r#"{{"type":"Feature","id":"L{i}","properties":{{}},"geometry":{{"type":"Point","coordinates":[{i},0]}}}}"#
                )
            })
            .collect();
        let text = big_collection(100, "", &format!(r#","links":[{}]"#, links.join(",")));
        assert!(text.len() > SPLIT_MIN_BYTES);
        assert!(parse_in_halves(text.as_bytes()).is_none());
        let set = read(&text).unwrap();
        assert_eq!(set.features.len(), 100);
    }

    #[test]
    fn a_bad_feature_in_the_second_half_is_named_by_its_place_in_the_whole_file() {
        let mut text = big_collection(60_000, "", "");
        let bad = text.find(r#""id":"F50000""#).unwrap();
        let coords = bad + text[bad..].find("[[[").unwrap();
        text.replace_range(coords..coords + 3, "[[[\"x\",");
        let e = err(&text);
        assert_eq!(
            e.location,
            Location::Feature {
                index: 50_000,
                id: Some("F50000".into())
            },
            "{e}"
        );
        assert!(e.problem.contains("line 50001"), "{e}");
    }
}
