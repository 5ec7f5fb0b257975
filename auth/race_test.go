package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"authstarter/db/sqlc"
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

// bcryptUser creates a user whose password hash, testPassword's, is in the
// bcrypt format imported from elsewhere, and returns it as stored.
func bcryptUser(t *testing.T, s *Service, username string) sqlc.User {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	user, err := s.q.CreateUser(t.Context(), sqlc.CreateUserParams{
		Username: username, PasswordHash: string(hash), IsActive: true})
	if err != nil {
		t.Fatal(err)
	}
	return user
}

func TestHashUpgradeRacingAnother(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	stale := bcryptUser(t, s, "vera")

	// Two logins read the bcrypt hash; the first upgrades it.
	first, err := s.upgradeHash(t.Context(), stale, testPassword)
	if err != nil || !strings.HasPrefix(first.PasswordHash, "$argon2id$") {
		t.Fatalf("first upgrade: %v, hash %q", err, first.PasswordHash)
	}
	second, err := s.upgradeHash(t.Context(), stale, testPassword)
	if err != nil || second.PasswordHash != first.PasswordHash {
		t.Fatalf("second upgrade of the same password: %v, hash %q; want the first's %q",
			err, second.PasswordHash, first.PasswordHash)
	}
	if _, err := s.startSession(t.Context(), second, "", Client{}); err != nil {
		t.Errorf("session after a lost upgrade race: %v", err)
	}

	// A real password change in between is not mistaken for an upgrade.
	other := bcryptUser(t, s, "wanda")
	if _, err := s.pool.Exec(t.Context(), "UPDATE users SET password_hash = $1 WHERE id = $2",
		first.PasswordHash, other.ID); err != nil { // vera's hash: another password's, for wanda
		t.Fatal(err)
	}
	if _, err := s.upgradeHash(t.Context(), other, "not the password"); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("upgrade after a password change: %v, want ErrInvalidGrant", err)
	}
}

func TestPasswordChangeAfterAHashUpgrade(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	stale := bcryptUser(t, s, "xia")
	pair, err := s.Login(t.Context(), "xia", testPassword, "", Client{}) // upgrades the hash
	if err != nil {
		t.Fatal(err)
	}
	claims, err := s.tokens.ParseAccess(pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	// The change read the bcrypt hash before the login upgraded it.
	hash, err := s.newPasswordHash(t.Context(), "a brand new passphrase", "xia")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.replacePassword(t.Context(), claims, stale, testPassword, hash); err != nil {
		t.Fatalf("password change that raced a hash upgrade: %v, want success", err)
	}
	if _, err := s.Login(t.Context(), "xia", "a brand new passphrase", "", Client{}); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
}
