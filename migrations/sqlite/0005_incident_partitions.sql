-- Ten million incidents (issue #12, part 4). Keep in step with
-- migrations/postgres/0005_incident_partitions.sql. SQLite keeps one incidents table (its
-- primary key `id` stays), with the gemeente of the incident's buurt beside it ('' outside
-- every buurt) so reads filter on the same columns as on PostgreSQL, where the table is
-- partitioned by gemeente and year.
--
-- incident_counts: incidents per (gemeente, buurt, month, crime type), kept up to date in the
-- same transaction as every change to incidents, so counts and crime-type lists never scan
-- points. buurt_code '' counts the incidents outside every buurt. incident_type_counts is its
-- sum per crime type.

ALTER TABLE incidents ADD COLUMN gemeente TEXT NOT NULL DEFAULT '';
UPDATE incidents SET gemeente = 'GM' || SUBSTR(buurt_code, 3, 4) WHERE buurt_code IS NOT NULL;
CREATE INDEX incidents_gemeente ON incidents (gemeente, month_index);

CREATE TABLE incident_counts (
    gemeente    TEXT NOT NULL,
    buurt_code  TEXT NOT NULL,
    month_index INTEGER NOT NULL,
    crime_type  TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (gemeente, buurt_code, month_index, crime_type)
);

-- The same counts per crime type only: which types the incidents hold, and how many there are,
-- without reading the per-buurt rows.
CREATE TABLE incident_type_counts (
    crime_type TEXT PRIMARY KEY,
    n          INTEGER NOT NULL
);

INSERT INTO incident_counts (gemeente, buurt_code, month_index, crime_type, n)
    SELECT gemeente, COALESCE(buurt_code, ''), month_index, crime_type, COUNT(*)
    FROM incidents GROUP BY gemeente, COALESCE(buurt_code, ''), month_index, crime_type;
INSERT INTO incident_type_counts (crime_type, n)
    SELECT crime_type, SUM(n) FROM incident_counts GROUP BY crime_type;
