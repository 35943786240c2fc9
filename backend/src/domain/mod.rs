//! The vocabulary of the dashboard: areas, periods, offence counts and the municipality's own
//! registrations. Plain data with validation at construction; no I/O.

pub mod area;
pub mod code_lists;
pub mod crime_type;
pub mod csv_export;
pub mod period;
pub mod registration;
pub mod report_period;
pub mod validate;

pub use area::{Area, AreaCode, AreaLevel};
pub use crime_type::CrimeType;
pub use period::{Month, Period, PeriodRange};
pub use registration::{
    Camera, CameraStatus, E33Report, EnforcementAction, EnforcementOutcome, Incident, Initiative,
    OffenceCount,
};
pub use report_period::{PeriodLabel, ReportPeriod, ReportPeriodJson};
