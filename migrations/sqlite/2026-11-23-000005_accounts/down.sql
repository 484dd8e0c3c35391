DROP TABLE oidc_logins;
DROP TABLE login_failures;
DROP TABLE one_time_links;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
