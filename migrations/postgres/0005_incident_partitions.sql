-- Ten million incidents (issue #12, part 4). Keep in step with
-- migrations/sqlite/0005_incident_partitions.sql: the same columns and the same aggregate.
--
-- Point incidents are partitioned by gemeente (LIST) and, inside each gemeente, by year
-- (RANGE over month_index = year*12 + month-1), so a read for one gemeente and a month range
-- touches only that gemeente's partitions of those years. `gemeente` is the CBS gemeente code
-- of the incident's buurt ('GM0141'), '' when the incident lies outside every buurt; those
-- rows go to the DEFAULT partition. Partitions are created on demand by the import
-- (store/imports.rs), named incidents_gm0141 and incidents_gm0141_2023.
--
-- A partitioned table's primary key must hold its partition columns, so (gemeente,
-- month_index, id) cannot by itself keep `id` unique across partitions. `incident_keys` does:
-- its primary key is `id`, and it says in which partition that id lives. The import upserts
-- by id as before: it looks the batch's ids up there, deletes the rows it finds from their
-- own partition (subtracting them from the aggregates), inserts the new rows and points the
-- keys at them, all in the import's transaction, which holds an advisory lock so two imports
-- of incidents never interleave.
--
-- incident_counts: incidents per (gemeente, buurt, month, crime type), kept up to date in the
-- same transaction as every change to incidents, so counts and crime-type lists never scan
-- points. buurt_code '' counts the incidents outside every buurt. incident_type_counts is its
-- sum per crime type.

ALTER TABLE incidents RENAME TO incidents_unpartitioned;
DROP INDEX incidents_month;
DROP INDEX incidents_buurt;

CREATE TABLE incidents (
    gemeente    TEXT NOT NULL,
    month_index BIGINT NOT NULL,
    id          TEXT NOT NULL,
    time        TEXT NOT NULL,
    crime_type  TEXT NOT NULL,
    lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
    buurt_code  TEXT,
    import_id   BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    PRIMARY KEY (gemeente, month_index, id)
) PARTITION BY LIST (gemeente);
CREATE TABLE incidents_default PARTITION OF incidents DEFAULT;

-- Where each id lives (see above). Not tied to an import: a key whose row went with its
-- import merely points at a partition that no longer holds it, and is rewritten when the id
-- comes again.
CREATE TABLE incident_keys (
    id          TEXT PRIMARY KEY,
    gemeente    TEXT NOT NULL,
    month_index BIGINT NOT NULL
);

CREATE TABLE incident_counts (
    gemeente    TEXT NOT NULL,
    buurt_code  TEXT NOT NULL,
    month_index BIGINT NOT NULL,
    crime_type  TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (gemeente, buurt_code, month_index, crime_type)
);

-- The same counts per crime type only: which types the incidents hold, and how many there are,
-- without reading the per-buurt rows.
CREATE TABLE incident_type_counts (
    crime_type TEXT PRIMARY KEY,
    n          BIGINT NOT NULL
);

-- Move the existing rows: a partition for every gemeente and year that occurs.
DO $$
DECLARE
    g TEXT;
    y BIGINT;
BEGIN
    FOR g IN SELECT DISTINCT 'GM' || SUBSTR(buurt_code, 3, 4) FROM incidents_unpartitioned
             WHERE buurt_code IS NOT NULL LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF incidents FOR VALUES IN (%L) PARTITION BY RANGE (month_index)',
                       'incidents_' || lower(g), g);
        FOR y IN SELECT DISTINCT month_index / 12 FROM incidents_unpartitioned
                 WHERE 'GM' || SUBSTR(buurt_code, 3, 4) = g LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                           'incidents_' || lower(g) || '_' || y, 'incidents_' || lower(g), y * 12, (y + 1) * 12);
        END LOOP;
    END LOOP;
END $$;

INSERT INTO incidents (gemeente, month_index, id, time, crime_type, lon, lat, buurt_code, import_id)
    SELECT COALESCE('GM' || SUBSTR(buurt_code, 3, 4), ''), month_index, id, time, crime_type, lon, lat,
           buurt_code, import_id
    FROM incidents_unpartitioned;
INSERT INTO incident_keys (id, gemeente, month_index)
    SELECT id, gemeente, month_index FROM incidents;
INSERT INTO incident_counts (gemeente, buurt_code, month_index, crime_type, n)
    SELECT gemeente, COALESCE(buurt_code, ''), month_index, crime_type, COUNT(*)
    FROM incidents GROUP BY gemeente, COALESCE(buurt_code, ''), month_index, crime_type;
INSERT INTO incident_type_counts (crime_type, n)
    SELECT crime_type, SUM(n) FROM incident_counts GROUP BY crime_type;
DROP TABLE incidents_unpartitioned;
