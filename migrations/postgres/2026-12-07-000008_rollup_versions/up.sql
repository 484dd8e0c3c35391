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

CREATE FUNCTION rollup_bump(bumped TEXT, past INTEGER) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF bumped IS NOT NULL THEN
        INSERT INTO rollup_versions (scope, version, past_version) VALUES (bumped, 1, past)
        ON CONFLICT (scope) DO UPDATE SET version = rollup_versions.version + 1,
            past_version = rollup_versions.past_version + excluded.past_version;
    END IF;
END $$;

-- Reference data: once per statement.
CREATE FUNCTION rollup_bump_reference() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rollup_bump('*', 1);
    RETURN NULL;
END $$;

-- The data tables bump at commit (deferred constraint triggers): the scope's row is locked
-- from then to the end of the commit only, so concurrent writers of one region are not
-- serialized for their whole transactions; and a revision is "back-dated" when it is
-- stamped ten minutes before its commit.
CREATE TRIGGER regions_insert_rollup_version AFTER INSERT ON regions FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER regions_update_rollup_version AFTER UPDATE ON regions FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER regions_delete_rollup_version AFTER DELETE ON regions FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER powiats_insert_rollup_version AFTER INSERT ON powiats FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER powiats_update_rollup_version AFTER UPDATE ON powiats FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER powiats_delete_rollup_version AFTER DELETE ON powiats FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER gminas_insert_rollup_version AFTER INSERT ON gminas FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER gminas_update_rollup_version AFTER UPDATE ON gminas FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER gminas_delete_rollup_version AFTER DELETE ON gminas FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER subregions_insert_rollup_version AFTER INSERT ON subregions FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER subregions_update_rollup_version AFTER UPDATE ON subregions FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER subregions_delete_rollup_version AFTER DELETE ON subregions FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER subregion_powiats_insert_rollup_version AFTER INSERT ON subregion_powiats FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER subregion_powiats_update_rollup_version AFTER UPDATE ON subregion_powiats FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER subregion_powiats_delete_rollup_version AFTER DELETE ON subregion_powiats FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER owes_insert_rollup_version AFTER INSERT ON owes FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER owes_update_rollup_version AFTER UPDATE ON owes FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER owes_delete_rollup_version AFTER DELETE ON owes FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER indicators_insert_rollup_version AFTER INSERT ON indicators FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER indicators_update_rollup_version AFTER UPDATE ON indicators FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER indicators_delete_rollup_version AFTER DELETE ON indicators FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER result_groups_insert_rollup_version AFTER INSERT ON result_groups FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER result_groups_update_rollup_version AFTER UPDATE ON result_groups FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER result_groups_delete_rollup_version AFTER DELETE ON result_groups FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER result_items_insert_rollup_version AFTER INSERT ON result_items FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER result_items_update_rollup_version AFTER UPDATE ON result_items FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER result_items_delete_rollup_version AFTER DELETE ON result_items FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER event_types_insert_rollup_version AFTER INSERT ON event_types FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER event_types_update_rollup_version AFTER UPDATE ON event_types FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER event_types_delete_rollup_version AFTER DELETE ON event_types FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER programmes_insert_rollup_version AFTER INSERT ON programmes FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER programmes_update_rollup_version AFTER UPDATE ON programmes FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER programmes_delete_rollup_version AFTER DELETE ON programmes FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER programme_targets_insert_rollup_version AFTER INSERT ON programme_targets FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER programme_targets_update_rollup_version AFTER UPDATE ON programme_targets FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();
CREATE TRIGGER programme_targets_delete_rollup_version AFTER DELETE ON programme_targets FOR EACH STATEMENT EXECUTE FUNCTION rollup_bump_reference();

CREATE FUNCTION reports_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump(CASE r.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = r.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = r.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = r.unit_code) END, 0);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER reports_insert_rollup_version AFTER INSERT ON reports DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_rollup_version();
CREATE CONSTRAINT TRIGGER reports_update_rollup_version AFTER UPDATE ON reports DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_rollup_version();
CREATE CONSTRAINT TRIGGER reports_delete_rollup_version AFTER DELETE ON reports DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_rollup_version();

CREATE FUNCTION report_revisions_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump(CASE r.stream WHEN 'owes' THEN (SELECT s.region_code FROM owes o JOIN subregions s ON s.code = o.subregion_code WHERE o.code = r.unit_code) WHEN 'gmina' THEN (SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = r.unit_code) ELSE (SELECT e.region_code FROM entities e WHERE e.code = r.unit_code) END, CASE WHEN r.recorded_at < to_char(clock_timestamp() AT TIME ZONE 'UTC' - interval '600 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') THEN 1 ELSE 0 END);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER report_revisions_insert_rollup_version AFTER INSERT ON report_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER report_revisions_update_rollup_version AFTER UPDATE ON report_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER report_revisions_delete_rollup_version AFTER DELETE ON report_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_revisions_rollup_version();

CREATE FUNCTION lpres_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump((SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = r.teryt), 0);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER lpres_insert_rollup_version AFTER INSERT ON lpres DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lpres_rollup_version();
CREATE CONSTRAINT TRIGGER lpres_update_rollup_version AFTER UPDATE ON lpres DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lpres_rollup_version();
CREATE CONSTRAINT TRIGGER lpres_delete_rollup_version AFTER DELETE ON lpres DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lpres_rollup_version();

CREATE FUNCTION lpres_revisions_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump((SELECT p.region_code FROM gminas g JOIN powiats p ON p.code = g.powiat_code WHERE g.teryt = r.teryt), CASE WHEN r.recorded_at < to_char(clock_timestamp() AT TIME ZONE 'UTC' - interval '600 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') THEN 1 ELSE 0 END);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER lpres_revisions_insert_rollup_version AFTER INSERT ON lpres_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lpres_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER lpres_revisions_update_rollup_version AFTER UPDATE ON lpres_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lpres_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER lpres_revisions_delete_rollup_version AFTER DELETE ON lpres_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lpres_revisions_rollup_version();

CREATE FUNCTION events_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump(r.region_code, 0);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER events_insert_rollup_version AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_rollup_version();
CREATE CONSTRAINT TRIGGER events_update_rollup_version AFTER UPDATE ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_rollup_version();
CREATE CONSTRAINT TRIGGER events_delete_rollup_version AFTER DELETE ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_rollup_version();

CREATE FUNCTION event_revisions_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump((SELECT e.region_code FROM events e WHERE e.id = r.id), CASE WHEN r.recorded_at < to_char(clock_timestamp() AT TIME ZONE 'UTC' - interval '600 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') THEN 1 ELSE 0 END);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER event_revisions_insert_rollup_version AFTER INSERT ON event_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION event_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER event_revisions_update_rollup_version AFTER UPDATE ON event_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION event_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER event_revisions_delete_rollup_version AFTER DELETE ON event_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION event_revisions_rollup_version();

CREATE FUNCTION entities_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump(r.region_code, 1);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER entities_insert_rollup_version AFTER INSERT ON entities DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entities_rollup_version();
CREATE CONSTRAINT TRIGGER entities_update_rollup_version AFTER UPDATE ON entities DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entities_rollup_version();
CREATE CONSTRAINT TRIGGER entities_delete_rollup_version AFTER DELETE ON entities DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entities_rollup_version();

CREATE FUNCTION entity_revisions_rollup_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM rollup_bump((SELECT e.region_code FROM entities e WHERE e.code = r.code), CASE WHEN r.recorded_at < to_char(clock_timestamp() AT TIME ZONE 'UTC' - interval '600 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') THEN 1 ELSE 0 END);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER entity_revisions_insert_rollup_version AFTER INSERT ON entity_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entity_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER entity_revisions_update_rollup_version AFTER UPDATE ON entity_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entity_revisions_rollup_version();
CREATE CONSTRAINT TRIGGER entity_revisions_delete_rollup_version AFTER DELETE ON entity_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entity_revisions_rollup_version();
