-- name: CreateUser :one
INSERT INTO users (username, password_hash, is_active, is_superuser)
VALUES (@username, @password_hash, @is_active, @is_superuser)
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = $1;

-- name: GetUserByUsername :one
SELECT * FROM users WHERE username = $1;

-- name: GetSessionUser :one
-- Loads the user behind an access token, in the same round trip that checks the
-- session is live (not revoked, not expired, not idle longer than idle_seconds
-- when that is positive) and the user active.
SELECT * FROM users
WHERE users.id = @user_id
  AND users.is_active
  AND EXISTS (
      SELECT 1 FROM sessions
      WHERE sessions.id = @session_id
        AND sessions.user_id = users.id
        AND sessions.revoked_at IS NULL
        AND sessions.expires_at > now()
        AND (@idle_seconds::float8 <= 0
             OR sessions.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
  );

-- name: UpdateUserPasswordHash :exec
UPDATE users SET password_hash = @password_hash, updated_at = now() WHERE id = @id;

-- name: UpgradePasswordHash :execrows
-- Replaces a hash in an outdated format with a current one of the same
-- password, unless the password changed since old_hash was read.
UPDATE users SET password_hash = @new_hash
WHERE id = @id AND password_hash = @old_hash;

-- name: UpdateUserFlags :one
UPDATE users SET is_active = @is_active, is_superuser = @is_superuser, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: UpdateUser :one
-- Updates the profile fields whose set_ flag is true and keeps the others.
UPDATE users SET
    username = CASE WHEN @set_username::boolean THEN @username::text ELSE username END,
    updated_at = now()
WHERE id = @id
RETURNING *;
