-- Boundary years: every area set carries its CBS boundary year, and a file of another year
-- is another set beside it, never mixed into an existing one. The key becomes
-- (boundary_year, code); 0 stands for a file that did not state its year.
CREATE TABLE areas_by_year (
    code          TEXT NOT NULL,
    level         TEXT NOT NULL,
    name          TEXT NOT NULL,
    parent_code   TEXT,
    population    INTEGER,
    boundary_year INTEGER NOT NULL DEFAULT 0,
    geometry      TEXT NOT NULL,   -- GeoJSON geometry, WGS84
    min_lon REAL NOT NULL, min_lat REAL NOT NULL, max_lon REAL NOT NULL, max_lat REAL NOT NULL,
    import_id     INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    PRIMARY KEY (boundary_year, code)
);
INSERT INTO areas_by_year
    SELECT code, level, name, parent_code, population, COALESCE(boundary_year, 0), geometry,
           min_lon, min_lat, max_lon, max_lat, import_id
    FROM areas;
DROP TABLE areas;
ALTER TABLE areas_by_year RENAME TO areas;
CREATE INDEX areas_level ON areas (boundary_year, level, parent_code);
CREATE INDEX areas_code ON areas (code);
