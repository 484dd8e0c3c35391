DROP TABLE event_revisions;
DROP TABLE events;
DROP TABLE lpres_revisions;
DROP TABLE lpres;
