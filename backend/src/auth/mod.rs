//! Who is looking: accounts and sessions, the roles and their one grant table, and the audit
//! trail. Access is denied by default: `http` asks [`Principal::may`] for every route, and the
//! service applies the principal's scope (wijken, small-count suppression, the protected
//! heatmap) where data leaves it.

pub mod accounts;
pub mod audit;
pub mod oidc;
pub mod password;
pub mod policy;
pub mod sessions;
pub mod users;

pub use accounts::{Account, Accounts, Credentials, SignIn};
pub use policy::{Need, Principal, Role};
