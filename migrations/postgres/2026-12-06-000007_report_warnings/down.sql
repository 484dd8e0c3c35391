ALTER TABLE report_revisions DROP COLUMN warnings_json;
