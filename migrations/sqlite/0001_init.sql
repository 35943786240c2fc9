-- wijkveilig schema (SQLite). Keep in step with migrations/postgres/0001_init.sql: the same
-- tables and columns, with each engine's own types.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per imported file. Every data row points at its import, so importing the same
-- file again replaces exactly what it brought, and the demo can be removed as a whole.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    is_demo     INTEGER NOT NULL DEFAULT 0,
    notes       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX imports_kind_source ON imports (kind, source);

CREATE TABLE areas (
    code          TEXT PRIMARY KEY,
    level         TEXT NOT NULL,
    name          TEXT NOT NULL,
    parent_code   TEXT,
    population    INTEGER,
    boundary_year INTEGER,
    geometry      TEXT NOT NULL,   -- GeoJSON geometry, WGS84
    min_lon REAL NOT NULL, min_lat REAL NOT NULL, max_lon REAL NOT NULL, max_lat REAL NOT NULL,
    import_id     INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE
);
CREATE INDEX areas_level ON areas (level, parent_code);

-- Population from CBS kerncijfers, kept apart from the boundaries it may outlive.
CREATE TABLE population (
    area_code  TEXT PRIMARY KEY,
    population INTEGER NOT NULL,
    import_id  INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE
);

CREATE TABLE crime_types (
    code  TEXT PRIMARY KEY,
    title TEXT NOT NULL
);

-- StatLine counts. month_index = year*12 + month-1 for monthly rows, NULL for yearly rows.
-- count NULL means withheld by CBS, never zero.
CREATE TABLE offences (
    area_code   TEXT NOT NULL,
    crime_type  TEXT NOT NULL,
    period      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    month_index INTEGER,
    count       INTEGER,
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    PRIMARY KEY (area_code, crime_type, period)
);
CREATE INDEX offences_month ON offences (month_index, crime_type);
CREATE INDEX offences_year ON offences (year, crime_type);

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    time        TEXT NOT NULL,
    month_index INTEGER NOT NULL,
    crime_type  TEXT NOT NULL,
    lon REAL NOT NULL, lat REAL NOT NULL,
    buurt_code  TEXT,
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE
);
CREATE INDEX incidents_month ON incidents (month_index);
CREATE INDEX incidents_buurt ON incidents (buurt_code, month_index);

CREATE TABLE cameras (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    lon REAL NOT NULL, lat REAL NOT NULL,
    radius_m   REAL NOT NULL,
    status     TEXT NOT NULL,
    installed  TEXT,
    buurt_code TEXT,
    import_id  INTEGER REFERENCES imports (id) ON DELETE CASCADE
);

CREATE TABLE enforcement (
    id          TEXT PRIMARY KEY,
    date        TEXT NOT NULL,
    month_index INTEGER NOT NULL,
    lon REAL NOT NULL, lat REAL NOT NULL,
    domain      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    buurt_code  TEXT,
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE
);
CREATE INDEX enforcement_buurt ON enforcement (buurt_code, month_index);

CREATE TABLE initiatives (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    geometry   TEXT NOT NULL,
    lon REAL NOT NULL, lat REAL NOT NULL,
    start_date TEXT NOT NULL,
    end_date   TEXT,
    members    INTEGER,
    buurt_code TEXT,
    import_id  INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE
);

CREATE TABLE e33 (
    area_code         TEXT NOT NULL,
    month_index       INTEGER NOT NULL,
    count             INTEGER NOT NULL,
    with_fitting_care INTEGER,
    import_id         INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    PRIMARY KEY (area_code, month_index)
);

CREATE TABLE survey (
    indicator   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    area_code   TEXT NOT NULL,
    percentage  REAL NOT NULL,
    sample_size INTEGER NOT NULL,
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    PRIMARY KEY (indicator, year, area_code)
);
