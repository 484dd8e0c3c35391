-- Reports of both streams (OWES quarterly, gmina annual) and every revision of them.
-- Kept equivalent to the other backend's tree (a test compares them).
ALTER TABLE indicators ADD COLUMN at_most TEXT;

-- The current state of each report; `revision` counts every change and is the ETag.
CREATE TABLE reports (
    stream TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    values_json TEXT NOT NULL,
    results_json TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    first_submitted_at TEXT,
    submitted_at TEXT,
    approved_at TEXT,
    return_reason TEXT,
    PRIMARY KEY (stream, unit_code, period)
);
CREATE INDEX reports_queue ON reports (stream, status, period);

-- Append-only: one row per change, never updated or deleted.
CREATE TABLE report_revisions (
    stream TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    values_json TEXT NOT NULL,
    results_json TEXT,
    note TEXT,
    return_reason TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (stream, unit_code, period, revision),
    FOREIGN KEY (stream, unit_code, period) REFERENCES reports (stream, unit_code, period)
);
