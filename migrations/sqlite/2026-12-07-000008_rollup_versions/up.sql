-- What each rollup was computed from, as versions the writes themselves bump: a rollup cache
-- keys its entries by them, so that no replica ever serves an entry a committed write has
-- changed. `scope` is a region's code, or '*' for the reference data every region's rollup
-- reads (territory, OWES, catalogues, programmes). `version` counts every write touching the
-- scope; `past_version` only those that can change what was recorded at a moment more than
-- ten minutes ago (reference data, a register entity's current row, a revision stamped more
-- than ten minutes before it was written): rollups as of such a settled moment key by it.
-- Triggers keep them, so no write path can forget; on PostgreSQL the bump locks the scope's
-- row until commit, which orders writers of one region. Kept equivalent to the other
-- backend's tree (a test compares tables, columns and trigger names).

CREATE TABLE rollup_versions (
    scope TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    past_version BIGINT NOT NULL
);

-- The window a rollup reads: events by date.
CREATE INDEX event_revisions_date ON event_revisions (event_date, id);

CREATE TRIGGER regions_insert_rollup_version AFTER INSERT ON regions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER regions_update_rollup_version AFTER UPDATE ON regions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER regions_delete_rollup_version AFTER DELETE ON regions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER powiats_insert_rollup_version AFTER INSERT ON powiats BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER powiats_update_rollup_version AFTER UPDATE ON powiats BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER powiats_delete_rollup_version AFTER DELETE ON powiats BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER gminas_insert_rollup_version AFTER INSERT ON gminas BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER gminas_update_rollup_version AFTER UPDATE ON gminas BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER gminas_delete_rollup_version AFTER DELETE ON gminas BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER subregions_insert_rollup_version AFTER INSERT ON subregions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER subregions_update_rollup_version AFTER UPDATE ON subregions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER subregions_delete_rollup_version AFTER DELETE ON subregions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER subregion_powiats_insert_rollup_version AFTER INSERT ON subregion_powiats BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER subregion_powiats_update_rollup_version AFTER UPDATE ON subregion_powiats BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER subregion_powiats_delete_rollup_version AFTER DELETE ON subregion_powiats BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER owes_insert_rollup_version AFTER INSERT ON owes BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER owes_update_rollup_version AFTER UPDATE ON owes BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER owes_delete_rollup_version AFTER DELETE ON owes BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER indicators_insert_rollup_version AFTER INSERT ON indicators BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER indicators_update_rollup_version AFTER UPDATE ON indicators BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER indicators_delete_rollup_version AFTER DELETE ON indicators BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER result_groups_insert_rollup_version AFTER INSERT ON result_groups BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER result_groups_update_rollup_version AFTER UPDATE ON result_groups BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER result_groups_delete_rollup_version AFTER DELETE ON result_groups BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER result_items_insert_rollup_version AFTER INSERT ON result_items BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER result_items_update_rollup_version AFTER UPDATE ON result_items BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER result_items_delete_rollup_version AFTER DELETE ON result_items BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER event_types_insert_rollup_version AFTER INSERT ON event_types BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER event_types_update_rollup_version AFTER UPDATE ON event_types BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER event_types_delete_rollup_version AFTER DELETE ON event_types BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER programmes_insert_rollup_version AFTER INSERT ON programmes BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER programmes_update_rollup_version AFTER UPDATE ON programmes BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER programmes_delete_rollup_version AFTER DELETE ON programmes BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER programme_targets_insert_rollup_version AFTER INSERT ON programme_targets BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER programme_targets_update_rollup_version AFTER UPDATE ON programme_targets BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER programme_targets_delete_rollup_version AFTER DELETE ON programme_targets BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT '*' AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER reports_insert_rollup_version AFTER INSERT ON reports BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT CASE NEW.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = NEW.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = NEW.unit_code) END AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER reports_update_rollup_version AFTER UPDATE ON reports BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT CASE NEW.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = NEW.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = NEW.unit_code) END AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER reports_delete_rollup_version AFTER DELETE ON reports BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT CASE OLD.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = OLD.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = OLD.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = OLD.unit_code) END AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER report_revisions_insert_rollup_version AFTER INSERT ON report_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT CASE NEW.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = NEW.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = NEW.unit_code) END AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER report_revisions_update_rollup_version AFTER UPDATE ON report_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT CASE NEW.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = NEW.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = NEW.unit_code) END AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER report_revisions_delete_rollup_version AFTER DELETE ON report_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN OLD.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT CASE OLD.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = OLD.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = OLD.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = OLD.unit_code) END AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER lpres_insert_rollup_version AFTER INSERT ON lpres BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.teryt) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER lpres_update_rollup_version AFTER UPDATE ON lpres BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.teryt) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER lpres_delete_rollup_version AFTER DELETE ON lpres BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = OLD.teryt) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER lpres_revisions_insert_rollup_version AFTER INSERT ON lpres_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.teryt) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER lpres_revisions_update_rollup_version AFTER UPDATE ON lpres_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = NEW.teryt) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER lpres_revisions_delete_rollup_version AFTER DELETE ON lpres_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN OLD.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = OLD.teryt) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER events_insert_rollup_version AFTER INSERT ON events BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT NEW.region_code AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER events_update_rollup_version AFTER UPDATE ON events BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT NEW.region_code AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER events_delete_rollup_version AFTER DELETE ON events BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 0 FROM (SELECT OLD.region_code AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER event_revisions_insert_rollup_version AFTER INSERT ON event_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT e.region_code FROM events e WHERE e.id = NEW.id) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER event_revisions_update_rollup_version AFTER UPDATE ON event_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT e.region_code FROM events e WHERE e.id = NEW.id) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER event_revisions_delete_rollup_version AFTER DELETE ON event_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN OLD.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT e.region_code FROM events e WHERE e.id = OLD.id) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER entities_insert_rollup_version AFTER INSERT ON entities BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT NEW.region_code AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER entities_update_rollup_version AFTER UPDATE ON entities BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT NEW.region_code AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER entities_delete_rollup_version AFTER DELETE ON entities BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, 1 FROM (SELECT OLD.region_code AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER entity_revisions_insert_rollup_version AFTER INSERT ON entity_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT e.region_code FROM entities e WHERE e.code = NEW.code) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER entity_revisions_update_rollup_version AFTER UPDATE ON entity_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN NEW.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT e.region_code FROM entities e WHERE e.code = NEW.code) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;

CREATE TRIGGER entity_revisions_delete_rollup_version AFTER DELETE ON entity_revisions BEGIN
    INSERT INTO rollup_versions (scope, version, past_version)
    SELECT scope, 1, CASE WHEN OLD.recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-600 seconds') THEN 1 ELSE 0 END FROM (SELECT (SELECT e.region_code FROM entities e WHERE e.code = OLD.code) AS scope) WHERE scope IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = version + 1, past_version = past_version + excluded.past_version;
END;
