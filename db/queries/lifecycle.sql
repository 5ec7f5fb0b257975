-- name: ListOwnSessions :many
-- Lists the user's live sessions, newest first, but only while the caller's own
-- session is live: no rows means the caller's session has ended. Live means not
-- revoked, not past expires_at, and, when idle_seconds is positive, refreshed
-- within the last idle_seconds. Every query here that acts for an access token
-- checks the same in the same statement.
SELECT s.* FROM sessions s
WHERE s.user_id = @user_id
  AND s.revoked_at IS NULL
  AND s.expires_at > now()
  AND (@idle_seconds::float8 <= 0
       OR s.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
  AND EXISTS (
      SELECT 1 FROM sessions c JOIN users u ON u.id = c.user_id
      WHERE c.id = @caller_session_id
        AND c.user_id = @user_id
        AND u.is_active
        AND c.revoked_at IS NULL
        AND c.expires_at > now()
        AND (@idle_seconds::float8 <= 0
             OR c.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
  )
ORDER BY s.created_at DESC, s.id;

-- name: RevokeOwnSession :one
-- Ends one live session of the user for a caller whose own session is live, and
-- reports both facts, so that a dead caller and an unknown session differ.
WITH caller AS (
    SELECT c.id FROM sessions c JOIN users u ON u.id = c.user_id
    WHERE c.id = @caller_session_id
      AND c.user_id = @user_id
      AND u.is_active
      AND c.revoked_at IS NULL
      AND c.expires_at > now()
      AND (@idle_seconds::float8 <= 0
           OR c.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
), revoked AS (
    UPDATE sessions s SET revoked_at = now(), revoked_reason = 'user_ended'
    WHERE s.id = @id
      AND s.user_id = @user_id
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND EXISTS (SELECT 1 FROM caller)
    RETURNING s.id
)
SELECT EXISTS (SELECT 1 FROM caller) AS caller_live,
       EXISTS (SELECT 1 FROM revoked) AS revoked;

-- name: RevokeCallerSessions :execrows
-- Ends every session of the user, the caller's own included, provided the
-- caller's session is live; zero rows means it was not.
UPDATE sessions s SET revoked_at = now(), revoked_reason = 'logout_all'
WHERE s.user_id = @user_id
  AND s.revoked_at IS NULL
  AND EXISTS (
      SELECT 1 FROM sessions c JOIN users u ON u.id = c.user_id
      WHERE c.id = @caller_session_id
        AND c.user_id = @user_id
        AND u.is_active
        AND c.revoked_at IS NULL
        AND c.expires_at > now()
        AND (@idle_seconds::float8 <= 0
             OR c.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
  );

-- name: RevokeSessionByToken :execrows
-- Logout: ends the session whose current refresh token, or the one it replaced,
-- has the given hash.
UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout'
WHERE id = @id
  AND revoked_at IS NULL
  AND (refresh_token_hash = @token_hash OR previous_token_hash = @token_hash);

-- name: UpdateCallerPasswordHash :execrows
-- Sets a new password hash if the stored one is still old_hash (no concurrent
-- change) and the caller's session is still live.
UPDATE users u SET password_hash = @new_hash, updated_at = now()
WHERE u.id = @user_id
  AND u.is_active
  AND u.password_hash = @old_hash
  AND EXISTS (
      SELECT 1 FROM sessions c
      WHERE c.id = @caller_session_id
        AND c.user_id = u.id
        AND c.revoked_at IS NULL
        AND c.expires_at > now()
        AND (@idle_seconds::float8 <= 0
             OR c.last_used_at > now() - make_interval(secs => @idle_seconds::float8))
  );

-- name: RevokeOtherSessions :execrows
-- Ends every session of the user except keep_session_id.
UPDATE sessions SET revoked_at = now(), revoked_reason = @reason::text
WHERE user_id = @user_id
  AND id <> @keep_session_id
  AND revoked_at IS NULL;

-- name: DeleteEndedSessions :execrows
-- Deletes sessions that ended (expired, revoked, or idle when idle_seconds is
-- positive) more than retention_seconds ago.
DELETE FROM sessions
WHERE expires_at < now() - make_interval(secs => @retention_seconds::float8)
   OR revoked_at < now() - make_interval(secs => @retention_seconds::float8)
   OR (@idle_seconds::float8 > 0
       AND last_used_at < now() - make_interval(secs => @idle_seconds::float8)
                              - make_interval(secs => @retention_seconds::float8));
