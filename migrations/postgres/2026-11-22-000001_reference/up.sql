-- Reference data: territory, subregions, OWES, catalogues, programmes.
-- Kept equivalent to migrations/sqlite/2026-11-22-000001_reference (a test compares them).
CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE powiats (
    code TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE TABLE gminas (
    teryt TEXT PRIMARY KEY NOT NULL,
    powiat_code TEXT NOT NULL REFERENCES powiats (code),
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX gminas_powiat ON gminas (powiat_code);
CREATE TABLE subregions (
    code TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL
);
-- A powiat lies in at most one subregion: the powiat is the key.
CREATE TABLE subregion_powiats (
    powiat_code TEXT PRIMARY KEY NOT NULL REFERENCES powiats (code),
    subregion_code TEXT NOT NULL REFERENCES subregions (code)
);
CREATE TABLE owes (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    subregion_code TEXT NOT NULL REFERENCES subregions (code),
    active_from TEXT NOT NULL,
    active_to TEXT
);
CREATE TABLE indicators (
    code TEXT PRIMARY KEY NOT NULL,
    stream TEXT NOT NULL,
    position INTEGER NOT NULL,
    name_pl TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    numerator TEXT,
    denominator TEXT
);
CREATE TABLE result_groups (
    code TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    name_pl TEXT NOT NULL
);
CREATE TABLE result_items (
    code TEXT PRIMARY KEY NOT NULL,
    group_code TEXT NOT NULL REFERENCES result_groups (code),
    position INTEGER NOT NULL,
    name_pl TEXT NOT NULL
);
CREATE TABLE event_types (
    code TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    name_pl TEXT NOT NULL
);
CREATE TABLE programmes (
    code TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    start_quarter TEXT NOT NULL,
    end_quarter TEXT NOT NULL
);
CREATE TABLE programme_targets (
    programme_code TEXT NOT NULL REFERENCES programmes (code),
    position INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    scope TEXT NOT NULL,
    owes_code TEXT REFERENCES owes (code),
    comparator TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    target_window TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (programme_code, position)
);
