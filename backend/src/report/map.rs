//! The report's map as a PNG, drawn in pure Rust (tiny-skia): buurten tinted by their Gi*
//! class, the KDE surface on top, wijk borders and the cameras with their view radius. No
//! basemap and no text: the legend is HTML beside the image.

use crate::service::report::MapInput;
use geo::{BoundingRect, MultiPolygon};
use tiny_skia::{
    Color, FillRule, FilterQuality, Paint, PathBuilder, Pixmap, PixmapPaint, Stroke, Transform,
};

/// The KDE colour ramp (low → high): pale yellow, orange, red, dark red.
pub const KDE_RAMP: [(u8, u8, u8); 4] =
    [(255, 237, 160), (254, 178, 76), (240, 59, 32), (128, 0, 38)];

/// Fill colour per Gi* bin (−3..3): blues for cold, reds for hot.
pub fn bin_colour(bin: i8) -> (u8, u8, u8) {
    match bin {
        3 => (215, 48, 39),
        2 => (252, 141, 89),
        1 => (254, 224, 144),
        -1 => (224, 243, 248),
        -2 => (145, 191, 219),
        -3 => (69, 117, 180),
        _ => (245, 245, 245),
    }
}

fn ramp(t: f64) -> (u8, u8, u8) {
    let t = t.clamp(0.0, 1.0) * (KDE_RAMP.len() - 1) as f64;
    let i = (t.floor() as usize).min(KDE_RAMP.len() - 2);
    let f = t - i as f64;
    let (a, b) = (KDE_RAMP[i], KDE_RAMP[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Renders the map `width` pixels wide; returns PNG bytes, or `None` without buurten.
pub fn render_png(input: &MapInput, width: u32) -> Option<Vec<u8>> {
    let mut min = geo::Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut max = geo::Coord {
        x: f64::NEG_INFINITY,
        y: f64::NEG_INFINITY,
    };
    for (_, g) in &input.buurten {
        if let Some(r) = g.bounding_rect() {
            min = geo::Coord {
                x: min.x.min(r.min().x),
                y: min.y.min(r.min().y),
            };
            max = geo::Coord {
                x: max.x.max(r.max().x),
                y: max.y.max(r.max().y),
            };
        }
    }
    if !(min.x.is_finite() && max.x > min.x && max.y > min.y) {
        return None;
    }
    let pad = 12.0;
    let s = (f64::from(width) - 2.0 * pad) / (max.x - min.x);
    let height = ((max.y - min.y) * s + 2.0 * pad).ceil().min(4000.0) as u32;
    let mut pm = Pixmap::new(width, height)?;
    pm.fill(Color::WHITE);
    let to_px = |x: f64, y: f64| {
        (
            ((x - min.x) * s + pad) as f32,
            ((max.y - y) * s + pad) as f32,
        )
    };
    let path_of = |g: &MultiPolygon<f64>| {
        let mut pb = PathBuilder::new();
        for poly in &g.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for (k, c) in ring.0.iter().enumerate() {
                    let (x, y) = to_px(c.x, c.y);
                    if k == 0 {
                        pb.move_to(x, y)
                    } else {
                        pb.line_to(x, y)
                    }
                }
                pb.close();
            }
        }
        pb.finish()
    };
    let paint = |(r, g, b): (u8, u8, u8), a: u8| {
        let mut p = Paint::default();
        p.set_color_rgba8(r, g, b, a);
        p.anti_alias = true;
        p
    };

    // Buurten tinted by their hotspot class.
    let paths: Vec<_> = input
        .buurten
        .iter()
        .map(|(code, g)| (code, path_of(g)))
        .collect();
    for (code, path) in &paths {
        if let Some(path) = path {
            let bin = input.bins.get(*code).copied().unwrap_or(0);
            pm.fill_path(
                path,
                &paint(bin_colour(bin), 255),
                FillRule::EvenOdd,
                Transform::identity(),
                None,
            );
        }
    }

    // KDE surface: one pixel per cell, scaled up with bilinear filtering; transparent where
    // the density is below 5 % of the maximum.
    if let Some(grid) = &input.grid {
        let peak = grid.values.iter().copied().fold(0.0, f64::max);
        if peak > 0.0
            && grid.nx > 0
            && grid.ny > 0
            && let Some(mut cells) = Pixmap::new(grid.nx as u32, grid.ny as u32)
        {
            {
                let data = cells.pixels_mut();
                for iy in 0..grid.ny {
                    for ix in 0..grid.nx {
                        let t = grid.values[iy * grid.nx + ix] / peak;
                        if t < 0.05 {
                            continue;
                        }
                        let (r, g, b) = ramp(t.sqrt());
                        let a = (90.0 + 140.0 * t.sqrt()).min(230.0) as u8;
                        let c = tiny_skia::ColorU8::from_rgba(r, g, b, a).premultiply();
                        data[(grid.ny - 1 - iy) * grid.nx + ix] = c;
                    }
                }
                let cell_px = (grid.cell_size * s) as f32;
                let (tx, ty) = to_px(
                    grid.origin.x,
                    grid.origin.y + grid.ny as f64 * grid.cell_size,
                );
                let pp = PixmapPaint {
                    quality: FilterQuality::Bilinear,
                    ..Default::default()
                };
                pm.draw_pixmap(
                    0,
                    0,
                    cells.as_ref(),
                    &pp,
                    Transform::from_row(cell_px, 0.0, 0.0, cell_px, tx, ty),
                    None,
                );
            }
        }
    }

    // Borders: buurten thin, wijken thicker, hot buurten red.
    let thin = Stroke {
        width: 0.8,
        ..Default::default()
    };
    for (_, path) in &paths {
        if let Some(path) = path {
            pm.stroke_path(
                path,
                &paint((110, 120, 130), 200),
                &thin,
                Transform::identity(),
                None,
            );
        }
    }
    let thick = Stroke {
        width: 2.0,
        ..Default::default()
    };
    for g in &input.wijken {
        if let Some(path) = path_of(g) {
            pm.stroke_path(
                &path,
                &paint((40, 50, 60), 255),
                &thick,
                Transform::identity(),
                None,
            );
        }
    }
    let hot = Stroke {
        width: 2.4,
        ..Default::default()
    };
    for (code, path) in &paths {
        if let (Some(path), Some(&bin)) = (path, input.bins.get(*code))
            && bin >= 2
        {
            {
                pm.stroke_path(
                    path,
                    &paint((165, 0, 38), 255),
                    &hot,
                    Transform::identity(),
                    None,
                );
            }
        }
    }

    // Cameras: view radius (filled when active, dashed outline when planned) and a dot.
    for &(c, radius_m, active) in &input.cameras {
        let (x, y) = to_px(c.x, c.y);
        let r = ((radius_m * s) as f32).max(3.0);
        if let Some(circle) = PathBuilder::from_circle(x, y, r) {
            if active {
                pm.fill_path(
                    &circle,
                    &paint((29, 78, 137), 70),
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
                pm.stroke_path(
                    &circle,
                    &paint((29, 78, 137), 255),
                    &Stroke {
                        width: 1.2,
                        ..Default::default()
                    },
                    Transform::identity(),
                    None,
                );
            } else {
                let dash = Stroke {
                    width: 1.4,
                    dash: tiny_skia::StrokeDash::new(vec![3.0, 2.5], 0.0),
                    ..Default::default()
                };
                pm.stroke_path(
                    &circle,
                    &paint((29, 78, 137), 255),
                    &dash,
                    Transform::identity(),
                    None,
                );
            }
        }
        if let Some(dot) = PathBuilder::from_circle(x, y, 2.2) {
            pm.fill_path(
                &dot,
                &paint((29, 78, 137), 255),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }
    pm.encode_png().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString, Polygon};

    #[test]
    fn renders_a_png_with_the_hot_buurt_coloured() {
        let square = |x: f64| {
            MultiPolygon(vec![Polygon::new(
                LineString::from(vec![
                    (x, 0.0),
                    (x + 100.0, 0.0),
                    (x + 100.0, 100.0),
                    (x, 100.0),
                    (x, 0.0),
                ]),
                vec![],
            )])
        };
        let input = MapInput {
            buurten: vec![("BU1".into(), square(0.0)), ("BU2".into(), square(100.0))],
            bins: [("BU1".to_string(), 3)].into_iter().collect(),
            cameras: vec![(Coord { x: 150.0, y: 50.0 }, 10.0, true)],
            ..Default::default()
        };
        let png = render_png(&input, 224).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let pm = Pixmap::decode_png(&png).unwrap();
        // The centre of BU1 (x 0..100 → px 12..112) has the hot_99 colour.
        let p = pm.pixel(62, pm.height() / 2).unwrap().demultiply();
        assert_eq!((p.red(), p.green(), p.blue()), bin_colour(3));
        assert_eq!(ramp(0.0), KDE_RAMP[0]);
        assert_eq!(ramp(1.0), KDE_RAMP[3]);
    }
}
