ALTER TABLE indicators DROP COLUMN verification_pl;
ALTER TABLE report_revisions DROP COLUMN warnings_json;
