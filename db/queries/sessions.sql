-- name: CreateSession :one
-- Starts a session for a login, but only while the user exists, is active and
-- still has the password hash the login verified; no row otherwise. FOR SHARE
-- orders it against a concurrent password change, deactivation or deletion,
-- which lock the user row too: either that change commits first, and this
-- re-reads the row and starts nothing, or this commits first, and the change's
-- next statement sees the new session and ends it.
INSERT INTO sessions (id, user_id, refresh_token_hash, scope, user_agent, client_ip, expires_at)
SELECT @id::uuid, u.id, @refresh_token_hash::bytea, @scope::text, @user_agent::text,
       @client_ip::text, @expires_at::timestamptz
FROM users u
WHERE u.id = @user_id AND u.password_hash = @password_hash AND u.is_active
FOR SHARE
RETURNING *;

-- name: RotateRefreshToken :one
-- Swaps the current refresh token for a new one in one statement: of two requests
-- racing with the same token, the row lock lets exactly one match.
UPDATE sessions
SET refresh_token_hash = @new_hash,
    previous_token_hash = refresh_token_hash,
    rotated_at = now(),
    last_used_at = now()
FROM users
WHERE sessions.id = @id
  AND sessions.user_id = users.id
  AND users.is_active
  AND sessions.refresh_token_hash = @old_hash
  AND sessions.revoked_at IS NULL
  AND sessions.expires_at > now()
  AND (@idle_seconds::float8 <= 0
       OR sessions.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
  -- A session granted admin refreshes only while its user is still a superuser.
  AND (users.is_superuser OR NOT 'admin' = ANY (string_to_array(sessions.scope, ' ')))
RETURNING sessions.*;

-- name: GetSession :one
SELECT * FROM sessions WHERE id = $1;

-- name: RevokeSession :execrows
UPDATE sessions SET revoked_at = now(), revoked_reason = @reason
WHERE id = @id AND revoked_at IS NULL;

-- name: RevokeReusedSession :execrows
-- Ends a session whose spent refresh token was presented again, unless it is the
-- token replaced less than grace_seconds ago (a client's own racing request).
UPDATE sessions SET revoked_at = now(), revoked_reason = 'refresh_token_reuse'
WHERE id = @id
  AND revoked_at IS NULL
  AND refresh_token_hash <> @presented_hash
  AND NOT (
      previous_token_hash IS NOT NULL
      AND previous_token_hash = @presented_hash
      AND rotated_at > now() - make_interval(secs => @grace_seconds::float8)
  );
