-- name: ListUsersPage :many
-- One page of users in (created_at, id) order, after the given position.
-- username_pattern is a LIKE pattern whose metacharacters the caller escaped.
SELECT * FROM users
WHERE username LIKE @username_pattern::text
  AND (sqlc.narg(is_active)::boolean IS NULL OR is_active = sqlc.narg(is_active))
  AND (created_at, id) > (@after_created_at::timestamptz, @after_id::uuid)
ORDER BY created_at, id
LIMIT @row_limit;

-- name: LockActiveSuperusers :many
-- Locks every active superuser, in id order so that concurrent callers queue
-- instead of deadlocking. A caller that waited re-reads the rows, so it sees a
-- demotion committed meanwhile.
SELECT id FROM users
WHERE is_active AND is_superuser
ORDER BY id
FOR UPDATE;

-- name: GetUserForUpdate :one
SELECT * FROM users WHERE id = $1 FOR UPDATE;

-- name: DeleteUser :execrows
-- Deletes a user; their sessions go with them (ON DELETE CASCADE).
DELETE FROM users WHERE id = $1;

-- name: ListLiveSessionsOfUser :many
-- Live: not revoked, not expired, and not idle longer than idle_seconds when
-- that is positive.
SELECT * FROM sessions
WHERE user_id = @user_id
  AND revoked_at IS NULL
  AND expires_at > now()
  AND (@idle_seconds::float8 <= 0
       OR last_used_at > now() - make_interval(secs => @idle_seconds::float8))
ORDER BY created_at DESC, id;

-- name: RevokeSessionsOfUser :execrows
UPDATE sessions SET revoked_at = now(), revoked_reason = @reason::text
WHERE user_id = @user_id AND revoked_at IS NULL;
