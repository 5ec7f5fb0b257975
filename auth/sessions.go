package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"authstarter/db/sqlc"
	"authstarter/password"
)

// TokenPair is what a successful grant returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int64 // seconds
	Scope        string
}

// Client describes where a request came from, recorded on the session.
type Client struct {
	UserAgent string
	IP        string
}

// Login checks a username and password and starts a session. Every credential
// failure, whether the user is unknown, the password wrong or the account
// disabled, returns ErrInvalidGrant after the same amount of hashing work.
// While the account is locked after too many failures it returns a
// *ThrottledError without checking the password.
func (s *Service) Login(ctx context.Context, username, pw, scope string, client Client) (TokenPair, error) {
	scopes, err := parseScope(scope)
	if err != nil {
		return TokenPair{}, err
	}
	key, err := s.claimLoginAttempt(ctx, username)
	if err != nil {
		return TokenPair{}, err
	}
	user, err := s.authenticate(ctx, username, pw)
	if err != nil {
		return TokenPair{}, err
	}
	if err := s.forgetLoginFailures(ctx, key); err != nil {
		return TokenPair{}, err
	}
	if slices.Contains(scopes, ScopeAdmin) && !user.IsSuperuser {
		return TokenPair{}, ErrInvalidScope
	}
	return s.startSession(ctx, user, strings.Join(scopes, " "), client)
}

func (s *Service) authenticate(ctx context.Context, username, pw string) (sqlc.User, error) {
	normalized, err := password.Normalize(pw)
	if err != nil {
		return sqlc.User{}, ErrInvalidGrant
	}
	name, err := CanonicalUsername(username)
	if err != nil {
		s.hasher.Burn(ctx, normalized)
		return sqlc.User{}, ErrInvalidGrant
	}
	user, err := s.q.GetUserByUsername(ctx, name)
	if errors.Is(err, pgx.ErrNoRows) {
		s.hasher.Burn(ctx, normalized)
		return sqlc.User{}, ErrInvalidGrant
	}
	if err != nil {
		return sqlc.User{}, wrap("load user", err)
	}
	return s.checkUser(ctx, user, normalized, true)
}

// checkUser verifies the normalized password against user's stored hash and
// that the user is active. With upgrade, a hash in an outdated format is
// replaced by a current one.
func (s *Service) checkUser(ctx context.Context, user sqlc.User, normalized string, upgrade bool) (sqlc.User, error) {
	ok, rehash, err := s.hasher.Verify(ctx, user.PasswordHash, normalized)
	if err != nil {
		return sqlc.User{}, wrap("verify password", err)
	}
	if !ok || !user.IsActive {
		return sqlc.User{}, ErrInvalidGrant
	}
	if rehash && upgrade {
		return s.upgradeHash(ctx, user, normalized)
	}
	return user, nil
}

// upgradeHash replaces user's verified hash, in an outdated format, with a
// current one of the same password, and returns the user with it. If the
// stored hash changed since it was read (another login upgraded it first, or
// the password was changed), it reads the user again and verifies anew.
func (s *Service) upgradeHash(ctx context.Context, user sqlc.User, normalized string) (sqlc.User, error) {
	hash, err := s.hasher.Hash(ctx, normalized)
	if err != nil {
		return sqlc.User{}, wrap("upgrade password hash", err)
	}
	n, err := s.q.UpgradePasswordHash(ctx, sqlc.UpgradePasswordHashParams{
		ID: user.ID, OldHash: user.PasswordHash, NewHash: hash})
	if err != nil {
		return sqlc.User{}, wrap("upgrade password hash", err)
	}
	if n == 1 {
		user.PasswordHash = hash
		return user, nil
	}
	user, err = s.q.GetUser(ctx, user.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlc.User{}, ErrInvalidGrant
	}
	if err != nil {
		return sqlc.User{}, wrap("load user", err)
	}
	return s.checkUser(ctx, user, normalized, false)
}

func (s *Service) startSession(ctx context.Context, user sqlc.User, scope string, client Client) (TokenPair, error) {
	sessionID := uuid.New()
	expiresAt := time.Now().Add(s.cfg.RefreshTTL).Truncate(time.Second)
	refresh, _, err := s.tokens.Refresh(user.ID, sessionID, scope, expiresAt)
	if err != nil {
		return TokenPair{}, err
	}
	// The session starts only if the password verified is still the user's
	// and the user still active: a login that raced a password change,
	// deactivation or deletion must not outlive it.
	_, err = s.q.CreateSession(ctx, sqlc.CreateSessionParams{
		ID:               sessionID,
		UserID:           user.ID,
		PasswordHash:     user.PasswordHash,
		RefreshTokenHash: hashToken(refresh),
		Scope:            scope,
		UserAgent:        printable(client.UserAgent, 256),
		ClientIp:         client.IP,
		ExpiresAt:        expiresAt,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return TokenPair{}, ErrInvalidGrant
	}
	if err != nil {
		return TokenPair{}, wrap("create session", err)
	}
	return s.pair(user.ID, sessionID, scope, refresh)
}

// Refresh exchanges a refresh token for a new pair and rotates the session's
// refresh token. A spent token presented again ends the whole session, except
// within the configured grace after its rotation, when it only fails. Every
// failure returns ErrInvalidGrant, except a widened scope (ErrInvalidScope).
func (s *Service) Refresh(ctx context.Context, refreshToken, scope string) (TokenPair, error) {
	claims, err := s.tokens.ParseRefresh(refreshToken)
	if err != nil {
		return TokenPair{}, ErrInvalidGrant
	}
	// A refused scope is answered before the token is spent: a failed request
	// leaves the session as it was.
	granted := claims.Scope
	if scope != "" {
		if granted, err = narrowScope(claims.Scope, scope); err != nil {
			return TokenPair{}, err
		}
	}
	next, _, err := s.tokens.Refresh(claims.UserID(), claims.SessionID, claims.Scope, claims.ExpiresAt.Time)
	if err != nil {
		return TokenPair{}, err
	}
	presented := hashToken(refreshToken)
	sess, err := s.q.RotateRefreshToken(ctx, sqlc.RotateRefreshTokenParams{
		ID:          claims.SessionID,
		OldHash:     presented,
		NewHash:     hashToken(next),
		IdleSeconds: s.idleSeconds(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		_, err := s.q.RevokeReusedSession(ctx, sqlc.RevokeReusedSessionParams{
			ID:            claims.SessionID,
			PresentedHash: presented,
			GraceSeconds:  s.cfg.RefreshReuseGrace.Seconds(),
		})
		if err != nil {
			return TokenPair{}, wrap("revoke reused session", err)
		}
		return TokenPair{}, ErrInvalidGrant
	}
	if err != nil {
		return TokenPair{}, wrap("rotate refresh token", err)
	}
	return s.pair(sess.UserID, sess.ID, granted, next)
}

func (s *Service) pair(userID, sessionID uuid.UUID, scope, refresh string) (TokenPair, error) {
	access, claims, err := s.tokens.Access(userID, sessionID, scope)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{
		AccessToken:  access,
		RefreshToken: refresh,
		ExpiresIn:    int64(claims.ExpiresAt.Sub(claims.IssuedAt.Time).Seconds()),
		Scope:        scope,
	}, nil
}

// parseScope splits a requested scope and refuses any scope that is not defined.
func parseScope(scope string) ([]string, error) {
	if scope == "" {
		return nil, nil
	}
	// Scopes are separated by single spaces (RFC 6749 §3.3), and by nothing
	// else: no tabs, no runs of spaces, no leading or trailing space.
	scopes := strings.Split(scope, " ")
	for _, sc := range scopes {
		if sc != ScopeAdmin {
			return nil, ErrInvalidScope
		}
	}
	slices.Sort(scopes)
	return slices.Compact(scopes), nil
}

// narrowScope returns requested when every scope in it was in granted.
func narrowScope(granted, requested string) (string, error) {
	want, err := parseScope(requested)
	if err != nil {
		return "", err
	}
	have := strings.Fields(granted)
	for _, sc := range want {
		if !slices.Contains(have, sc) {
			return "", ErrInvalidScope
		}
	}
	return strings.Join(want, " "), nil
}

// printable returns s as valid UTF-8 of at most n bytes: client-supplied text
// such as a User-Agent may hold any bytes, and the database takes only UTF-8.
func printable(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
