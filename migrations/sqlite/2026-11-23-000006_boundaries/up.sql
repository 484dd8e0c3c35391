-- Gmina boundaries, for maps: reference data like the gminas themselves, loaded from a
-- region's PRG file (GeoJSON). One row per gmina; the geometry is a GeoJSON geometry object
-- (Polygon or MultiPolygon, lon/lat WGS84) as the importer normalised it, so the same file
-- imported again compares equal. Kept equivalent to the other backend's tree (a test
-- compares them).
CREATE TABLE gmina_boundaries (
    teryt TEXT PRIMARY KEY NOT NULL REFERENCES gminas (teryt),
    geometry_json TEXT NOT NULL
);
