// Package token issues and verifies the service's JWTs: short-lived access tokens
// (header typ "at+jwt", RFC 9068) and refresh tokens (typ "rt+jwt"). The two kinds
// differ in typ and audience, and each parser accepts only its own kind, so one
// can never stand in for the other. It knows nothing of HTTP or SQL.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const (
	typAccess  = "at+jwt"
	typRefresh = "rt+jwt"

	// MaxLength is the longest token string either parser looks at; anything
	// longer is rejected before any decoding.
	MaxLength = 4096
)

// ErrInvalid is returned for any token that fails verification. The cause is
// wrapped for logs; callers should not show it to clients.
var ErrInvalid = errors.New("token: invalid")

// Config holds what the Issuer needs.
type Config struct {
	Secret     []byte
	Issuer     string
	Audience   string
	AccessTTL  time.Duration
	Leeway     time.Duration
	RefreshAud string // defaults to Audience + "/refresh"
	Now        func() time.Time
}

// Issuer signs and verifies tokens with one HMAC-SHA256 key.
type Issuer struct {
	cfg     Config
	access  *jwt.Parser
	refresh *jwt.Parser
}

// AccessClaims are the claims of an access token.
type AccessClaims struct {
	jwt.RegisteredClaims
	SessionID uuid.UUID `json:"sid"`
	Scope     string    `json:"scope,omitempty"`
}

// RefreshClaims are the claims of a refresh token.
type RefreshClaims struct {
	jwt.RegisteredClaims
	SessionID uuid.UUID `json:"sid"`
	// Scope is what the session was granted, so that a request to narrow it
	// can be checked before the token is spent.
	Scope string `json:"scope,omitempty"`
}

// UserID returns the subject as a user id.
func (c *AccessClaims) UserID() uuid.UUID { return uuid.MustParse(c.Subject) }

// Scopes returns the granted scopes.
func (c *AccessClaims) Scopes() []string { return strings.Fields(c.Scope) }

// HasScope reports whether the token grants scope.
func (c *AccessClaims) HasScope(scope string) bool {
	for _, s := range c.Scopes() {
		if s == scope {
			return true
		}
	}
	return false
}

// UserID returns the subject as a user id.
func (c *RefreshClaims) UserID() uuid.UUID { return uuid.MustParse(c.Subject) }

// NewIssuer returns an Issuer. The secret must be at least 32 bytes.
func NewIssuer(cfg Config) (*Issuer, error) {
	if len(cfg.Secret) < 32 {
		return nil, errors.New("token: secret must be at least 32 bytes")
	}
	if cfg.RefreshAud == "" {
		cfg.RefreshAud = cfg.Audience + "/refresh"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := func(aud string) []jwt.ParserOption {
		return []jwt.ParserOption{
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(aud),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithTimeFunc(cfg.Now),
			jwt.WithStrictDecoding(),
		}
	}
	return &Issuer{
		cfg:     cfg,
		access:  jwt.NewParser(opts(cfg.Audience)...),
		refresh: jwt.NewParser(opts(cfg.RefreshAud)...),
	}, nil
}

// Access returns a signed access token for the user's session and its claims.
func (i *Issuer) Access(userID, sessionID uuid.UUID, scope string) (string, *AccessClaims, error) {
	now := i.cfg.Now().Truncate(time.Second)
	claims := &AccessClaims{
		RegisteredClaims: i.registered(userID, i.cfg.Audience, now, now.Add(i.cfg.AccessTTL)),
		SessionID:        sessionID,
		Scope:            scope,
	}
	s, err := i.sign(typAccess, claims)
	return s, claims, err
}

// Refresh returns a signed refresh token for the user's session, granted scope,
// that expires at expiresAt, the session's absolute end.
func (i *Issuer) Refresh(userID, sessionID uuid.UUID, scope string, expiresAt time.Time) (string, *RefreshClaims, error) {
	now := i.cfg.Now().Truncate(time.Second)
	claims := &RefreshClaims{
		RegisteredClaims: i.registered(userID, i.cfg.RefreshAud, now, expiresAt),
		SessionID:        sessionID,
		Scope:            scope,
	}
	s, err := i.sign(typRefresh, claims)
	return s, claims, err
}

// ParseAccess verifies an access token and returns its claims, or an error
// wrapping ErrInvalid.
func (i *Issuer) ParseAccess(s string) (*AccessClaims, error) {
	claims := &AccessClaims{}
	if err := i.parse(i.access, s, typAccess, claims, &claims.RegisteredClaims); err != nil {
		return nil, err
	}
	if claims.SessionID == uuid.Nil {
		return nil, fmt.Errorf("%w: no session id", ErrInvalid)
	}
	return claims, nil
}

// ParseRefresh verifies a refresh token and returns its claims, or an error
// wrapping ErrInvalid.
func (i *Issuer) ParseRefresh(s string) (*RefreshClaims, error) {
	claims := &RefreshClaims{}
	if err := i.parse(i.refresh, s, typRefresh, claims, &claims.RegisteredClaims); err != nil {
		return nil, err
	}
	if claims.SessionID == uuid.Nil {
		return nil, fmt.Errorf("%w: no session id", ErrInvalid)
	}
	return claims, nil
}

func (i *Issuer) parse(p *jwt.Parser, s, typ string, claims jwt.Claims, reg *jwt.RegisteredClaims) error {
	if s == "" || len(s) > MaxLength {
		return fmt.Errorf("%w: empty or longer than %d bytes", ErrInvalid, MaxLength)
	}
	tok, err := p.ParseWithClaims(s, claims, func(t *jwt.Token) (any, error) {
		// typ is a media type, so compared without regard to case (RFC 7515 §4.1.9).
		if got, _ := t.Header["typ"].(string); !strings.EqualFold(got, typ) {
			return nil, fmt.Errorf("typ %q, want %q", got, typ)
		}
		// We understand no extension, so a token that requires one is refused
		// (RFC 7515 §4.1.11).
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New("crit header present")
		}
		return i.cfg.Secret, nil
	})
	if err != nil || !tok.Valid {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	// We issue sub as a canonical uuid and always set iat and jti; a token
	// without them, or with another spelling of sub, is not ours.
	if id, err := uuid.Parse(reg.Subject); err != nil || id.String() != reg.Subject || reg.ID == "" || reg.IssuedAt == nil {
		return fmt.Errorf("%w: sub is not a canonical user id, or iat or jti is missing", ErrInvalid)
	}
	return nil
}

func (i *Issuer) registered(userID uuid.UUID, aud string, now, exp time.Time) jwt.RegisteredClaims {
	return jwt.RegisteredClaims{
		Issuer:    i.cfg.Issuer,
		Subject:   userID.String(),
		Audience:  jwt.ClaimStrings{aud},
		ExpiresAt: jwt.NewNumericDate(exp),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        newID(),
	}
}

func (i *Issuer) sign(typ string, claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["typ"] = typ
	s, err := t.SignedString(i.cfg.Secret)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	return s, nil
}

// newID returns 128 random bits, base64url-encoded, for the jti claim.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b)
}
