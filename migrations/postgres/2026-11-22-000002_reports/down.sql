DROP TABLE report_revisions;
DROP TABLE reports;
ALTER TABLE indicators DROP COLUMN at_most;
