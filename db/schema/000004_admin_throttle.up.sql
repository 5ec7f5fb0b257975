-- The admin user list pages through users in (created_at, id) order.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);

-- Failed password logins per account, shared by every replica. The key is the
-- SHA-256 of the username as typed, put in canonical form, so unknown names are
-- counted exactly like real ones and what people mistype into the username
-- field (a password, often) is not stored in clear.
-- A row whose expires_at has passed counts as absent; a janitor deletes it.
CREATE TABLE login_failures (
    username_hash bytea       PRIMARY KEY,
    failures      integer     NOT NULL,
    expires_at    timestamptz NOT NULL
);

CREATE INDEX login_failures_expires_at_idx ON login_failures (expires_at);
