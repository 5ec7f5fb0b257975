package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

var (
	secret    = []byte("0123456789abcdef0123456789abcdef")
	userID    = uuid.MustParse("11111111-1111-4111-8111-111111111111")
	sessionID = uuid.MustParse("22222222-2222-4222-8222-222222222222")
)

// fixedClock is a clock the test moves.
type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }

func newIssuer(t *testing.T, clock *fixedClock) *Issuer {
	t.Helper()
	i, err := NewIssuer(Config{
		Secret: secret, Issuer: "iss", Audience: "aud", AccessTTL: time.Minute,
		Leeway: 5 * time.Second, Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestNewIssuerRefusesShortSecrets(t *testing.T) {
	if _, err := NewIssuer(Config{Secret: []byte("short")}); err == nil {
		t.Error("NewIssuer accepted a 5-byte secret")
	}
	i, err := NewIssuer(Config{Secret: secret, Audience: "api"})
	if err != nil || i.cfg.RefreshAud != "api/refresh" || i.cfg.Now == nil {
		t.Errorf("defaults: %+v, %v; want RefreshAud api/refresh and a clock", i.cfg, err)
	}
}

func TestAccessTokenRoundTrip(t *testing.T) {
	clock := &fixedClock{now: time.Unix(1_700_000_000, 0)}
	i := newIssuer(t, clock)
	s, issued, err := i.Access(userID, sessionID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := i.ParseAccess(s)
	if err != nil {
		t.Fatalf("ParseAccess: %v", err)
	}
	if got.UserID() != userID || got.SessionID != sessionID || !got.HasScope("admin") || got.HasScope("root") ||
		!got.ExpiresAt.Equal(issued.ExpiresAt.Time) || got.ID == "" || got.Issuer != "iss" {
		t.Errorf("claims = %+v, want user, session, scope admin and exp %v", got, issued.ExpiresAt)
	}
	if want := clock.now.Add(time.Minute); !got.ExpiresAt.Equal(want) {
		t.Errorf("exp = %v, want %v", got.ExpiresAt, want)
	}
	header := decodeHeader(t, s)
	if header["typ"] != "at+jwt" || header["alg"] != "HS256" {
		t.Errorf("header = %v, want typ at+jwt and alg HS256", header)
	}
}

func TestRefreshTokenRoundTrip(t *testing.T) {
	clock := &fixedClock{now: time.Unix(1_700_000_000, 0)}
	i := newIssuer(t, clock)
	end := clock.now.Add(30 * 24 * time.Hour)
	s, _, err := i.Refresh(userID, sessionID, "admin", end)
	if err != nil {
		t.Fatal(err)
	}
	got, err := i.ParseRefresh(s)
	if err != nil {
		t.Fatalf("ParseRefresh: %v", err)
	}
	if got.UserID() != userID || got.SessionID != sessionID || !got.ExpiresAt.Equal(end) || got.Scope != "admin" {
		t.Errorf("claims = %+v, want user, session, scope admin and exp %v", got, end)
	}
	if decodeHeader(t, s)["typ"] != "rt+jwt" {
		t.Errorf("typ = %v, want rt+jwt", decodeHeader(t, s)["typ"])
	}
}

func TestTokenKindsCannotStandInForEachOther(t *testing.T) {
	clock := &fixedClock{now: time.Now()}
	i := newIssuer(t, clock)
	access, _, _ := i.Access(userID, sessionID, "")
	refresh, _, _ := i.Refresh(userID, sessionID, "", clock.now.Add(time.Hour))
	if _, err := i.ParseRefresh(access); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseRefresh(access token) err = %v, want ErrInvalid", err)
	}
	if _, err := i.ParseAccess(refresh); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseAccess(refresh token) err = %v, want ErrInvalid", err)
	}
}

// TestParseAccessRejects takes valid access-token claims and a valid header,
// changes one thing per case, and expects ErrInvalid.
func TestParseAccessRejects(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := &fixedClock{now: now}
	i := newIssuer(t, clock)
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{
			"iss": "iss", "aud": "aud", "sub": userID.String(), "sid": sessionID.String(), "jti": "id",
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecToken := jwt.NewWithClaims(jwt.SigningMethodES256, valid())
	ecToken.Header["typ"] = "at+jwt"
	es256, _ := ecToken.SignedString(ecKey)

	tests := map[string]string{
		"alg none":               sign(t, jwt.SigningMethodNone, "at+jwt", valid()),
		"alg HS384, same key":    sign(t, jwt.SigningMethodHS384, "at+jwt", valid()),
		"alg HS512, same key":    sign(t, jwt.SigningMethodHS512, "at+jwt", valid()),
		"alg ES256":              es256,
		"another key":            signKey(t, []byte("another-secret-another-secret-00"), "at+jwt", valid()),
		"no typ":                 sign(t, jwt.SigningMethodHS256, "", valid()),
		"typ JWT":                sign(t, jwt.SigningMethodHS256, "JWT", valid()),
		"typ of a refresh token": sign(t, jwt.SigningMethodHS256, "rt+jwt", valid()),
		"no exp":                 sign(t, jwt.SigningMethodHS256, "at+jwt", with("exp", nil)),
		"expired beyond leeway":  sign(t, jwt.SigningMethodHS256, "at+jwt", with("exp", now.Add(-6*time.Second).Unix())),
		"issued in the future":   sign(t, jwt.SigningMethodHS256, "at+jwt", with("iat", now.Add(time.Minute).Unix())),
		"not yet valid":          sign(t, jwt.SigningMethodHS256, "at+jwt", with("nbf", now.Add(time.Minute).Unix())),
		"no iss":                 sign(t, jwt.SigningMethodHS256, "at+jwt", with("iss", nil)),
		"wrong iss":              sign(t, jwt.SigningMethodHS256, "at+jwt", with("iss", "other")),
		"no aud":                 sign(t, jwt.SigningMethodHS256, "at+jwt", with("aud", nil)),
		"wrong aud":              sign(t, jwt.SigningMethodHS256, "at+jwt", with("aud", "other")),
		"refresh aud":            sign(t, jwt.SigningMethodHS256, "at+jwt", with("aud", "aud/refresh")),
		"no sid":                 sign(t, jwt.SigningMethodHS256, "at+jwt", with("sid", nil)),
		"subject not a user id":  sign(t, jwt.SigningMethodHS256, "at+jwt", with("sub", "alice")),
		"no jti":                 sign(t, jwt.SigningMethodHS256, "at+jwt", with("jti", nil)),
		"no iat":                 sign(t, jwt.SigningMethodHS256, "at+jwt", with("iat", nil)),
		"sub in braces":          sign(t, jwt.SigningMethodHS256, "at+jwt", with("sub", "{"+userID.String()+"}")),
		"sub as a urn":           sign(t, jwt.SigningMethodHS256, "at+jwt", with("sub", "urn:uuid:"+userID.String())),
		"sub in upper case":      sign(t, jwt.SigningMethodHS256, "at+jwt", with("sub", "ABCDEF01-1111-4111-8111-111111111111")),
		"crit header":            signHeader(t, "crit", []string{"b64"}, valid()),
		"unknown field type":     sign(t, jwt.SigningMethodHS256, "at+jwt", with("exp", "tomorrow")),
		"tampered payload":       tamper(sign(t, jwt.SigningMethodHS256, "at+jwt", valid())),
		"empty":                  "",
		"garbage":                "a.b.c",
		"longer than MaxLength":  strings.Repeat("a", MaxLength+1),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := i.ParseAccess(tok); !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseAccess err = %v, want ErrInvalid", err)
			}
		})
	}

	// The unchanged claims pass, so each case fails for what it changes.
	if _, err := i.ParseAccess(sign(t, jwt.SigningMethodHS256, "at+jwt", valid())); err != nil {
		t.Fatalf("valid claims: %v", err)
	}
	// The typ comparison ignores letter case (RFC 7515 §4.1.9).
	if _, err := i.ParseAccess(sign(t, jwt.SigningMethodHS256, "AT+JWT", valid())); err != nil {
		t.Errorf("typ AT+JWT: %v", err)
	}
}

func TestLeeway(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	clock := &fixedClock{now: start}
	i := newIssuer(t, clock) // leeway 5s, access TTL 1m
	tok, _, _ := i.Access(userID, sessionID, "")

	clock.now = start.Add(time.Minute + 4*time.Second)
	if _, err := i.ParseAccess(tok); err != nil {
		t.Errorf("4s after exp, within the 5s leeway: %v", err)
	}
	clock.now = start.Add(time.Minute + 6*time.Second)
	if _, err := i.ParseAccess(tok); !errors.Is(err, ErrInvalid) {
		t.Errorf("6s after exp, beyond the 5s leeway: err %v, want ErrInvalid", err)
	}
}

func TestTokensAreUnique(t *testing.T) {
	i := newIssuer(t, &fixedClock{now: time.Now()})
	a, _, _ := i.Access(userID, sessionID, "")
	b, _, _ := i.Access(userID, sessionID, "")
	if a == b {
		t.Error("two access tokens issued in the same second are equal; jti must differ")
	}
}

func sign(t *testing.T, method jwt.SigningMethod, typ string, claims jwt.MapClaims) string {
	t.Helper()
	if method == jwt.SigningMethodNone {
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["typ"] = typ
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tok := jwt.NewWithClaims(method, claims)
	delete(tok.Header, "typ")
	if typ != "" {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signKey(t *testing.T, key []byte, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["typ"] = typ
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tamper flips one character of the payload, keeping the signature.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	p := []byte(parts[1])
	if p[5] == 'A' {
		p[5] = 'B'
	} else {
		p[5] = 'A'
	}
	parts[1] = string(p)
	return strings.Join(parts, ".")
}

func decodeHeader(t *testing.T, tok string) map[string]any {
	t.Helper()
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Header
}

// signHeader signs valid claims as an access token with one extra header.
func signHeader(t *testing.T, name string, value any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["typ"] = "at+jwt"
	tok.Header[name] = value
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
