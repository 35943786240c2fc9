//! Vector tiles on real CBS boundaries from ../shared/data: shared-arc simplification leaves no
//! gaps or overlaps at zooms 6, 10 and 14; the national set stays under 500 KB a tile; the
//! PMTiles export holds the served bytes; and over HTTP, tiles are public, immutable under
//! their generation, and the figures endpoint joins to them by id through the access policy.

mod common;

use common::mvt::{self, contains};
use common::{TestDb, serve, shared_data};
use geo::{Coord, MapCoords, MultiPolygon};
use rstar::RTree;
use rstar::primitives::Line as RLine;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use wijkveilig::domain::AreaLevel;
use wijkveilig::importer::{ImportKind, ImportOptions, import_file};
use wijkveilig::service::{Scope, Service};
use wijkveilig::store::Store;
use wijkveilig::tiles::export::tiles_covering;
use wijkveilig::tiles::{EXTENT, TileSet, gunzip, mercator, tile_bounds};

async fn import_areas(store: &Store, file: &std::path::Path, repair: bool) {
    let options = ImportOptions {
        repair,
        ..ImportOptions::default()
    };
    import_file(store, ImportKind::Areas, file, &options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn tile_set(store: &Store) -> std::sync::Arc<TileSet> {
    Service::new(store.clone())
        .tile_set(&Scope::all())
        .await
        .unwrap()
}

/// The original buurt polygons (Web Mercator) and the segments of the coverage's outer
/// boundary: every segment that only one buurt has (counted on the unsimplified input, with
/// other code than the topology's).
fn coverage(set: &[MultiPolygon<f64>]) -> (Vec<MultiPolygon<f64>>, RTree<RLine<[f64; 2]>>) {
    let merc: Vec<MultiPolygon<f64>> = set.iter().map(|m| m.map_coords(mercator)).collect();
    let k = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    type Key = ((u64, u64), (u64, u64));
    let mut uses: HashMap<Key, (u32, Coord<f64>, Coord<f64>)> = HashMap::new();
    for m in &merc {
        for p in &m.0 {
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in r.0.windows(2) {
                    let (a, b) = (k(w[0]), k(w[1]));
                    let key = if a < b { (a, b) } else { (b, a) };
                    uses.entry(key).or_insert((0, w[0], w[1])).0 += 1;
                }
            }
        }
    }
    let outer = uses
        .values()
        .filter(|(n, _, _)| *n == 1)
        .map(|(_, a, b)| RLine::new([a.x, a.y], [b.x, b.y]))
        .collect();
    (merc, RTree::bulk_load(outer))
}

/// Samples `n` × `n` points of every tile of zoom `z`, over the part of the tile the set's box
/// covers: no point is in two
/// buurten (no overlap), and none that an original buurt holds, farther than 4 tile units
/// from the coverage's outer boundary, is in none (no gap). Returns the points checked.
fn check_zoom(set: &TileSet, wgs84: &[MultiPolygon<f64>], z: u8, n: u32) -> (usize, usize) {
    let (merc, outer) = coverage(wgs84);
    let data = merc
        .iter()
        .flat_map(|m| m.0.iter().flat_map(|p| p.exterior().0.iter()))
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, c| {
            [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
        });
    let (mut sampled, mut covered) = (0, 0);
    for (x, y) in tiles_covering(set.bounds, z) {
        let raw = set.encode(AreaLevel::Buurt, z, x, y).unwrap();
        if raw.is_empty() {
            continue;
        }
        let tile = mvt::decode(&raw);
        let layer = tile
            .layers
            .iter()
            .find(|l| l.name == "areas")
            .expect("an areas layer");
        type Rings = Vec<Vec<(i64, i64)>>;
        let features: Vec<(String, Rings)> = layer
            .features
            .iter()
            .map(|f| (layer.property(f, "code").unwrap(), mvt::rings(f)))
            .collect();
        let b = tile_bounds(z, x, y);
        let unit = (b[2] - b[0]) / f64::from(EXTENT);
        // The window of the tile (tile units) that the set's box covers.
        let (x0, x1) = (
            ((data[0] - b[0]) / unit).max(0.0),
            ((data[2] - b[0]) / unit).min(f64::from(EXTENT)),
        );
        let (y0, y1) = (
            ((b[3] - data[3]) / unit).max(0.0),
            ((b[3] - data[1]) / unit).min(f64::from(EXTENT)),
        );
        for i in 0..n {
            for j in 0..n {
                // Off the integer grid, so no sample lies on a vertex.
                let px = x0 + (f64::from(i) + 0.5) * (x1 - x0) / f64::from(n) + 0.0123;
                let py = y0 + (f64::from(j) + 0.5) * (y1 - y0) / f64::from(n) + 0.0377;
                let hits: Vec<&str> = features
                    .iter()
                    .filter(|(_, r)| contains(r, px, py))
                    .map(|(c, _)| c.as_str())
                    .collect();
                sampled += 1;
                assert!(
                    hits.len() <= 1,
                    "overlap at zoom {z}, tile {x}/{y}, point ({px:.1}, {py:.1}): {hits:?}"
                );
                if hits.len() == 1 {
                    covered += 1;
                    continue;
                }
                let m = Coord {
                    x: b[0] + px * unit,
                    y: b[3] - py * unit,
                };
                let inside = merc.iter().any(|mp| {
                    use geo::Contains;
                    mp.contains(&geo::Point(m))
                });
                let near_edge = outer.nearest_neighbor(&[m.x, m.y]).is_some_and(|l| {
                    use rstar::PointDistance;
                    l.distance_2(&[m.x, m.y]).sqrt() <= 4.0 * unit
                });
                assert!(
                    !inside || near_edge,
                    "gap at zoom {z}, tile {x}/{y}, point ({px:.1}, {py:.1}): inside the buurten, {:.0} units from their outer edge, but in no tile feature",
                    outer
                        .nearest_neighbor(&[m.x, m.y])
                        .map(|l| {
                            use rstar::PointDistance;
                            l.distance_2(&[m.x, m.y]).sqrt() / unit
                        })
                        .unwrap_or(f64::NAN)
                );
            }
        }
    }
    (sampled, covered)
}

fn buurten_of(store_rows: &TileSet) -> usize {
    store_rows.level(AreaLevel::Buurt).len()
}

#[tokio::test]
async fn shared_arcs_leave_no_gap_or_overlap_at_zooms_6_10_and_14() {
    let (Some(almelo), Some(twente)) = (
        shared_data("almelo-buurten.geojson"),
        shared_data("twente-buurten-2021.geojson"),
    ) else {
        return;
    };
    for (file, zooms) in [(&almelo, &[6u8, 10, 14][..]), (&twente, &[6, 10][..])] {
        let db = TestDb::sqlite();
        let store = Store::connect(&db.url).await.unwrap();
        import_areas(&store, file, false).await;
        let service = Service::new(store.clone());
        let set = service.tile_set(&Scope::all()).await.unwrap();
        // The buurten as stored: what the tiles were made of.
        let areas = service.areas(&Scope::all()).await.unwrap();
        let wgs84: Vec<MultiPolygon<f64>> = areas
            .level(AreaLevel::Buurt)
            .iter()
            .map(|&i| areas.areas[i].wgs84.clone())
            .collect();
        assert_eq!(wgs84.len(), buurten_of(&set), "{}", file.display());
        for &z in zooms {
            let n = if z >= 14 { 48 } else { 160 };
            let (sampled, covered) = check_zoom(&set, &wgs84, z, n);
            eprintln!(
                "{} zoom {z}: {sampled} points sampled, {covered} in exactly one buurt, none in two, no gap",
                file.display()
            );
            assert!(
                covered > sampled / 3,
                "the tiles draw the buurten at zoom {z}"
            );
        }
    }
}

#[tokio::test]
async fn national_tiles_stay_under_500_kb_and_export_to_pmtiles() {
    let Some(nl) = shared_data("nl-buurten-2014-coarse.geojson.gz") else {
        return;
    };
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    import_areas(&store, &nl, true).await;
    let set = tile_set(&store).await;
    assert!(
        buurten_of(&set) > 10_000,
        "the national set: {}",
        buurten_of(&set)
    );
    // The most crowded zooms: the largest tiles are those of the whole country.
    let mut largest = (0, 0u8);
    for z in 0..=8u8 {
        for (x, y) in tiles_covering(set.bounds, z) {
            let raw = set.encode(AreaLevel::Buurt, z, x, y).unwrap();
            largest = largest.max((raw.len(), z));
            assert!(
                raw.len() <= 500_000,
                "tile {z}/{x}/{y} is {} bytes",
                raw.len()
            );
        }
    }
    eprintln!(
        "largest national buurt tile up to zoom 8: {} bytes (zoom {})",
        largest.0, largest.1
    );

    // The PMTiles archive holds the served tiles, byte for byte (after gzip).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nl.pmtiles");
    let summary =
        wijkveilig::tiles::export::write_pmtiles(&set, AreaLevel::Buurt, 0, 7, &out).unwrap();
    assert!(summary.tiles > 10, "{summary:?}");
    let reader = pmtiles::AsyncPmTilesReader::new_with_path(&out)
        .await
        .unwrap();
    let header = reader.get_header();
    assert_eq!((header.min_zoom, header.max_zoom), (0, 7));
    let (x, y) = tiles_covering(set.bounds, 7).next().unwrap();
    let mut checked = 0;
    for (x, y) in std::iter::once((x, y)).chain(tiles_covering(set.bounds, 7)) {
        let coord = pmtiles::TileCoord::new(7, x, y).unwrap();
        let stored = reader.get_tile_decompressed(coord).await.unwrap();
        let served = set.tile(AreaLevel::Buurt, 7, x, y).unwrap();
        let served = if served.is_empty() {
            vec![]
        } else {
            gunzip(&served).unwrap()
        };
        assert_eq!(
            stored.map(|b| b.to_vec()).unwrap_or_default(),
            served,
            "tile 7/{x}/{y}"
        );
        checked += 1;
    }
    assert!(checked > 2);
}

async fn get(client: &reqwest::Client, url: &str) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn tiles_over_http_are_public_immutable_and_join_the_figures() {
    let (Some(buurten), Some(wijken), Some(crime)) = (
        shared_data("almelo-buurten.geojson"),
        shared_data("almelo-wijken.geojson"),
        shared_data("almelo-misdrijven-47018NED-2023.csv"),
    ) else {
        return;
    };
    for db in TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        import_areas(&store, &buurten, false).await;
        import_areas(&store, &wijken, false).await;
        import_file(
            &store,
            ImportKind::Offences,
            &crime,
            &ImportOptions::default(),
        )
        .await
        .unwrap();
        common::ensure_user(
            &store,
            "regie",
            wijkveilig::auth::Role::Wijkregisseur,
            &["WK014110"],
        )
        .await;
        common::ensure_user(&store, "team", wijkveilig::auth::Role::Veiligheidsteam, &[]).await;
        let base = serve(store.clone()).await;
        let anonymous = reqwest::Client::new();

        // Where the tiles are: public, like the tiles.
        let info: Value = get(&anonymous, &format!("{base}/api/tiles"))
            .await
            .json()
            .await
            .unwrap();
        let g = info["generation"].as_str().unwrap().to_string();
        assert_eq!(info["boundary_year"], 2021);
        assert_eq!(info["levels"], serde_json::json!(["wijk", "buurt"]));
        let template = info["tiles"]["buurt"].as_str().unwrap();
        assert!(template.contains(&format!("g={g}")), "{template}");

        // The tile over Almelo's centre at zoom 12, immutable under its generation.
        let (x, y) = tiles_covering([6.66, 52.357, 6.66, 52.357], 12)
            .next()
            .unwrap();
        let url = format!(
            "{base}{}",
            template.replace("{z}/{x}/{y}", &format!("12/{x}/{y}"))
        );
        let r = anonymous
            .get(&url)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(h["content-type"], "application/vnd.mapbox-vector-tile");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert!(
            h.get("set-cookie").is_none(),
            "tiles read and make no session"
        );
        let etag = h["etag"].to_str().unwrap().to_string();
        assert_eq!(etag, format!("\"{g}\""));
        // reqwest without its gzip feature hands the body over as sent.
        assert_eq!(h["content-encoding"], "gzip");
        let tile = mvt::decode(&gunzip(&r.bytes().await.unwrap()).unwrap());
        let areas = tile.layers.iter().find(|l| l.name == "areas").unwrap();
        let tile_ids: HashSet<u64> = areas.features.iter().filter_map(|f| f.id).collect();
        assert!(
            tile_ids.len() > 20,
            "{} buurten in the centre tile",
            tile_ids.len()
        );
        for f in &areas.features {
            let code = areas.property(f, "code").unwrap();
            assert_eq!(f.id, Some(code[2..].parse::<u64>().unwrap()), "{code}");
            for ring in mvt::rings(f).iter().take(1) {
                assert!(
                    mvt::area(ring) > 0.0,
                    "{code}: exterior clockwise in tile space"
                );
            }
        }
        let labels = tile.layers.iter().find(|l| l.name == "labels").unwrap();
        assert!(
            labels
                .features
                .iter()
                .all(|f| labels.property(f, "rank").is_some())
        );

        // Revalidation, and a tile URL without (or with an old) generation.
        let r = anonymous
            .get(&url)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);
        let plain = format!("{base}/tiles/buurt/12/{x}/{y}.mvt");
        let r = get(&anonymous, &plain).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "public, no-cache");
        assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
        assert!(
            r.headers().get("content-encoding").is_none(),
            "unpacked for a client without gzip"
        );
        assert_eq!(
            mvt::decode(&r.bytes().await.unwrap()),
            tile,
            "the same tile, unpacked"
        );
        for (bad, status) in [
            ("/tiles/buurt/15/0/0.mvt", 400),
            ("/tiles/buurt/2/4/0.mvt", 400),
            ("/tiles/straat/2/1/1.mvt", 404),
            ("/tiles/buurt/2/1/1.png", 404),
        ] {
            let r = get(&anonymous, &format!("{base}{bad}")).await;
            assert_eq!(r.status(), status, "{bad}");
            let body: Value = r.json().await.unwrap();
            assert!(body["message"].as_str().is_some(), "{bad}: {body}");
        }

        // Figures: through the access policy, joined by the same ids.
        let q = "level=buurt&from=2023&to=2023";
        assert_eq!(
            get(&anonymous, &format!("{base}/api/figures?{q}"))
                .await
                .status(),
            401
        );
        let team = common::sign_in(&base, "team").await;
        let figures: Value = get(&team, &format!("{base}/api/figures?{q}"))
            .await
            .json()
            .await
            .unwrap();
        let areas_geo: Value = get(&team, &format!("{base}/api/areas?{q}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(figures["tile_generation"], g.as_str());
        let list = figures["areas"].as_array().unwrap();
        assert_eq!(list.len(), 71);
        assert_eq!(list.len(), areas_geo["features"].as_array().unwrap().len());
        for (a, f) in list.iter().zip(areas_geo["features"].as_array().unwrap()) {
            // The same figures as the GeoJSON answer, with the tile id instead of geometry.
            let mut props = f["properties"].clone();
            props["id"] = a["id"].clone();
            assert_eq!(a, &props);
        }
        assert_eq!(figures["summary"], areas_geo["summary"]);
        let ids: HashSet<u64> = list.iter().map(|a| a["id"].as_u64().unwrap()).collect();
        assert!(
            tile_ids.is_subset(&ids),
            "every buurt of the tile has figures"
        );
        // A wijkregisseur gets the figures of his wijk only; the tiles stay the same.
        let regie = common::sign_in(&base, "regie").await;
        let own: Value = get(&regie, &format!("{base}/api/figures?{q}"))
            .await
            .json()
            .await
            .unwrap();
        let own = own["areas"].as_array().unwrap();
        assert!(!own.is_empty() && own.len() < 71, "{}", own.len());
        assert!(
            own.iter()
                .all(|a| a["code"].as_str().unwrap().starts_with("BU014110"))
        );

        // Hotspots without geometry carry the tile id.
        let hot: Value = get(&team, &format!("{base}/api/hotspots?{q}&geometry=false"))
            .await
            .json()
            .await
            .unwrap();
        let first = &hot["features"][0];
        assert!(first["geometry"].is_null());
        assert_eq!(
            first["properties"]["id"].as_u64().unwrap(),
            first["properties"]["code"].as_str().unwrap()[2..]
                .parse::<u64>()
                .unwrap()
        );
        db.cleanup().await;
    }
}
