-- Users. The username is stored in its canonical form only (NFKC, case-folded,
-- trimmed), so uniqueness and lookups need no expression index and the database
-- refuses any row that the application did not canonicalise.
CREATE TABLE users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text        NOT NULL,
    password_hash text        NOT NULL,
    is_active     boolean     NOT NULL DEFAULT true,
    is_superuser  boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_username_canonical CHECK (
        username = btrim(username)
        AND username = lower(username)
        AND username IS NFKC NORMALIZED
        AND char_length(username) BETWEEN 1 AND 64
    )
);
