-- name: CreateSession :one
INSERT INTO sessions (id, user_id, refresh_token_hash, scope, user_agent, client_ip, expires_at)
VALUES (@id, @user_id, @refresh_token_hash, @scope, @user_agent, @client_ip, @expires_at)
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
