//! Managing accounts (the `wijkveilig user` commands): validation of role and wijken, and an
//! audit row for every change.

use super::accounts::parse_wijken;
use super::audit::{self, Action, Event};
use super::{Principal, Role, password};
use crate::store::{Store, UserRow};

/// Checks that a role has the wijken it needs: a wijkregisseur at least one, others none.
pub fn check_scope(role: Role, wijken: &[String]) -> Result<String, String> {
    let joined = wijken.join(",");
    let parsed = parse_wijken(&joined)?;
    match (role, parsed.is_empty()) {
        (Role::Wijkregisseur, true) => Err(
            "a wijkregisseur needs the wijken they work on: add --wijk WKggggww (repeatable)"
                .into(),
        ),
        (Role::Wijkregisseur, false) => Ok(parsed
            .iter()
            .map(|c| c.as_str().to_string())
            .collect::<Vec<_>>()
            .join(",")),
        (_, false) => Err(format!(
            "only a wijkregisseur has wijken; {role} sees the whole gemeente"
        )),
        (_, true) => Ok(String::new()),
    }
}

/// Adds a local account with a password (hashed here; never stored or logged in clear).
pub async fn add(
    store: &Store,
    by: &Principal,
    username: &str,
    role: Role,
    wijken: &[String],
    password_text: &str,
) -> anyhow::Result<()> {
    let name = username.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
    {
        anyhow::bail!(
            "user name '{username}' is not allowed: use 1–64 letters, digits, '.', '-', '_' or '@'"
        );
    }
    let wijken = check_scope(role, wijken).map_err(anyhow::Error::msg)?;
    let hash = password::hash(password_text).map_err(anyhow::Error::msg)?;
    store
        .add_user(name, role.as_str(), &wijken, Some(&hash))
        .await?;
    audit::record(
        store,
        &Event::by(
            by,
            Action::ChangeUser,
            &format!("add {name} as {role}"),
            "cli",
        ),
    )
    .await?;
    Ok(())
}

pub async fn set_role(
    store: &Store,
    by: &Principal,
    username: &str,
    role: Role,
    wijken: &[String],
) -> anyhow::Result<()> {
    let wijken = check_scope(role, wijken).map_err(anyhow::Error::msg)?;
    if !store
        .set_user_role(username, role.as_str(), &wijken)
        .await?
    {
        anyhow::bail!("there is no user {username}: see `wijkveilig user list`");
    }
    audit::record(
        store,
        &Event::by(
            by,
            Action::ChangeUser,
            &format!("set-role {username} to {role} {wijken}"),
            "cli",
        ),
    )
    .await?;
    Ok(())
}

pub async fn disable(store: &Store, by: &Principal, username: &str) -> anyhow::Result<()> {
    if !store.disable_user(username).await? {
        anyhow::bail!("there is no user {username}: see `wijkveilig user list`");
    }
    audit::record(
        store,
        &Event::by(
            by,
            Action::ChangeUser,
            &format!("disable {username}"),
            "cli",
        ),
    )
    .await?;
    Ok(())
}

/// One line per account for `wijkveilig user list`.
pub fn describe(u: &UserRow) -> String {
    format!(
        "{}\t{}\t{}\t{}{}",
        u.username,
        u.role,
        if u.wijken.is_empty() { "-" } else { &u.wijken },
        if u.password_hash.is_some() {
            "password"
        } else {
            "single sign-on"
        },
        if u.disabled != 0 { "\tdisabled" } else { "" },
    )
}
