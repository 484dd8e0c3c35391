DROP TABLE entity_revisions;
DROP TABLE entities;
