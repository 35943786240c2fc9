//! Point files for `wijkveilig join`: a CSV with a `lon` and a `lat` column (WGS84 decimal
//! degrees), read in byte ranges so that several threads can share one file.
//!
//! Point files run to hundreds of megabytes, so they are never loaded: each reader works
//! through its own [`ByteRange`] in blocks (`pread`, not a memory map, because mapped pages
//! count towards the process's resident memory), parses the rows in place and hands them on
//! in batches of coordinates. Memory stays at a few megabytes per reader whatever the file
//! size. What is done with the points is the caller's business: the join counts them with
//! [`crate::spatial::count`].
//!
//! ```no_run
//! use std::path::Path;
//! use wijkveilig::ingest::points_csv::PointsCsv;
//!
//! let csv = PointsCsv::open(Path::new("points.csv"))?;
//! let mut n = 0u64;
//! for range in csv.split(1) {
//!     csv.read_range(range, |batch| n += batch.len() as u64)
//!         .map_err(|e| csv.error(e))?;
//! }
//! eprintln!("{n} points");
//! # Ok::<(), wijkveilig::ingest::IngestError>(())
//! ```

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use geo::Coord;

use super::IngestError;

/// Bytes read at a time by each reader (a longer line makes its buffer grow).
const BLOCK: usize = 4 << 20;
/// Rows handed to the consumer at once: enough for the counting kernel to overlap the cache
/// misses of its lookups.
const BATCH: usize = 1024;
/// Below this many bytes per range, another reader thread is not worth starting.
const MIN_BYTES_PER_RANGE: u64 = 1 << 20;

const ROW_FIX: &str = "Fix or delete that row: every row needs an id, a longitude and a latitude in WGS84 \
    decimal degrees with a '.' decimal point, e.g. 17,6.6625,52.3570";

/// An open points CSV whose header has been read.
pub struct PointsCsv {
    path: PathBuf,
    file: File,
    len: u64,
    header: Header,
    block: usize,
    min_bytes_per_range: u64,
}

/// A part of the file for one reader: the rows that start in `from..to`. The line that
/// crosses `to` belongs to this range, the one that crosses `from` to the range before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    from: u64,
    to: u64,
    first: bool,
}

/// A bad row, found by byte offset; [`PointsCsv::error`] turns it into an [`IngestError`]
/// with the line number, which is counted only then.
#[derive(Debug)]
pub struct RowError {
    offset: u64,
    problem: String,
    field: Option<&'static str>,
}

struct Header {
    data_start: u64,
    lon: usize,
    lat: usize,
    fields: usize,
}

impl PointsCsv {
    /// Opens a CSV whose header names a `lon` (or `lng`, `longitude`) and a `lat` (or
    /// `latitude`) column, in any order, among any others.
    pub fn open(path: &Path) -> Result<PointsCsv, IngestError> {
        let io_err = |e: std::io::Error| read_error(path, e);
        let file = File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        let header = read_header(&file, len, path)?;
        Ok(PointsCsv {
            path: path.to_path_buf(),
            file,
            len,
            header,
            block: BLOCK,
            min_bytes_per_range: MIN_BYTES_PER_RANGE,
        })
    }

    /// Sets the read block size and the smallest range [`split`](Self::split) makes, so that
    /// tests can drive block and range boundaries through small files.
    pub fn with_sizes(mut self, block: usize, min_bytes_per_range: u64) -> PointsCsv {
        self.block = block.max(1);
        self.min_bytes_per_range = min_bytes_per_range.max(1);
        self
    }

    /// The data rows cut into at most `parts` ranges of about equal size, in file order
    /// (fewer for a small file; at least one).
    pub fn split(&self, parts: usize) -> Vec<ByteRange> {
        let data = self.len - self.header.data_start;
        let parts = parts
            .min((data / self.min_bytes_per_range) as usize + 1)
            .max(1);
        let bound = |i: usize| self.header.data_start + data * i as u64 / parts as u64;
        (0..parts)
            .map(|i| ByteRange {
                from: bound(i),
                to: bound(i + 1),
                first: i == 0,
            })
            .collect()
    }

    /// Parses the rows of `range` and calls `each` with every batch of their coordinates
    /// (x = lon, y = lat), in file order. Blank lines are skipped; the first bad row stops
    /// the range.
    pub fn read_range(
        &self,
        range: ByteRange,
        mut each: impl FnMut(&[Coord<f64>]),
    ) -> Result<(), RowError> {
        let ByteRange { from, to, first } = range;
        let header = &self.header;
        let mut buf = vec![0u8; self.block];
        let mut filled = 0usize;
        // The byte at buf[0] sits at file offset `base`.
        let mut base = from;
        let mut eof = false;
        let mut skip_partial = !first;
        if skip_partial {
            // Start one byte early: if that byte is a newline, `from` begins a line of ours.
            base = from - 1;
        }
        let mut batch: Vec<Coord<f64>> = Vec::with_capacity(BATCH);
        let mut flush = |batch: &mut Vec<Coord<f64>>| {
            if !batch.is_empty() {
                each(batch);
                batch.clear();
            }
        };
        loop {
            if !eof && filled < buf.len() {
                let n = read_some(&self.file, &mut buf[filled..], base + filled as u64).map_err(
                    |e| RowError {
                        offset: base,
                        problem: format!("cannot read the file ({e})"),
                        field: None,
                    },
                )?;
                eof = n == 0;
                filled += n;
            }
            let mut pos = 0usize;
            if skip_partial {
                match buf[..filled].iter().position(|&b| b == b'\n') {
                    Some(nl) => {
                        pos = nl + 1;
                        skip_partial = false;
                    }
                    None if eof => return Ok(()),
                    None => {
                        base += filled as u64;
                        filled = 0;
                        continue;
                    }
                }
            }
            loop {
                let line_offset = base + pos as u64;
                if line_offset >= to {
                    flush(&mut batch);
                    return Ok(());
                }
                let rest = &buf[pos..filled];
                let (line, next) = match rest.iter().position(|&b| b == b'\n') {
                    Some(nl) => (&rest[..nl], pos + nl + 1),
                    None if eof => (rest, filled),
                    None => break,
                };
                pos = next;
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if !line.iter().all(|b| b.is_ascii_whitespace()) {
                    let p = parse_row(line, header).map_err(|(problem, field)| RowError {
                        offset: line_offset,
                        problem,
                        field,
                    })?;
                    batch.push(p);
                    if batch.len() == BATCH {
                        flush(&mut batch);
                    }
                }
                if pos >= filled && eof {
                    flush(&mut batch);
                    return Ok(());
                }
            }
            // Keep the incomplete last line and read more behind it.
            if pos == 0 && filled == buf.len() {
                let grown = buf.len() * 2;
                buf.resize(grown, 0);
            } else {
                buf.copy_within(pos..filled, 0);
                base += pos as u64;
                filled -= pos;
            }
        }
    }

    /// The error to report for a bad row: file, line number, field and fix.
    pub fn error(&self, e: RowError) -> IngestError {
        let line = match line_number(&self.file, e.offset) {
            Ok(line) => line,
            Err(io) => return read_error(&self.path, io),
        };
        let err = IngestError::line(&self.path, line, e.problem, ROW_FIX);
        match e.field {
            Some(f) => err.with_field(f),
            None => err,
        }
    }
}

fn read_error(path: &Path, e: std::io::Error) -> IngestError {
    IngestError::file(
        path,
        format!("cannot read the file ({e})"),
        "Check the path and the file permissions.",
    )
}

fn read_header(file: &File, len: u64, path: &Path) -> Result<Header, IngestError> {
    let mut buf = vec![0u8; len.min(64 << 10) as usize];
    file.read_exact_at(&mut buf, 0)
        .map_err(|e| read_error(path, e))?;
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let end = buf[bom..].iter().position(|&b| b == b'\n').map(|i| bom + i);
    let line = &buf[bom..end.unwrap_or(buf.len())];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let names: Vec<String> = Fields::new(line)
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .collect();
    let find = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    match (
        find(&["lon", "lng", "longitude"]),
        find(&["lat", "latitude"]),
    ) {
        (Some(lon), Some(lat)) => Ok(Header {
            data_start: end.map_or(len, |e| e as u64 + 1),
            lon,
            lat,
            fields: names.len(),
        }),
        _ => Err(IngestError::line(
            path,
            1,
            format!(
                "the header is '{}', without both a 'lon' and a 'lat' column",
                String::from_utf8_lossy(line)
            ),
            "Start the file with the header id,lon,lat (WGS84 decimal degrees).",
        )),
    }
}

fn read_some(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    loop {
        match file.read_at(buf, offset) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// 10^0 ..= 10^22, all exact in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
/// A plain decimal (`-12.345`, no exponent) when its digits fit exactly in an f64 mantissa:
/// then `digits / 10^fraction` is one correctly rounded division, the same value any correct
/// parser gives. `None` for anything else, which the general parser then handles.
#[inline]
fn parse_plain_decimal(t: &[u8]) -> Option<f64> {
    let (neg, t) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut m: u64 = 0;
    let mut digits = 0usize;
    let mut frac: Option<usize> = None;
    for (i, &b) in t.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + (b - b'0') as u64;
                digits += 1;
                if digits > 15 {
                    return None;
                }
            }
            b'.' if frac.is_none() => frac = Some(i + 1),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let scale = frac.map_or(0, |f| t.len() - f);
    let v = m as f64 / POW10[scale];
    Some(if neg { -v } else { v })
}

/// The common row: no quotes, plain decimals. `None` sends the row to [`parse_row_general`].
#[inline]
fn parse_row_fast(line: &[u8], h: &Header) -> Option<Coord<f64>> {
    let (mut lon, mut lat) = (None, None);
    let last = h.lon.max(h.lat);
    let mut rest = line;
    for i in 0..=last {
        if rest.first() == Some(&b'"') {
            return None;
        }
        let (f, more) = match rest.iter().position(|&b| b == b',') {
            Some(c) => (&rest[..c], &rest[c + 1..]),
            None if i == last => (rest, &rest[rest.len()..]),
            None => return None,
        };
        if i == h.lon {
            lon = Some(parse_plain_decimal(f.trim_ascii())?);
        } else if i == h.lat {
            lat = Some(parse_plain_decimal(f.trim_ascii())?);
        }
        rest = more;
    }
    Some(Coord { x: lon?, y: lat? })
}

#[inline]
fn parse_row(line: &[u8], h: &Header) -> Result<Coord<f64>, (String, Option<&'static str>)> {
    match parse_row_fast(line, h) {
        Some(p) => Ok(p),
        None => parse_row_general(line, h),
    }
}

fn parse_row_general(
    line: &[u8],
    h: &Header,
) -> Result<Coord<f64>, (String, Option<&'static str>)> {
    let (mut lon, mut lat) = (None, None);
    let mut n = 0;
    for (i, f) in Fields::new(line).enumerate() {
        if i == h.lon {
            lon = Some(f);
        } else if i == h.lat {
            lat = Some(f);
        }
        n = i + 1;
    }
    let number =
        |f: Option<&[u8]>, name: &'static str| -> Result<f64, (String, Option<&'static str>)> {
            let Some(f) = f else {
                return Err((
                    format!("the row has {n} fields, the header {}", h.fields),
                    Some(name),
                ));
            };
            let t = f.trim_ascii();
            match fast_float2::parse::<f64, _>(t) {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err((
                    format!("'{}' is not a number", String::from_utf8_lossy(t)),
                    Some(name),
                )),
            }
        };
    Ok(Coord {
        x: number(lon, "lon")?,
        y: number(lat, "lat")?,
    })
}

/// Comma-separated fields of one line, honouring double quotes (`"a,b"` is one field).
struct Fields<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    fn new(line: &'a [u8]) -> Self {
        Fields { rest: Some(line) }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let end = if rest.first() == Some(&b'"') {
            // Doubled quotes inside a quoted field toggle twice, so they need no special case.
            let mut quoted = false;
            rest.iter().position(|&b| {
                if b == b'"' {
                    quoted = !quoted;
                }
                b == b',' && !quoted
            })
        } else {
            rest.iter().position(|&b| b == b',')
        };
        match end {
            Some(e) => {
                self.rest = Some(&rest[e + 1..]);
                Some(strip_quotes(&rest[..e]))
            }
            None => {
                self.rest = None;
                Some(strip_quotes(rest))
            }
        }
    }
}

fn strip_quotes(f: &[u8]) -> &[u8] {
    match f {
        [b'"', inner @ .., b'"'] => inner,
        _ => f,
    }
}

/// 1-based line of a byte offset (the header is line 1).
fn line_number(file: &File, offset: u64) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let (mut at, mut lines) = (0u64, 1u64);
    while at < offset {
        let want = ((offset - at) as usize).min(buf.len());
        let n = read_some(file, &mut buf[..want], at)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        at += n as u64;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Location;

    #[test]
    fn plain_decimal_fast_path_matches_the_general_parser() {
        let cases = [
            "5.594586",
            "52.068574",
            "-3.791054",
            "+0.5",
            "0",
            "-0",
            "5.",
            ".5",
            "123456789012345",
            "0.000000000000001",
            "179.99999999999",
            "1.2.3",
            "",
            "-",
            "1e5",
            "nan",
            "12a",
            "0.1",
            "0.30000000000000004",
        ];
        for c in cases {
            let general = fast_float2::parse::<f64, _>(c.as_bytes()).ok();
            if let Some(v) = parse_plain_decimal(c.as_bytes()) {
                assert_eq!(Some(v.to_bits()), general.map(f64::to_bits), "{c}");
            }
        }
        assert_eq!(parse_plain_decimal(b"52.068574"), Some(52.068574));
        assert_eq!(parse_plain_decimal(b"1e5"), None);
    }

    fn csv(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Every point of the file, range after range, and the first range's error.
    fn read_all(csv: &PointsCsv, parts: usize) -> Result<Vec<(f64, f64)>, IngestError> {
        let mut all = Vec::new();
        for range in csv.split(parts) {
            csv.read_range(range, |batch| {
                assert!(!batch.is_empty() && batch.len() <= BATCH);
                all.extend(batch.iter().map(|c| (c.x, c.y)));
            })
            .map_err(|e| csv.error(e))?;
        }
        Ok(all)
    }

    #[test]
    fn reads_bom_crlf_quotes_blank_lines_and_any_column_order() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"\xEF\xBB\xBFid,lon,lat\r\n1,0.5,0.5\r\n\"a,b\",1.5,0.5\r\n\r\n3,1.0,0.5\r\n4,5,5\r\n5,-0.5,0.5";
        let p = PointsCsv::open(&csv(&dir, "p.csv", text)).unwrap();
        assert_eq!(
            read_all(&p, 1).unwrap(),
            [(0.5, 0.5), (1.5, 0.5), (1.0, 0.5), (5.0, 5.0), (-0.5, 0.5)]
        );
        // Other column order, extra columns, a quoted number.
        let p = csv(
            &dir,
            "q.csv",
            b"lat,extra,Longitude,id\n0.5,x,0.25,1\n0.5,y,\"1.25\",2\n",
        );
        assert_eq!(
            read_all(&PointsCsv::open(&p).unwrap(), 2).unwrap(),
            [(0.25, 0.5), (1.25, 0.5)]
        );
        // A header alone: no ranges with rows, no error.
        let p = csv(&dir, "h.csv", b"id,lon,lat\n");
        assert_eq!(read_all(&PointsCsv::open(&p).unwrap(), 4).unwrap(), []);
    }

    #[test]
    fn broken_rows_name_the_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = csv(&dir, "p.csv", b"id,lon,lat\n1,0.5,0.5\n\n2,0.5\n");
        let e = read_all(&PointsCsv::open(&p).unwrap(), 1).unwrap_err();
        assert_eq!(e.location, Location::Line(4), "{e}");
        assert_eq!(e.field.as_deref(), Some("lat"));
        assert!(
            e.problem.contains("2 fields") && e.fix.contains("id, a longitude and a latitude"),
            "{e}"
        );

        let p = csv(
            &dir,
            "q.csv",
            b"id,lon,lat\r\n1,0.5,0.5\r\n2,6\xC2\xB00',52.3\r\n",
        );
        let e = read_all(&PointsCsv::open(&p).unwrap(), 1).unwrap_err();
        assert_eq!(
            (e.location.clone(), e.field.as_deref()),
            (Location::Line(3), Some("lon")),
            "{e}"
        );
        assert!(
            e.to_string().contains("q.csv, line 3, field 'lon'")
                && e.problem.contains("not a number"),
            "{e}"
        );

        let p = csv(&dir, "r.csv", b"id;lon;lat\n1;0.5;0.5\n");
        let e = PointsCsv::open(&p).err().unwrap();
        assert_eq!(e.location, Location::Line(1), "{e}");
    }

    #[test]
    fn ranges_split_at_line_boundaries_and_the_first_bad_line_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id,lon,lat\n");
        let mut want = Vec::new();
        for i in 0..20_000u32 {
            let (x, y) = (f64::from(i % 997) * 0.001, f64::from(i) * 1e-4);
            text.push_str(&format!("{i},{x:.3},{y:.4}\n"));
            want.push((
                format!("{x:.3}").parse::<f64>().unwrap(),
                format!("{y:.4}").parse::<f64>().unwrap(),
            ));
        }
        let p = csv(&dir, "p.csv", text.as_bytes());
        for (parts, block) in [(1, 1 << 20), (2, 4096), (3, 64), (7, 16), (64, 1)] {
            let points = PointsCsv::open(&p).unwrap().with_sizes(block, 1);
            assert_eq!(points.split(parts).len(), parts);
            assert_eq!(read_all(&points, parts).unwrap(), want, "{parts} parts");
        }
        // Two bad rows late in the file: the earlier one is reported, with its line number.
        let mut lines: Vec<&str> = text.lines().collect();
        lines[15_000] = "x,1.0";
        lines[18_000] = "y,abc,1.0";
        let p = csv(&dir, "bad.csv", (lines.join("\n") + "\n").as_bytes());
        for (parts, block) in [(1, 1 << 20), (2, 100), (3, 4096)] {
            let points = PointsCsv::open(&p).unwrap().with_sizes(block, 1);
            let e = read_all(&points, parts).unwrap_err();
            assert_eq!(e.location, Location::Line(15_001), "{parts} parts: {e}");
        }
    }
}
