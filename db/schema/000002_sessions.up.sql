-- Sessions. A login creates one; each refresh rotates its refresh token. Only
-- SHA-256 hashes of refresh tokens are stored: the current one, and the one it
-- replaced (to recognise a spent token presented again).
CREATE TABLE sessions (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_token_hash  bytea       NOT NULL,
    previous_token_hash bytea,
    scope               text        NOT NULL DEFAULT '',
    user_agent          text        NOT NULL DEFAULT '',
    client_ip           text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz NOT NULL DEFAULT now(),
    rotated_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz,
    revoked_reason      text
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
