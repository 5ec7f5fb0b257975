package auth

import (
	"errors"
	"testing"
	"time"

	"authstarter/password"
)

// TestLoginFailuresSpendTheSameHashingWork checks that a login for an unknown
// user (or a name that cannot exist) hashes as much as one with a wrong
// password, so timing does not tell whether an account exists. Hashing is made
// costly enough to dominate a login, and each case keeps its fastest of several
// runs; the bound is loose so that a busy machine cannot make it flaky, yet a
// login that skips hashing is some thirty times faster and fails it.
func TestLoginFailuresSpendTheSameHashingWork(t *testing.T) {
	costly := password.Params{Memory: 16 * 1024, Iterations: 3, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	s := newTestService(t, costly, Config{})
	mustRegister(t, s, "xena")
	mustRegister(t, s, "yuri")
	if _, err := s.pool.Exec(t.Context(), "UPDATE users SET is_active = false WHERE username = 'yuri'"); err != nil {
		t.Fatal(err)
	}

	fastest := func(username, pw string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			_, err := s.Login(t.Context(), username, pw, "", Client{})
			if elapsed := time.Since(start); elapsed < best {
				best = elapsed
			}
			if !errors.Is(err, ErrInvalidGrant) {
				t.Fatalf("login %q: err %v, want ErrInvalidGrant", username, err)
			}
		}
		return best
	}
	wrongPassword := fastest("xena", "wrong password")
	for name, username := range map[string]string{
		"unknown user":     "nobody",
		"impossible name":  "no body",
		"disabled account": "yuri",
	} {
		if got := fastest(username, testPassword); got < wrongPassword/4 {
			t.Errorf("%s: login took %v, a wrong password %v: it skipped the hashing", name, got, wrongPassword)
		}
	}
}
