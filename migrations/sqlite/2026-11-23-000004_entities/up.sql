-- The register of reintegration entities (CIS, KIS, ZAZ, WTZ), with append-only revisions.
-- Kept equivalent to the other backend's tree (a test compares them).
-- `serves_json` is a JSON array of the TERYT codes of the gminas served, the seat included.
CREATE TABLE entities (
    code TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    seat_teryt TEXT NOT NULL REFERENCES gminas (teryt),
    serves_json TEXT NOT NULL,
    operator TEXT NOT NULL,
    active_from TEXT NOT NULL,
    active_to TEXT,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX entities_region_kind ON entities (region_code, kind);
CREATE TABLE entity_revisions (
    code TEXT NOT NULL REFERENCES entities (code),
    revision INTEGER NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    seat_teryt TEXT NOT NULL,
    serves_json TEXT NOT NULL,
    operator TEXT NOT NULL,
    active_from TEXT NOT NULL,
    active_to TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (code, revision)
);
