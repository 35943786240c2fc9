//! The metric frame: where anything measured in metres (camera radius, KDE cells, distance
//! bands, areas) is computed. For Dutch data that is RD New (EPSG:28992).
//!
//! Geometry is stored in WGS84; code that needs metres asks a [`MetricFrame`] to project, so a
//! second country needs one new frame and no hunt through the code.
//!
//! ```
//! use wijkveilig::spatial::frame::MetricFrame;
//! let rd = MetricFrame::rd_new();
//! // The Onze Lieve Vrouwetoren in Amersfoort, the origin of RD.
//! let (x, y) = rd.to_metric(5.387206, 52.155174);
//! assert!((x - 155_000.0).abs() < 2.0 && (y - 463_000.0).abs() < 2.0);
//! ```

use geo::{Coord, MapCoords};
use proj4rs::proj::Proj;

/// Amersfoort / RD New with the 7-parameter Helmert shift to WGS84 that PROJ uses as
/// EPSG:4833 (about 1 m accurate; rotations in PROJ's position-vector convention).
const RD_NEW: &str = "+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 \
    +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel \
    +towgs84=565.4171,50.3319,465.5524,-0.398957388243134,0.343987817378283,-1.87740163998045,4.0725 \
    +units=m +no_defs";
const WGS84: &str = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";

/// A projected coordinate system in metres, with conversions to and from WGS84 lon/lat.
pub struct MetricFrame {
    name: &'static str,
    projected: Proj,
    wgs84: Proj,
    /// Plausible projected bounds, used to recognise undeclared coordinates.
    bounds: (Coord<f64>, Coord<f64>),
}

impl MetricFrame {
    /// RD New, valid for the European Netherlands.
    pub fn rd_new() -> Self {
        MetricFrame {
            name: "EPSG:28992 (RD New)",
            projected: Proj::from_proj_string(RD_NEW).expect("RD New definition is valid"),
            wgs84: Proj::from_proj_string(WGS84).expect("WGS84 definition is valid"),
            bounds: (
                Coord {
                    x: -7_000.0,
                    y: 289_000.0,
                },
                Coord {
                    x: 300_000.0,
                    y: 629_000.0,
                },
            ),
        }
    }

    /// RD New built once for the whole process: parsing the proj strings costs more than
    /// projecting a few hundred points, so request code uses this one.
    pub fn rd() -> &'static MetricFrame {
        static RD: std::sync::LazyLock<MetricFrame> = std::sync::LazyLock::new(MetricFrame::rd_new);
        &RD
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether a projected coordinate lies within the frame's area of use.
    pub fn contains_metric(&self, c: Coord<f64>) -> bool {
        let (lo, hi) = self.bounds;
        c.x >= lo.x && c.x <= hi.x && c.y >= lo.y && c.y <= hi.y
    }

    /// WGS84 lon/lat in degrees to metres.
    pub fn to_metric(&self, lon: f64, lat: f64) -> (f64, f64) {
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        match proj4rs::transform::transform(&self.wgs84, &self.projected, &mut p) {
            Ok(()) => (p.0, p.1),
            Err(_) => (f64::NAN, f64::NAN),
        }
    }

    /// Metres to WGS84 lon/lat in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> (f64, f64) {
        let mut p = (x, y, 0.0);
        match proj4rs::transform::transform(&self.projected, &self.wgs84, &mut p) {
            Ok(()) => (p.0.to_degrees(), p.1.to_degrees()),
            Err(_) => (f64::NAN, f64::NAN),
        }
    }

    /// Projects a WGS84 geometry into the frame.
    pub fn project<G: MapCoords<f64, f64>>(&self, g: &G) -> G::Output {
        g.map_coords(|c| {
            let (x, y) = self.to_metric(c.x, c.y);
            Coord { x, y }
        })
    }

    /// Brings a geometry in the frame's metres back to WGS84.
    pub fn unproject<G: MapCoords<f64, f64>>(&self, g: &G) -> G::Output {
        g.map_coords(|c| {
            let (x, y) = self.to_wgs84(c.x, c.y);
            Coord { x, y }
        })
    }
}

/// A fast stand-in for [`MetricFrame::to_metric`] over one extent: exact projections on a
/// lattice, bilinearly interpolated in between. It is continuous and deterministic, so
/// identical input coordinates (shared vertices) land on identical output coordinates, and
/// nearby points keep their distances to a fraction of a millimetre per metre; that is what
/// contiguity tolerances need, at a hundredth of the cost of projecting every vertex.
pub struct LatticeProjector {
    origin: Coord<f64>,
    step: Coord<f64>,
    nx: usize,
    ny: usize,
    /// Projected lattice nodes, row-major from the south-west.
    nodes: Vec<Coord<f64>>,
}

impl LatticeProjector {
    pub fn project(&self, c: Coord<f64>) -> Coord<f64> {
        let fx = (c.x - self.origin.x) / self.step.x;
        let fy = (c.y - self.origin.y) / self.step.y;
        // Outside the lattice the edge cells extrapolate linearly.
        let i = (fx.floor().max(0.0) as usize).min(self.nx - 2);
        let j = (fy.floor().max(0.0) as usize).min(self.ny - 2);
        let (t, u) = (fx - i as f64, fy - j as f64);
        let n = |a: usize, b: usize| self.nodes[b * self.nx + a];
        let (p00, p10, p01, p11) = (n(i, j), n(i + 1, j), n(i, j + 1), n(i + 1, j + 1));
        Coord {
            x: (1.0 - t) * (1.0 - u) * p00.x
                + t * (1.0 - u) * p10.x
                + (1.0 - t) * u * p01.x
                + t * u * p11.x,
            y: (1.0 - t) * (1.0 - u) * p00.y
                + t * (1.0 - u) * p10.y
                + (1.0 - t) * u * p01.y
                + t * u * p11.y,
        }
    }

    pub fn project_geometry<G: MapCoords<f64, f64>>(&self, g: &G) -> G::Output {
        g.map_coords(|c| self.project(c))
    }
}

impl MetricFrame {
    /// A [`LatticeProjector`] for WGS84 data within `min`..`max` (degrees), with `cells`
    /// lattice cells along the longer side.
    pub fn lattice(&self, min: Coord<f64>, max: Coord<f64>, cells: usize) -> LatticeProjector {
        let cells = cells.max(1) as f64;
        let span = (max.x - min.x).max(max.y - min.y).max(1e-6);
        let step = span / cells;
        let nx = ((max.x - min.x) / step).ceil() as usize + 2;
        let ny = ((max.y - min.y) / step).ceil() as usize + 2;
        let mut nodes = Vec::with_capacity(nx * ny);
        for j in 0..ny {
            for i in 0..nx {
                let (x, y) = self.to_metric(min.x + i as f64 * step, min.y + j as f64 * step);
                nodes.push(Coord { x, y });
            }
        }
        LatticeProjector {
            origin: min,
            step: Coord { x: step, y: step },
            nx,
            ny,
            nodes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lattice_keeps_distances_over_the_whole_netherlands() {
        let rd = MetricFrame::rd_new();
        let lattice = rd.lattice(Coord { x: 3.3, y: 50.7 }, Coord { x: 7.3, y: 53.6 }, 100);
        let mut worst_position: f64 = 0.0;
        let mut worst_distance: f64 = 0.0;
        for k in 0..2_000 {
            // A deterministic scatter of points, each with a neighbour 1 m away.
            let lon = 3.3 + 4.0 * ((k as f64 * 0.618_034) % 1.0);
            let lat = 50.7 + 2.9 * ((k as f64 * 0.414_214) % 1.0);
            let exact = rd.to_metric(lon, lat);
            let approx = lattice.project(Coord { x: lon, y: lat });
            worst_position = worst_position.max((approx.x - exact.0).hypot(approx.y - exact.1));
            let near = Coord {
                x: lon + 1.0 / 68_000.0,
                y: lat,
            };
            let exact_near = rd.to_metric(near.x, near.y);
            let d_exact = (exact_near.0 - exact.0).hypot(exact_near.1 - exact.1);
            let approx_near = lattice.project(near);
            let d_approx = (approx_near.x - approx.x).hypot(approx_near.y - approx.y);
            worst_distance = worst_distance.max((d_approx - d_exact).abs());
        }
        assert!(
            worst_position < 1.0,
            "positions within a metre: {worst_position}"
        );
        assert!(
            worst_distance < 1e-3,
            "1 m distances within a millimetre: {worst_distance}"
        );
    }

    #[test]
    fn round_trips_within_a_millimetre() {
        let rd = MetricFrame::rd_new();
        let (lon, lat) = rd.to_wgs84(242_557.068, 486_757.729);
        let (x, y) = rd.to_metric(lon, lat);
        assert!(
            (x - 242_557.068).abs() < 1e-3 && (y - 486_757.729).abs() < 1e-3,
            "{x} {y}"
        );
    }

    #[test]
    fn matches_proj_on_an_almelo_vertex() {
        // First vertex of BU01411000 in the CBS RD file and PROJ 9.5's WGS84 output for it
        // (../shared/data/almelo-buurten.geojson, rounded to 1e-7 degrees).
        let rd = MetricFrame::rd_new();
        let (lon, lat) = rd.to_wgs84(242_557.068, 486_757.729);
        assert!((lon - 6.6726395).abs() < 2e-7, "lon {lon}");
        assert!((lat - 52.3617182).abs() < 2e-7, "lat {lat}");
    }
}
