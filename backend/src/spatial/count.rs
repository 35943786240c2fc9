//! Counting points per polygon on all cores: the kernel of `wijkveilig join`.
//!
//! Each thread takes one part of the input, gets its points in batches from a reader it is
//! handed (the kernel does no I/O and knows no file format), locates each batch with
//! [`AreaIndex::count_points`] and counts into a private array; the arrays are added up at
//! the end. Nothing is shared while counting, and nothing is allocated per point.
//!
//! ```
//! use geo::{coord, polygon, MultiPolygon};
//! use wijkveilig::spatial::count::{JoinCounts, count_in_parts};
//! use wijkveilig::spatial::index::AreaIndex;
//!
//! let square = |x0: f64| MultiPolygon::new(vec![polygon![
//!     (x: x0, y: 0.), (x: x0 + 1., y: 0.), (x: x0 + 1., y: 1.), (x: x0, y: 1.)]]);
//! let index = AreaIndex::build(&[square(0.0), square(1.0)]);
//! let parts = [
//!     vec![coord! { x: 0.5, y: 0.5 }, coord! { x: 1.5, y: 0.5 }],
//!     vec![coord! { x: 1.2, y: 0.1 }, coord! { x: 9.0, y: 9.0 }],
//! ];
//! let counts = count_in_parts(&index, parts.len(), |part, counter| {
//!     counter.count(&parts[part]);
//!     Ok::<(), ()>(())
//! });
//! assert_eq!(counts, Ok(JoinCounts { counts: vec![1, 2], outside: 1, rows: 4 }));
//! ```

use geo::Coord;

use super::index::AreaIndex;

/// Points per polygon, in the order of the polygons given to the index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinCounts {
    pub counts: Vec<u64>,
    /// Points inside no polygon.
    pub outside: u64,
    /// Points counted (inside + outside).
    pub rows: u64,
}

impl JoinCounts {
    /// All zero, for `polygons` polygons.
    pub fn new(polygons: usize) -> JoinCounts {
        JoinCounts {
            counts: vec![0; polygons],
            outside: 0,
            rows: 0,
        }
    }

    fn add(&mut self, other: &JoinCounts) {
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, b)| *a += b);
        self.outside += other.outside;
        self.rows += other.rows;
    }
}

/// One thread's private counts, fed batch by batch.
pub struct Counter<'a> {
    index: &'a AreaIndex,
    counts: JoinCounts,
}

impl Counter<'_> {
    /// Locates a batch of points and counts them. Batches of about a thousand points let
    /// the index overlap the cache misses of their lookups.
    #[inline]
    pub fn count(&mut self, batch: &[Coord<f64>]) {
        let c = &mut self.counts;
        self.index
            .count_points(batch, &mut c.counts, &mut c.outside);
        c.rows += batch.len() as u64;
    }
}

/// Counts the points of `parts` parts, each on its own thread: `read(part, counter)` feeds
/// the points of part `part` to `counter` in batches. Returns the sum, or the error of the
/// lowest-numbered part that failed (for parts in input order, the earliest error).
pub fn count_in_parts<E, R>(index: &AreaIndex, parts: usize, read: R) -> Result<JoinCounts, E>
where
    E: Send,
    R: Fn(usize, &mut Counter<'_>) -> Result<(), E> + Sync,
{
    let results: Vec<Result<JoinCounts, E>> = std::thread::scope(|s| {
        let read = &read;
        let workers: Vec<_> = (0..parts)
            .map(|part| {
                s.spawn(move || {
                    let mut counter = Counter {
                        index,
                        counts: JoinCounts::new(index.len()),
                    };
                    read(part, &mut counter).map(|()| counter.counts)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("counting thread panicked"))
            .collect()
    });
    let mut total = JoinCounts::new(index.len());
    for r in results {
        total.add(&r?);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn squares() -> AreaIndex {
        // 0: [0,1)x[0,1), 1: [1,2)x[0,1)
        let sq = |x: f64| {
            MultiPolygon::new(vec![
                polygon![(x: x, y: 0.), (x: x + 1., y: 0.), (x: x + 1., y: 1.), (x: x, y: 1.)],
            ])
        };
        AreaIndex::build(&[sq(0.0), sq(1.0)])
    }

    #[test]
    fn parts_in_any_batching_add_up_to_what_locate_says() {
        let index = squares();
        let mut seed = 3u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<Coord<f64>> = (0..10_000)
            .map(|_| Coord {
                x: next() * 2.4 - 0.2,
                y: next() * 1.2 - 0.1,
            })
            .collect();
        let mut want = JoinCounts::new(2);
        for p in &points {
            match index.locate(*p) {
                Some(k) => want.counts[k] += 1,
                None => want.outside += 1,
            }
            want.rows += 1;
        }
        for (parts, batch) in [(1, 1024), (3, 7), (8, 1)] {
            let chunk = points.len().div_ceil(parts);
            let got = count_in_parts(&index, parts, |part, counter| {
                let mine = points.chunks(chunk).nth(part).unwrap_or(&[]);
                mine.chunks(batch).for_each(|b| counter.count(b));
                Ok::<(), ()>(())
            });
            assert_eq!(got, Ok(want.clone()), "{parts} parts of batches of {batch}");
        }
    }

    #[test]
    fn the_lowest_failing_part_is_reported() {
        let index = squares();
        let got = count_in_parts(&index, 5, |part, counter| {
            counter.count(&[Coord { x: 0.5, y: 0.5 }]);
            if part >= 2 { Err(part) } else { Ok(()) }
        });
        assert_eq!(got, Err(2));
        assert_eq!(
            count_in_parts(&index, 0, |_, _| Err(())),
            Ok(JoinCounts::new(2))
        );
    }
}
