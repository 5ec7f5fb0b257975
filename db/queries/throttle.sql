-- name: ClaimLoginAttempt :one
-- Counts a password login attempt for an account before its password is
-- checked, in one statement, so that replicas and concurrent requests never
-- let more than max_failures attempts through. The attempt may go ahead when
-- the returned failures is at most max_failures; a successful login then
-- deletes the row. Failures are forgotten lockout_seconds after the last
-- counted one; refused attempts do not extend the lock.
INSERT INTO login_failures (username_hash, failures, expires_at)
VALUES (@username_hash, 1, now() + make_interval(secs => @lockout_seconds::float8))
ON CONFLICT (username_hash) DO UPDATE SET
    failures = CASE
        WHEN login_failures.expires_at <= now() THEN 1
        ELSE least(login_failures.failures, @max_failures::integer) + 1
    END,
    expires_at = CASE
        WHEN login_failures.expires_at > now()
             AND login_failures.failures >= @max_failures::integer
        THEN login_failures.expires_at
        ELSE now() + make_interval(secs => @lockout_seconds::float8)
    END
RETURNING failures,
    ceil(extract(epoch FROM expires_at - now()))::integer AS retry_after_seconds;

-- name: DeleteLoginFailures :exec
DELETE FROM login_failures WHERE username_hash = @username_hash;

-- name: DeleteExpiredLoginFailures :execrows
DELETE FROM login_failures WHERE expires_at <= now();
