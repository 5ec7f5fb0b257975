package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"authstarter/db/sqlc"
)

// ThrottledError is returned by Login while an account is locked after too
// many failed logins. It is returned before the password is checked, for
// known and unknown usernames alike, so it reveals neither whether the
// account exists nor whether the password was right.
type ThrottledError struct {
	// RetryAfter is how long until the lock ends; at least one second.
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed logins; retry after %s", e.RetryAfter)
}

// claimLoginAttempt counts a password login for username before its password
// is checked and returns the key under which it was counted, or a
// *ThrottledError when the account is locked. The count lives in PostgreSQL,
// so a lock holds whichever replica answers; it returns a nil key when
// throttling is off.
func (s *Service) claimLoginAttempt(ctx context.Context, username string) ([]byte, error) {
	if s.cfg.LoginMaxFailures <= 0 {
		return nil, nil
	}
	key := throttleKey(username)
	row, err := s.q.ClaimLoginAttempt(ctx, sqlc.ClaimLoginAttemptParams{
		UsernameHash:   key,
		MaxFailures:    int32(s.cfg.LoginMaxFailures),
		LockoutSeconds: s.cfg.LoginLockout.Seconds(),
	})
	if err != nil {
		return nil, wrap("count login attempt", err)
	}
	if int(row.Failures) > s.cfg.LoginMaxFailures {
		return nil, &ThrottledError{RetryAfter: time.Duration(max(row.RetryAfterSeconds, 1)) * time.Second}
	}
	return key, nil
}

// forgetLoginFailures resets the count of an account after a good password.
func (s *Service) forgetLoginFailures(ctx context.Context, key []byte) error {
	if key == nil {
		return nil
	}
	return wrap("reset login failures", s.q.DeleteLoginFailures(ctx, key))
}

// PurgeLoginFailures deletes the failure counts that have expired and returns
// how many it deleted. Expired counts are already ignored; this only keeps
// the table small, and is safe to run from every replica at once.
func (s *Service) PurgeLoginFailures(ctx context.Context) (int64, error) {
	n, err := s.q.DeleteExpiredLoginFailures(ctx)
	return n, wrap("purge login failures", err)
}

// throttleKey returns the SHA-256 of username in canonical form. A name that
// is not an acceptable username belongs to no account but is counted all the
// same, so that it behaves like any unknown name.
func throttleKey(username string) []byte {
	sum := sha256.Sum256([]byte(foldUsername(username)))
	return sum[:]
}
