DROP INDEX report_revisions_window;
DROP INDEX reports_window;
