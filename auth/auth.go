// Package auth is the service's domain logic: registering users, logging in,
// refreshing and ending sessions. It works on the sqlc queries and the password
// and token packages, and knows nothing of HTTP: handlers translate its errors.
package auth

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"authstarter/db/sqlc"
	"authstarter/password"
	"authstarter/token"
)

// Errors returned by the Service. Handlers map each to one response.
var (
	// ErrInvalidGrant: bad credentials, or a bad, expired, spent or revoked
	// refresh token. Deliberately one error for all of them.
	ErrInvalidGrant = errors.New("auth: invalid grant")
	// ErrInvalidScope: a scope that does not exist or that the user may not have.
	ErrInvalidScope = errors.New("auth: invalid scope")
	// ErrInvalidToken: an access token whose session ended or whose user is gone
	// or inactive.
	ErrInvalidToken = errors.New("auth: invalid token")
	// ErrUsernameTaken: another user has the same canonical username.
	ErrUsernameTaken = errors.New("auth: username taken")
	// ErrRegistrationClosed: open registration is turned off.
	ErrRegistrationClosed = errors.New("auth: registration closed")
	// ErrNotFound: no such user or session.
	ErrNotFound = errors.New("auth: not found")
)

// ValidationError says which input field was refused and why, in words meant
// for the client.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// ScopeAdmin is the only scope defined by default: granted to superusers who ask.
const ScopeAdmin = "admin"

// Config holds the Service's settings.
type Config struct {
	RefreshTTL        time.Duration
	RefreshReuseGrace time.Duration
	// IdleTimeout ends a session that has not been refreshed for this long;
	// zero turns the idle timeout off.
	IdleTimeout      time.Duration
	OpenRegistration bool
	Policy           password.Policy
	// LoginMaxFailures is how many failed password logins in a row lock an
	// account; 0 turns the lock off.
	LoginMaxFailures int
	// LoginLockout is how long a lock lasts, and how long a failure is
	// remembered.
	LoginLockout time.Duration
}

// Service carries out the auth use cases against PostgreSQL.
type Service struct {
	pool   *pgxpool.Pool
	q      *sqlc.Queries
	hasher *password.Hasher
	tokens *token.Issuer
	cfg    Config
}

// New returns a Service.
func New(pool *pgxpool.Pool, hasher *password.Hasher, tokens *token.Issuer, cfg Config) *Service {
	return &Service{pool: pool, q: sqlc.New(pool), hasher: hasher, tokens: tokens, cfg: cfg}
}

// Tokens returns the token issuer, for the middleware that verifies access tokens.
func (s *Service) Tokens() *token.Issuer { return s.tokens }

// hashToken returns what the database stores for a refresh token.
func hashToken(t string) []byte {
	sum := sha256.Sum256([]byte(t))
	return sum[:]
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
