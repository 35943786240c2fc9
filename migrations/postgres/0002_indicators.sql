-- Programme indicators (issue #5): baselines and per-year targets set by the steering group.
-- Keep in step with migrations/sqlite/0002_indicators.sql. `area_code` is the gemeente or
-- wijk the value is for. Both are edited through the API and are never touched by imports.

CREATE TABLE indicator_baselines (
    indicator  TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    year       BIGINT NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (indicator, area_code)
);

CREATE TABLE indicator_targets (
    indicator  TEXT NOT NULL,
    area_code  TEXT NOT NULL,
    year       BIGINT NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (indicator, area_code, year)
);
