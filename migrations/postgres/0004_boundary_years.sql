-- Boundary years: every area set carries its CBS boundary year, and a file of another year
-- is another set beside it, never mixed into an existing one. The key becomes
-- (boundary_year, code); 0 stands for a file that did not state its year.
UPDATE areas SET boundary_year = 0 WHERE boundary_year IS NULL;
ALTER TABLE areas ALTER COLUMN boundary_year SET DEFAULT 0;
ALTER TABLE areas ALTER COLUMN boundary_year SET NOT NULL;
ALTER TABLE areas DROP CONSTRAINT areas_pkey;
ALTER TABLE areas ADD PRIMARY KEY (boundary_year, code);
DROP INDEX areas_level;
CREATE INDEX areas_level ON areas (boundary_year, level, parent_code);
CREATE INDEX areas_code ON areas (code);
