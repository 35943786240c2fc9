//! Patrol focus: which areas (buurten or grid cells) deserve attention now, and in which
//! shift. Recent incidents say more about next week than last year's, so incidents are
//! weighted by exponential decay: weight = 0.5^(age in days / half-life), age measured back
//! from a reference moment (usually now). Incidents after the reference are ignored, so a
//! report for a past date does not see the future.
//!
//! Times are local wall-clock times ([`PrimitiveDateTime`]), as police and BOA registrations
//! are; shifts are defined in the same local hours. A shift may wrap past midnight (23–07).
//!
//! ```
//! use time::macros::datetime;
//! use wijkveilig::analysis::patrol::{Incident, PatrolOptions, rank_areas};
//! let opts = PatrolOptions { half_life_days: 7.0, reference: datetime!(2024-03-15 12:00) };
//! let incidents = [
//!     Incident { area: 0, at: datetime!(2024-03-14 12:00) },
//!     Incident { area: 1, at: datetime!(2024-03-01 12:00) },
//!     Incident { area: 1, at: datetime!(2024-03-01 13:00) },
//! ];
//! // One incident yesterday outweighs two a fortnight ago (two half-lives: 2 × 0.25).
//! assert_eq!(rank_areas(&incidents, &opts)[0].area, 0);
//! ```

use time::PrimitiveDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incident {
    /// Index of the area or grid cell.
    pub area: usize,
    pub at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatrolOptions {
    pub half_life_days: f64,
    pub reference: PrimitiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaScore {
    pub area: usize,
    /// Sum of the incidents' decay weights.
    pub score: f64,
    /// Incidents counted (at or before the reference).
    pub incidents: usize,
}

/// A shift in local hours, `start_hour` inclusive to `end_hour` exclusive; wraps past midnight
/// when `end_hour <= start_hour`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub name: String,
    pub start_hour: u8,
    pub end_hour: u8,
}

impl Shift {
    pub fn contains_hour(&self, hour: u8) -> bool {
        if self.start_hour < self.end_hour {
            (self.start_hour..self.end_hour).contains(&hour)
        } else {
            hour >= self.start_hour || hour < self.end_hour
        }
    }
}

/// Early, late and night shift: 07–15, 15–23, 23–07.
pub fn default_shifts() -> Vec<Shift> {
    [("vroeg", 7, 15), ("laat", 15, 23), ("nacht", 23, 7)]
        .into_iter()
        .map(|(name, start_hour, end_hour)| Shift {
            name: name.to_string(),
            start_hour,
            end_hour,
        })
        .collect()
}

/// Decay weight of an incident, `None` when it lies after the reference.
pub fn decay_weight(at: PrimitiveDateTime, opts: &PatrolOptions) -> Option<f64> {
    let age = opts.reference - at;
    if age.is_negative() {
        return None;
    }
    let days = age.as_seconds_f64() / 86_400.0;
    if opts.half_life_days > 0.0 && opts.half_life_days.is_finite() {
        Some(0.5f64.powf(days / opts.half_life_days))
    } else {
        Some(1.0) // no decay requested
    }
}

/// Areas by recency-weighted incidents, highest first (ties: lower area index first).
pub fn rank_areas(incidents: &[Incident], opts: &PatrolOptions) -> Vec<AreaScore> {
    rank_filtered(incidents, opts, |_| true)
}

fn rank_filtered(
    incidents: &[Incident],
    opts: &PatrolOptions,
    keep: impl Fn(&Incident) -> bool,
) -> Vec<AreaScore> {
    let n = incidents.iter().map(|i| i.area + 1).max().unwrap_or(0);
    let mut scores: Vec<AreaScore> = (0..n)
        .map(|area| AreaScore {
            area,
            score: 0.0,
            incidents: 0,
        })
        .collect();
    for inc in incidents.iter().filter(|i| keep(i)) {
        if let Some(w) = decay_weight(inc.at, opts) {
            scores[inc.area].score += w;
            scores[inc.area].incidents += 1;
        }
    }
    scores.retain(|s| s.incidents > 0);
    scores.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.area.cmp(&b.area)));
    scores
}

/// Recency-weighted day-of-week × hour profile of one area: `[weekday][hour]`, Monday = 0.
pub fn week_profile(incidents: &[Incident], area: usize, opts: &PatrolOptions) -> [[f64; 24]; 7] {
    let mut profile = [[0.0; 24]; 7];
    for inc in incidents.iter().filter(|i| i.area == area) {
        if let Some(w) = decay_weight(inc.at, opts) {
            let day = inc.at.weekday().number_days_from_monday() as usize;
            profile[day][inc.at.hour() as usize] += w;
        }
    }
    profile
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShiftList {
    pub shift: Shift,
    /// The `top` areas by recency-weighted incidents within the shift's hours.
    pub areas: Vec<AreaScore>,
}

/// Per shift, the `top` areas by recency-weighted incidents that happened in its hours.
pub fn patrol_lists(
    incidents: &[Incident],
    shifts: &[Shift],
    top: usize,
    opts: &PatrolOptions,
) -> Vec<ShiftList> {
    shifts
        .iter()
        .map(|shift| {
            let mut areas = rank_filtered(incidents, opts, |i| shift.contains_hour(i.at.hour()));
            areas.truncate(top);
            ShiftList {
                shift: shift.clone(),
                areas,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn opts() -> PatrolOptions {
        PatrolOptions {
            half_life_days: 14.0,
            reference: datetime!(2024-06-30 00:00),
        }
    }

    #[test]
    fn weight_halves_every_half_life_and_ignores_the_future() {
        let o = opts();
        assert_eq!(decay_weight(datetime!(2024-06-30 00:00), &o), Some(1.0));
        let w = decay_weight(datetime!(2024-06-16 00:00), &o).unwrap();
        assert!((w - 0.5).abs() < 1e-12);
        let w = decay_weight(datetime!(2024-06-02 00:00), &o).unwrap();
        assert!((w - 0.25).abs() < 1e-12);
        assert_eq!(decay_weight(datetime!(2024-07-01 00:00), &o), None);
    }

    #[test]
    fn ranking_prefers_recent_incidents() {
        let incidents = [
            Incident {
                area: 2,
                at: datetime!(2024-06-29 22:00),
            },
            Incident {
                area: 5,
                at: datetime!(2024-05-01 10:00),
            },
            Incident {
                area: 5,
                at: datetime!(2024-05-02 10:00),
            },
            Incident {
                area: 5,
                at: datetime!(2024-05-03 10:00),
            },
            Incident {
                area: 7,
                at: datetime!(2024-08-01 10:00),
            },
        ];
        let ranked = rank_areas(&incidents, &opts());
        assert_eq!(
            ranked.iter().map(|s| s.area).collect::<Vec<_>>(),
            vec![2, 5]
        );
        assert_eq!(ranked[1].incidents, 3);
        // Three incidents ~4 half-lives old weigh about 3/16 < 1.
        assert!(
            ranked[1].score < 0.25 && ranked[1].score > 0.15,
            "{}",
            ranked[1].score
        );
    }

    #[test]
    fn profile_lands_in_weekday_and_hour() {
        // 2024-06-28 is a Friday.
        let incidents = [
            Incident {
                area: 1,
                at: datetime!(2024-06-28 23:30),
            },
            Incident {
                area: 1,
                at: datetime!(2024-06-28 23:10),
            },
            Incident {
                area: 0,
                at: datetime!(2024-06-28 23:10),
            },
        ];
        let p = week_profile(&incidents, 1, &opts());
        let total: f64 = p.iter().flatten().sum();
        assert!((p[4][23] - total).abs() < 1e-12 && total > 1.8);
    }

    #[test]
    fn shifts_wrap_midnight_and_get_their_own_lists() {
        let shifts = default_shifts();
        assert!(
            shifts[2].contains_hour(23) && shifts[2].contains_hour(0) && shifts[2].contains_hour(6)
        );
        assert!(
            !shifts[2].contains_hour(7)
                && shifts[0].contains_hour(7)
                && !shifts[0].contains_hour(15)
        );
        let incidents = [
            Incident {
                area: 0,
                at: datetime!(2024-06-29 02:00),
            },
            Incident {
                area: 0,
                at: datetime!(2024-06-28 01:00),
            },
            Incident {
                area: 1,
                at: datetime!(2024-06-29 09:00),
            },
            Incident {
                area: 2,
                at: datetime!(2024-06-29 16:00),
            },
            Incident {
                area: 3,
                at: datetime!(2024-06-29 23:30),
            },
        ];
        let lists = patrol_lists(&incidents, &shifts, 1, &opts());
        let top: Vec<usize> = lists.iter().map(|l| l.areas[0].area).collect();
        assert_eq!(top, vec![1, 2, 0]);
        assert!(lists.iter().all(|l| l.areas.len() == 1));
    }
}
