-- Gmina LPRES status and the ROPS activity register, each with append-only revisions.
-- Kept equivalent to the other backend's tree (a test compares them).
CREATE TABLE lpres (
    teryt TEXT PRIMARY KEY NOT NULL REFERENCES gminas (teryt),
    status TEXT NOT NULL,
    resolution_number TEXT,
    adopted_on TEXT,
    plan_from INTEGER,
    plan_to INTEGER,
    document_url TEXT,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE lpres_revisions (
    teryt TEXT NOT NULL REFERENCES gminas (teryt),
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    resolution_number TEXT,
    adopted_on TEXT,
    plan_from INTEGER,
    plan_to INTEGER,
    document_url TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (teryt, revision)
);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    event_type TEXT NOT NULL REFERENCES event_types (code),
    event_date TEXT NOT NULL,
    subregion_code TEXT REFERENCES subregions (code),
    title TEXT NOT NULL,
    participants INTEGER NOT NULL,
    evidence_url TEXT,
    withdrawn_at TEXT,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX events_region_date ON events (region_code, event_date);
CREATE TABLE event_revisions (
    id TEXT NOT NULL REFERENCES events (id),
    revision INTEGER NOT NULL,
    action TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    subregion_code TEXT,
    title TEXT NOT NULL,
    participants INTEGER NOT NULL,
    evidence_url TEXT,
    withdrawn_at TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (id, revision)
);
