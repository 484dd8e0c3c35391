-- What the report forms need. Plausibility warnings the person confirmed when submitting a
-- report (JSON list, see rops_domain::plausibility), kept on the revision the submission
-- made; and where each indicator's value is verified (shown beside its field). Kept
-- equivalent to the other backend's tree (a test compares them).
ALTER TABLE report_revisions ADD COLUMN warnings_json TEXT;
ALTER TABLE indicators ADD COLUMN verification_pl TEXT;
