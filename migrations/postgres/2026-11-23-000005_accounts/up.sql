-- People and how they sign in: accounts, browser sessions, personal API keys, one-time links
-- (first admin, setting a password), sign-in throttling and pending single sign-ons.
-- Kept equivalent to the other backend's tree (a test compares them). Secrets are never
-- stored: session ids, keys and link tokens are kept as SHA-256 hex digests, passwords as
-- Argon2id PHC strings.
CREATE TABLE users (
    login TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    org TEXT,
    region_code TEXT REFERENCES regions (code),
    active BOOLEAN NOT NULL,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX users_region_role ON users (region_code, role);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    login TEXT NOT NULL REFERENCES users (login),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_login ON sessions (login);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    login TEXT NOT NULL REFERENCES users (login),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_keys_login ON api_keys (login);
CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    login TEXT REFERENCES users (login),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE login_failures (
    login TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (login, failed_at)
);
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    created_at TEXT NOT NULL
);
