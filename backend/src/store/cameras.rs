//! Cameras edited from the map (the safety team's planning): stored like imported ones but
//! with no import, so re-importing a camera file leaves them alone unless it has their id.

use super::{CameraRow, Result, Store};

impl Store {
    pub async fn camera(&self, id: &str) -> Result<Option<CameraRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, lon, lat, radius_m, status, installed, buurt_code FROM cameras WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Inserts or replaces a camera and bumps the generation, so every instance sees it.
    pub async fn save_camera(&self, c: &CameraRow) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO cameras (id, name, lon, lat, radius_m, status, installed, buurt_code, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             lon = excluded.lon, lat = excluded.lat, radius_m = excluded.radius_m, status = excluded.status, \
             installed = excluded.installed, buurt_code = excluded.buurt_code",
        )
        .bind(c.id.clone())
        .bind(c.name.clone())
        .bind(c.lon)
        .bind(c.lat)
        .bind(c.radius_m)
        .bind(c.status.clone())
        .bind(c.installed.clone())
        .bind(c.buurt_code.clone())
        .execute(&mut *tx)
        .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        super::committed();
        Ok(())
    }

    /// Deletes a camera; `false` when there was none with that id.
    pub async fn delete_camera(&self, id: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM cameras WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        super::committed();
        Ok(done.rows_affected() > 0)
    }
}

pub(super) async fn bump_generation(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('generation', '1') \
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
