package auth

import (
	"cmp"
	"context"
	"errors"

	"github.com/google/uuid"

	"authstarter/db/sqlc"
	"authstarter/password"
	"authstarter/token"
)

// ErrWrongPassword: the current password given to change a password is wrong.
var ErrWrongPassword = errors.New("auth: wrong current password")

// Reasons recorded in sessions.revoked_reason by this file's use cases.
const reasonPasswordChanged = "password_changed"

// idleSeconds is the idle timeout as the queries take it; zero means off.
func (s *Service) idleSeconds() float64 { return s.cfg.IdleTimeout.Seconds() }

// Logout ends the session of a refresh token: the current one, or the one it
// replaced. Like token revocation (RFC 7009 §2.2) it succeeds for a token that
// is invalid, expired or already ended, since there is then nothing to end, and
// so it tells the caller nothing about the token.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	claims, err := s.tokens.ParseRefresh(refreshToken)
	if err != nil {
		return nil
	}
	_, err = s.q.RevokeSessionByToken(ctx, sqlc.RevokeSessionByTokenParams{
		ID:        claims.SessionID,
		TokenHash: hashToken(refreshToken),
	})
	return wrap("end session", err)
}

// LogoutAll ends every session of the access token's user, its own included.
// It returns ErrInvalidToken when the token's session has already ended.
func (s *Service) LogoutAll(ctx context.Context, claims *token.AccessClaims) error {
	n, err := s.q.RevokeCallerSessions(ctx, sqlc.RevokeCallerSessionsParams{
		UserID:          claims.UserID(),
		CallerSessionID: claims.SessionID,
		IdleSeconds:     s.idleSeconds(),
	})
	switch {
	case err != nil:
		return wrap("end sessions", err)
	case n == 0:
		return ErrInvalidToken
	}
	return nil
}

// Sessions lists the live sessions of the access token's user, newest first.
// It returns ErrInvalidToken when the token's own session has ended.
func (s *Service) Sessions(ctx context.Context, claims *token.AccessClaims) ([]sqlc.Session, error) {
	sessions, err := s.q.ListOwnSessions(ctx, sqlc.ListOwnSessionsParams{
		UserID:          claims.UserID(),
		CallerSessionID: claims.SessionID,
		IdleSeconds:     s.idleSeconds(),
	})
	switch {
	case err != nil:
		return nil, wrap("list sessions", err)
	case len(sessions) == 0:
		// The caller's own live session would have been listed.
		return nil, ErrInvalidToken
	}
	return sessions, nil
}

// EndSession ends one live session of the access token's user; it may be the
// token's own. It returns ErrInvalidToken when the token's session has ended and
// ErrNotFound when id is not a live session of this user.
func (s *Service) EndSession(ctx context.Context, claims *token.AccessClaims, id uuid.UUID) error {
	row, err := s.q.RevokeOwnSession(ctx, sqlc.RevokeOwnSessionParams{
		ID:              id,
		UserID:          claims.UserID(),
		CallerSessionID: claims.SessionID,
		IdleSeconds:     s.idleSeconds(),
	})
	switch {
	case err != nil:
		return wrap("end session", err)
	case !row.CallerLive:
		return ErrInvalidToken
	case !row.Revoked:
		return ErrNotFound
	}
	return nil
}

// UpdateSelf changes the profile fields that p sets on the access token's user
// and returns the user. An empty Profile changes nothing, not even updated_at.
// It returns ErrInvalidToken when the token's session has ended, a
// *ValidationError for a refused field and ErrUsernameTaken for a duplicate.
func (s *Service) UpdateSelf(ctx context.Context, claims *token.AccessClaims, p Profile) (sqlc.User, error) {
	// The session is checked first, so an ended session gets ErrInvalidToken
	// whatever the body holds.
	user, err := s.CurrentUser(ctx, claims)
	if err != nil || p == (Profile{}) {
		return user, err
	}
	return s.UpdateProfile(ctx, user.ID, p)
}

// ChangePassword sets a new password for the access token's user after checking
// the current one, and ends every other session of the user; the token's own
// session stays. It returns ErrInvalidToken when the token's session has ended,
// ErrWrongPassword for a wrong current password, a *ThrottledError while the
// account is locked after too many wrong passwords (at login or here), and a
// *ValidationError when the new password breaks the policy.
func (s *Service) ChangePassword(ctx context.Context, claims *token.AccessClaims, current, next string) error {
	user, err := s.CurrentUser(ctx, claims)
	if err != nil {
		return err
	}
	// Wrong current passwords count against the account like failed logins,
	// so a stolen access token guesses no faster than a login could.
	key, err := s.claimLoginAttempt(ctx, user.Username)
	if err != nil {
		return err
	}
	ok, err := s.checkPassword(ctx, user.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrongPassword
	}
	if err := s.forgetLoginFailures(ctx, key); err != nil {
		return err
	}
	hash, err := s.newPasswordHash(ctx, next, user.Username)
	if err != nil {
		return err
	}

	return s.replacePassword(ctx, claims, user, current, hash)
}

// replacePassword stores hash as the password of user, whose stored hash the
// caller verified current against. If that stored hash has changed since, a
// login may have upgraded its format (the same password, re-hashed): then it
// reads the user again and, if current still verifies, tries once more.
func (s *Service) replacePassword(ctx context.Context, claims *token.AccessClaims, user sqlc.User,
	current, hash string) error {
	swapped, err := s.swapPassword(ctx, claims, user, hash)
	if err != nil || swapped {
		return err
	}
	if user, err = s.CurrentUser(ctx, claims); err != nil {
		return err
	}
	ok, err := s.checkPassword(ctx, user.PasswordHash, current)
	if err != nil || !ok {
		return cmp.Or(err, ErrInvalidToken)
	}
	if swapped, err = s.swapPassword(ctx, claims, user, hash); err == nil && !swapped {
		return ErrInvalidToken
	}
	return err
}

// swapPassword replaces the user's password hash, if it is still the one in
// user and the caller's session is live, and ends the user's other sessions,
// in one transaction. It reports false, changing nothing, otherwise.
func (s *Service) swapPassword(ctx context.Context, claims *token.AccessClaims, user sqlc.User,
	hash string) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, wrap("begin", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	q := s.q.WithTx(tx)
	n, err := q.UpdateCallerPasswordHash(ctx, sqlc.UpdateCallerPasswordHashParams{
		UserID:          user.ID,
		CallerSessionID: claims.SessionID,
		OldHash:         user.PasswordHash,
		NewHash:         hash,
		IdleSeconds:     s.idleSeconds(),
	})
	if err != nil || n == 0 {
		return false, wrap("update password", err)
	}
	_, err = q.RevokeOtherSessions(ctx, sqlc.RevokeOtherSessionsParams{
		UserID:        user.ID,
		KeepSessionID: claims.SessionID,
		Reason:        reasonPasswordChanged,
	})
	if err != nil {
		return false, wrap("end other sessions", err)
	}
	return true, wrap("commit", tx.Commit(ctx))
}

// checkPassword reports whether pw matches the stored hash, after the same
// normalization as at registration and login.
func (s *Service) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	normalized, err := password.Normalize(pw)
	if err != nil {
		return false, nil
	}
	ok, _, err := s.hasher.Verify(ctx, hash, normalized)
	return ok, wrap("verify password", err)
}
