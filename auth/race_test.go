package auth

import (
	"errors"
	"testing"
	"time"
)

// TestLoginDoesNotOutliveAChangeItRaced covers a login that verified the
// password just before the user's row changed: the session must not start
// when the password was changed, the user deactivated or deleted meanwhile.
func TestLoginDoesNotOutliveAChangeItRaced(t *testing.T) {
	changes := map[string]string{
		"password changed": "UPDATE users SET password_hash = 'replaced' WHERE username = $1",
		"deactivated":      "UPDATE users SET is_active = false WHERE username = $1",
		"deleted":          "DELETE FROM users WHERE username = $1",
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			s := newTestService(t, fastParams, Config{})
			mustRegister(t, s, "ursula")
			user, err := s.authenticate(t.Context(), "ursula", testPassword)
			if err != nil {
				t.Fatal(err)
			}

			// The change holds the user's row, uncommitted, while the login
			// tries to start its session: the session must wait for it.
			tx, err := s.pool.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback(t.Context()) }()
			if _, err := tx.Exec(t.Context(), change, "ursula"); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := s.startSession(t.Context(), user, "", Client{})
				done <- err
			}()
			select {
			case err := <-done:
				t.Fatalf("the session started (err %v) while a change of its user was in flight", err)
			case <-time.After(200 * time.Millisecond):
			}
			if err := tx.Commit(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := <-done; !errors.Is(err, ErrInvalidGrant) {
				t.Errorf("login after the change committed: %v, want ErrInvalidGrant", err)
			}
			var n int
			if err := s.pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions").Scan(&n); err != nil || n != 0 {
				t.Errorf("%d sessions exist (err %v), want none", n, err)
			}
		})
	}
}
