//! Broken input: every case runs the real `wijkveilig import` command against a SQLite
//! file that already holds data, and checks that the command fails, that its message names
//! the file and the place and says what to do, and that the database file is byte-for-byte
//! unchanged.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wijkveilig");

/// Three buurten and a wijk of an invented gemeente, in WGS84.
fn baseline_areas() -> String {
    let square = |x: f64, y: f64| {
        format!(
            "[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]",
            x + 0.01,
            x + 0.01,
            y + 0.01,
            y + 0.01
        )
    };
    let f = |code: &str, name: &str, coords: String| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}","population":1000}},"geometry":{{"type":"Polygon","coordinates":{coords}}}}}"#
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{},{}]}}"#,
        f("BU99990101", "Noord", square(6.60, 52.30)),
        f("BU99990102", "Oost", square(6.61, 52.30)),
        f("BU99990103", "Zuid", square(6.60, 52.29)),
        r#"{"type":"Feature","properties":{"code":"WK999901","name":"Wijk 1"},"geometry":{"type":"Polygon","coordinates":[[[6.6,52.29],[6.62,52.29],[6.62,52.31],[6.6,52.31],[6.6,52.29]]]}}"#
    )
}

struct Case {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("base.db");
        let areas = common::write(dir.path(), "areas.geojson", baseline_areas().as_bytes());
        let offences = common::write(
            dir.path(),
            "offences.csv",
            b"WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\nBU99990101,0.0.0,2023JJ00,12\n",
        );
        let case = Case { _dir: dir, db };
        case.run(&["import", "areas", areas.to_str().unwrap()])
            .expect_ok();
        case.run(&["import", "offences", offences.to_str().unwrap()])
            .expect_ok();
        case
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.db.display())
    }

    fn run(&self, args: &[&str]) -> Outcome {
        let out = Command::new(BIN)
            .args(args)
            .env("DATABASE_URL", self.url())
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        Outcome {
            ok: out.status.success(),
            text: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        assert!(
            !Path::new(&format!("{}-wal", self.db.display())).exists_nonempty(),
            "the WAL was checkpointed on close"
        );
        std::fs::read(&self.db).unwrap()
    }

    fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        common::write(self._dir.path(), name, content)
    }

    /// Imports a broken file and checks the failure and the untouched database.
    fn refuses(&self, kind: &str, name: &str, content: &[u8], expect: &[&str]) -> String {
        let before = self.bytes();
        let file = self.file(name, content);
        let out = self.run(&["import", kind, file.to_str().unwrap()]);
        assert!(
            !out.ok,
            "importing {name} should fail, but said: {}",
            out.text
        );
        assert!(
            out.text.contains(name),
            "the message names the file: {}",
            out.text
        );
        for e in expect {
            assert!(
                out.text.contains(e),
                "the message should contain {e:?}: {}",
                out.text
            );
        }
        assert_eq!(
            before,
            self.bytes(),
            "the database is byte-for-byte unchanged after {name}"
        );
        out.text
    }
}

struct Outcome {
    ok: bool,
    text: String,
}

impl Outcome {
    fn expect_ok(self) -> String {
        assert!(self.ok, "{}", self.text);
        self.text
    }
}

trait ExistsNonEmpty {
    fn exists_nonempty(&self) -> bool;
}

impl ExistsNonEmpty for Path {
    fn exists_nonempty(&self) -> bool {
        std::fs::metadata(self)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
    }
}

fn fc(features: &str) -> Vec<u8> {
    format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#).into_bytes()
}

fn polygon_feature(code: &str, coords: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":{coords}}}}}"#
    )
}

const OFFENCE_HEADER: &str = "WijkenEnBuurten,SoortMisdrijf,Perioden,GeregistreerdeMisdrijven_1\n";
const CAMERA_HEADER: &str = "id,name,lon,lat,radius_m,status,installed\n";

macro_rules! refuses {
    ($test:ident, $kind:literal, $name:literal, $content:expr, [$($expect:literal),* $(,)?]) => {
        #[test]
        fn $test() {
            let content: Vec<u8> = $content.into();
            Case::new().refuses($kind, $name, &content, &[$($expect),*]);
        }
    };
}

refuses!(
    truncated_json,
    "areas",
    "truncated.geojson",
    &baseline_areas().as_bytes()[..200],
    ["line 1"]
);
refuses!(
    not_json_at_all,
    "areas",
    "hello.geojson",
    &b"hello, I am not GeoJSON"[..],
    []
);
refuses!(
    empty_areas_file,
    "areas",
    "empty.geojson",
    &b""[..],
    ["empty"]
);
refuses!(
    geojson_without_features,
    "areas",
    "nofeatures.geojson",
    fc(""),
    ["no features"]
);
refuses!(
    feature_collection_missing_member,
    "areas",
    "nomember.geojson",
    &br#"{"type":"FeatureCollection"}"#[..],
    ["features"]
);
refuses!(
    linestring_instead_of_polygon,
    "areas",
    "line.geojson",
    fc(
        r#"{"type":"Feature","properties":{"code":"BU99990104"},"geometry":{"type":"LineString","coordinates":[[6.6,52.3],[6.7,52.4]]}}"#
    ),
    ["feature 0", "BU99990104", "LineString", "Polygon"]
);
refuses!(
    self_intersecting_polygon,
    "areas",
    "bowtie.geojson",
    fc(&polygon_feature(
        "BU99990104",
        "[[[6.6,52.3],[6.61,52.31],[6.61,52.3],[6.6,52.31],[6.6,52.3]]]"
    )),
    ["feature 0", "BU99990104", "invalid", "--repair"]
);
refuses!(
    unknown_crs,
    "areas",
    "mercator.geojson",
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::3857"}}}},"features":[{}]}}"#,
        polygon_feature(
            "BU99990104",
            "[[[740000,6860000],[741000,6860000],[741000,6861000],[740000,6860000]]]"
        )
    ),
    ["EPSG:3857", "not supported", "reproject"]
);
/// A buurt in RD New metres in a file that declares WGS84 (OGC CRS84).
fn rd_areas_declared_as_wgs84() -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}},"features":[{}]}}"#,
        polygon_feature(
            "BU99990104",
            "[[[242557,486757],[242657,486757],[242657,486857],[242557,486757]]]"
        )
    )
}

refuses!(
    rd_declared_as_wgs84,
    "areas",
    "rd-as-wgs84.geojson",
    rd_areas_declared_as_wgs84(),
    ["RD New", "EPSG:28992"]
);

/// `join` reads its polygons by the CRS rule of `import`: the file that import refuses above,
/// join refuses too, with the same message, and writes nothing.
#[test]
fn join_refuses_rd_declared_as_wgs84_with_the_import_message() {
    let case = Case::new();
    let content = rd_areas_declared_as_wgs84();
    let import = case.refuses(
        "areas",
        "rd-as-wgs84.geojson",
        content.as_bytes(),
        &["RD New"],
    );
    let polygons = case.file("rd-as-wgs84.geojson", content.as_bytes());
    let points = case.file("points.csv", b"id,lon,lat\n1,6.605,52.305\n");
    let out = case._dir.path().join("counts.csv");
    let join = case.run(&[
        "join",
        "--polygons",
        polygons.to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !join.ok,
        "join should refuse the file, but said: {}",
        join.text
    );
    let message = join
        .text
        .trim()
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("one error line: {}", join.text));
    assert!(
        message.contains("rd-as-wgs84.geojson, feature 0")
            && message.contains("declares WGS84")
            && message.contains("EPSG:28992"),
        "names the file, the feature and the fix: {message}"
    );
    assert!(
        import.contains(message),
        "join says what import says:\njoin:   {message}\nimport: {import}"
    );
    assert!(!out.exists(), "join wrote nothing");
}
refuses!(
    feature_without_code,
    "areas",
    "nocode.geojson",
    fc(
        r#"{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[6.6,52.3],[6.61,52.3],[6.61,52.31],[6.6,52.3]]]}}"#
    ),
    ["feature 0", "no CBS code"]
);
refuses!(
    malformed_area_code,
    "areas",
    "badcode.geojson",
    fc(&polygon_feature(
        "BU123",
        "[[[6.6,52.3],[6.61,52.3],[6.61,52.31],[6.6,52.3]]]"
    )),
    ["BU123", "not a CBS area code"]
);
refuses!(
    duplicate_area_codes,
    "areas",
    "twice.geojson",
    fc(&format!(
        "{},{}",
        polygon_feature(
            "BU99990104",
            "[[[6.6,52.3],[6.61,52.3],[6.61,52.31],[6.6,52.3]]]"
        ),
        polygon_feature(
            "BU99990104",
            "[[[6.7,52.3],[6.71,52.3],[6.71,52.31],[6.7,52.3]]]"
        )
    )),
    ["feature 1", "occurs twice"]
);
refuses!(
    null_geometry,
    "areas",
    "null.geojson",
    fc(r#"{"type":"Feature","properties":{"code":"BU99990104"},"geometry":null}"#),
    ["BU99990104", "null"]
);
refuses!(
    non_numeric_coordinate,
    "areas",
    "textcoord.geojson",
    fc(&polygon_feature(
        "BU99990104",
        r#"[[["6.6",52.3],[6.61,52.3],[6.61,52.31],[6.6,52.3]]]"#
    )),
    []
);
refuses!(
    offences_missing_column,
    "offences",
    "nocol.csv",
    &b"WijkenEnBuurten,SoortMisdrijf,GeregistreerdeMisdrijven_1\nBU99990101,0.0.0,3\n"[..],
    ["line 1", "Perioden"]
);
refuses!(
    text_in_count,
    "offences",
    "text.csv",
    format!("{OFFENCE_HEADER}BU99990101,0.0.0,2022JJ00,5\nBU99990102,0.0.0,2022JJ00,twaalf\n"),
    ["line 3", "GeregistreerdeMisdrijven_1", "'twaalf'"]
);
refuses!(
    negative_count,
    "offences",
    "negative.csv",
    format!("{OFFENCE_HEADER}BU99990101,0.0.0,2022JJ00,-4\n"),
    ["line 2", "negative"]
);
refuses!(
    unknown_buurt_code,
    "offences",
    "unknown.csv",
    format!("{OFFENCE_HEADER}BU99990101,0.0.0,2022JJ00,4\nBU01410101,0.0.0,2022JJ00,7\n"),
    ["line 3", "BU01410101", "unknown"]
);
refuses!(
    bad_period,
    "offences",
    "period.csv",
    format!("{OFFENCE_HEADER}BU99990101,0.0.0,2022KW01,4\n"),
    ["line 2", "2022KW01"]
);
refuses!(
    duplicate_offence_rows,
    "offences",
    "dup.csv",
    format!("{OFFENCE_HEADER}BU99990101,1.1.1,2022MM01,4\nBU99990101,1.1.1,2022MM01,5\n"),
    ["line 3", "twice"]
);
refuses!(empty_csv, "offences", "empty.csv", &b""[..], ["empty"]);
refuses!(
    header_only_csv,
    "offences",
    "header.csv",
    OFFENCE_HEADER,
    ["no rows"]
);
refuses!(
    not_utf8_csv,
    "offences",
    "latin1.csv",
    [
        OFFENCE_HEADER.as_bytes(),
        b"BU99990101,0.0.0,2022JJ00,4\nBU9999\xe9,0.0.0,2022JJ00,4\n"
    ]
    .concat(),
    ["UTF-8"]
);
refuses!(
    duplicate_camera_ids,
    "cameras",
    "cams.csv",
    format!(
        "{CAMERA_HEADER}c1,Amaliaplein,6.605,52.305,60,active,2019-01-01\nc1,Koornmarkt,6.606,52.306,60,active,\n"
    ),
    ["line 3", "'c1'", "twice"]
);
refuses!(
    rd_in_lon_lat_columns,
    "cameras",
    "rdcams.csv",
    format!("{CAMERA_HEADER}c1,Amaliaplein,242557,486757,60,active,\n"),
    ["line 2", "RD New", "x and y"]
);
refuses!(
    bad_camera_status,
    "cameras",
    "status.csv",
    format!("{CAMERA_HEADER}c1,Stadion,6.605,52.305,60,kapot,\n"),
    ["line 2", "status", "'kapot'"]
);
// One validation (#13): the importers apply the API's rules (domain::validate) and list every
// refused row of the file with its line and field.
refuses!(
    camera_name_with_a_line_break_and_an_id_that_walks_a_path,
    "cameras",
    "names.csv",
    format!(
        "{CAMERA_HEADER}c1,\"Amalia\r\nplein\",6.605,52.305,60,active,\n../../etc/passwd,Stadion,6.606,52.306,60,active,\n"
    ),
    [
        "2 problems",
        "line 2, field 'name'",
        "carriage return",
        "line 4, field 'id'",
        "'/'"
    ]
);
refuses!(
    initiative_name_with_a_right_to_left_override,
    "initiatives",
    "rlo.csv",
    "id,name,kind,lon,lat,start_date,end_date,members\nbp-1,Buurt\u{202E}eitneverp,whatsapp,6.605,52.305,2020-01-01,,\n",
    ["line 2, field 'name'", "U+202E"]
);
refuses!(
    enforcement_domain_with_markup,
    "enforcement",
    "domain.csv",
    &b"id,date,lon,lat,domain,outcome\nh1,2023-02-01,6.605,52.305,<b>bouw</b>,warning\n"[..],
    ["line 2, field 'domain'", "lower-case word"]
);
refuses!(
    unknown_outcome,
    "enforcement",
    "outcome.csv",
    &b"id,date,lon,lat,domain,outcome\nh1,2023-02-01,6.605,52.305,building,maybe\n"[..],
    ["line 2", "outcome", "'maybe'"]
);
refuses!(
    bad_date,
    "enforcement",
    "date.csv",
    &b"id,date,lon,lat,domain,outcome\nh1,01-02-2023,6.605,52.305,building,warning\n"[..],
    ["line 2", "date", "YYYY-MM-DD"]
);
refuses!(
    non_numeric_lon,
    "incidents",
    "lon.csv",
    &b"id,time,crime_type,lon,lat\ni1,2023-01-01T12:00,1.1.1,oost,52.3\n"[..],
    ["line 2", "lon", "'oost'"]
);
refuses!(
    more_care_than_reports,
    "e33",
    "e33.csv",
    &b"area,period,count,with_fitting_care\nBU99990101,2023-01,2,3\n"[..],
    ["line 2", "with_fitting_care"]
);
refuses!(
    percentage_out_of_range,
    "survey",
    "survey.csv",
    &b"indicator,year,area,percentage,sample_size\nfeels_safe,2023,WK999901,140,300\n"[..],
    ["line 2", "percentage"]
);
refuses!(
    population_for_unknown_area,
    "population",
    "pop.csv",
    &b"WijkenEnBuurten,AantalInwoners_5\nBU99990101,1200\nBU12345678,900\n"[..],
    ["line 3", "BU12345678", "unknown"]
);

#[test]
fn bom_crlf_and_semicolons_are_accepted() {
    let case = Case::new();
    let file = case.file(
        "excel.csv",
        b"\xEF\xBB\xBFWijkenEnBuurten;SoortMisdrijf;Perioden;GeregistreerdeMisdrijven_1\r\nBU99990101;1.1.1;2023MM01;3\r\nBU99990102;1.1.1;2023MM01;\r\n",
    );
    let text = case
        .run(&["import", "offences", file.to_str().unwrap()])
        .expect_ok();
    assert!(
        text.contains("2 rows") && text.contains("withheld"),
        "{text}"
    );
}

#[test]
fn repair_makes_a_bowtie_valid_and_says_so() {
    let case = Case::new();
    let file = case.file(
        "bowtie.geojson",
        &fc(&polygon_feature(
            "BU99990104",
            "[[[6.6,52.3],[6.61,52.31],[6.61,52.3],[6.6,52.31],[6.6,52.3]]]",
        )),
    );
    let text = case
        .run(&["import", "areas", file.to_str().unwrap(), "--repair"])
        .expect_ok();
    assert!(
        text.contains("repaired feature 0 (BU99990104)") && text.contains("Self-intersection")
            || text.contains("self-intersect"),
        "{text}"
    );
}

#[test]
fn dry_run_writes_nothing_and_reimport_replaces() {
    let case = Case::new();
    let before = case.bytes();
    let file = case.file(
        "more.csv",
        format!("{OFFENCE_HEADER}BU99990102,0.0.0,2023JJ00,9\n").as_bytes(),
    );
    let text = case
        .run(&["import", "offences", file.to_str().unwrap(), "--dry-run"])
        .expect_ok();
    assert!(text.contains("dry run"), "{text}");
    assert_eq!(before, case.bytes());
    case.run(&["import", "offences", file.to_str().unwrap()])
        .expect_ok();
    case.run(&["import", "offences", file.to_str().unwrap()])
        .expect_ok();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = wijkveilig::store::Store::connect(&case.url())
            .await
            .unwrap();
        assert_eq!(
            store.table_count("offences").await.unwrap(),
            2,
            "the baseline row plus one, not duplicated"
        );
        assert_eq!(store.table_count("imports").await.unwrap(), 3);
        store.close().await;
    });
}

/// A 200 MB StatLine export with one bad row at the very end: the import streams through it,
/// refuses it naming the last line, keeps memory flat and leaves the database untouched.
#[test]
fn a_200_mb_file_is_streamed_and_rolled_back() {
    use std::io::Write;
    let case = Case::new();
    let path = case._dir.path().join("big.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    w.write_all(OFFENCE_HEADER.as_bytes()).unwrap();
    let mut lines = 1u64;
    let mut written = 0usize;
    let (mut year, mut month, mut t) = (1900, 1, 0);
    while written < 200 * 1024 * 1024 {
        for b in ["BU99990101", "BU99990102", "BU99990103"] {
            let line = format!(
                "{b},{}.{}.{},{year}MM{month:02},{}\n",
                1 + t / 100,
                (t / 10) % 10,
                t % 10,
                (t * 7) % 13
            );
            written += line.len();
            w.write_all(line.as_bytes()).unwrap();
            lines += 1;
        }
        t += 1;
        if t == 900 {
            t = 0;
            month += 1;
            if month == 13 {
                month = 1;
                year += 1;
            }
        }
    }
    w.write_all(b"BU99990101,0.0.0,2023MM01,oops\n").unwrap();
    lines += 1;
    drop(w);
    assert!(std::fs::metadata(&path).unwrap().len() >= 200 * 1024 * 1024);
    let before = case.bytes();
    let mut child = Command::new(BIN)
        .args(["import", "offences", path.to_str().unwrap()])
        .env("DATABASE_URL", case.url())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            && let Some(v) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak_kb = peak_kb.max(v.split_whitespace().nth(1).unwrap().parse().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        text.contains("big.csv")
            && text.contains(&format!("line {lines}"))
            && text.contains("'oops'"),
        "{text}"
    );
    assert_eq!(before, case.bytes());
    // The file is never held: memory stays far below its size (duplicate-key tracking is
    // what grows, at a few dozen bytes per row).
    assert!(
        peak_kb > 0 && peak_kb < 150 * 1024,
        "peak RSS {peak_kb} kB for a 200 MB file"
    );
}
