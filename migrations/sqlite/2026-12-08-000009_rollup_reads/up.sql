-- What a rollup and its page read, kept cheap to read and cached exactly. Kept equivalent to
-- the other backend's tree (a test compares the indexes and the trigger names).
--
-- A rollup reads the reports of one stream in its window, for the units of one region: by
-- period first, then by unit (a region's gminas are one range of TERYT codes), so the read is
-- one range of this index whatever the planner knows of the tables. The primary keys lead
-- with the unit and made it walk every year of each unit.
CREATE INDEX reports_window ON reports (stream, period, unit_code);
CREATE INDEX report_revisions_window ON report_revisions (stream, period, unit_code);

-- The gminas' boundaries are reference data too: the pages keep them beside the rollups under
-- the reference version, which their edits now bump.
CREATE TRIGGER gmina_boundaries_insert_rollup_version AFTER INSERT ON gmina_boundaries BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER gmina_boundaries_update_rollup_version AFTER UPDATE ON gmina_boundaries BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER gmina_boundaries_delete_rollup_version AFTER DELETE ON gmina_boundaries BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;
