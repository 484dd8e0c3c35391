-- A rollup reads the reports of one stream in its window, for the units of one region: by
-- period first, then by unit (a region's gminas are one range of TERYT codes), so the read is
-- one range of this index whatever the planner knows of the tables. The primary keys lead
-- with the unit and made it walk every year of each unit. Kept equivalent to the other
-- backend's tree (a test compares the indexes).
CREATE INDEX reports_window ON reports (stream, period, unit_code);
CREATE INDEX report_revisions_window ON report_revisions (stream, period, unit_code);
