package auth

import (
	"testing"
	"time"

	"authstarter/internal/testdb"
	"authstarter/password"
	"authstarter/token"
)

// fastParams keep hashing cheap where a test does not measure it.
var fastParams = password.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

const testPassword = "correct horse battery staple"

// newTestService returns a Service on a fresh database.
func newTestService(t testing.TB, params password.Params, cfg Config) *Service {
	t.Helper()
	issuer, err := token.NewIssuer(token.Config{
		Secret:    []byte("test-secret-test-secret-test-secret-0123456789"),
		Issuer:    "test-issuer",
		Audience:  "test-api",
		AccessTTL: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = time.Hour
	}
	cfg.OpenRegistration = true
	cfg.Policy = password.Policy{MinLength: 8}
	return New(testdb.New(t), password.NewHasher(params, 1), issuer, cfg)
}

// mustRegister creates a user with testPassword.
func mustRegister(t testing.TB, s *Service, username string) {
	t.Helper()
	if _, err := s.Register(t.Context(), Profile{Username: Of(username)}, testPassword); err != nil {
		t.Fatalf("register %q: %v", username, err)
	}
}
