DROP TABLE gmina_boundaries;
