package handlers

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestLastSuperuserCannotRemoveThemselves(t *testing.T) {
	a := newTestApp(t)
	root, tok := a.superuser("root")
	path := "/admin/users/" + root.ID

	demotions := []string{`{"is_superuser":false}`, `{"is_active":false}`, `{"is_active":false,"is_superuser":false}`}
	for _, body := range demotions {
		t.Run(body, func(t *testing.T) {
			a.call(http.MethodPatch, path, tok.AccessToken, body).wantError(http.StatusConflict, "last_superuser")
		})
	}
	a.call(http.MethodDelete, path, tok.AccessToken, "").wantError(http.StatusConflict, "last_superuser")
	if n := a.countUsers("is_active AND is_superuser"); n != 1 {
		t.Fatalf("active superusers = %d after refused changes, want 1", n)
	}
	// Changes that keep them a superuser are fine.
	a.call(http.MethodPatch, path, tok.AccessToken, `{"is_superuser":true,"username":"Groot"}`).expect(http.StatusOK)

	// With another active superuser, they may step down.
	a.superuser("heir")
	a.call(http.MethodPatch, path, tok.AccessToken, `{"is_superuser":false}`).expect(http.StatusOK)
	if n := a.countUsers("is_active AND is_superuser"); n != 1 {
		t.Errorf("active superusers = %d, want 1 (heir)", n)
	}
}

// TestConcurrentDemotionsLeaveASuperuser has two administrators demote each
// other at the same moment: the test holds their rows locked until both
// requests wait on them, then lets go.
func TestConcurrentDemotionsLeaveASuperuser(t *testing.T) {
	for _, change := range []string{`{"is_superuser":false}`, `{"is_active":false}`, "DELETE"} {
		t.Run(change, func(t *testing.T) {
			a := newTestApp(t)
			ann, annTok := a.superuser("ann")
			bob, bobTok := a.superuser("bob")

			tx, err := a.pool.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(t.Context(), "SELECT 1 FROM users FOR UPDATE"); err != nil {
				t.Fatal(err)
			}
			var (
				wg    sync.WaitGroup
				codes = make([]int, 2)
			)
			requests := []struct{ target, token string }{{bob.ID, annTok.AccessToken}, {ann.ID, bobTok.AccessToken}}
			for i, req := range requests {
				wg.Go(func() {
					if change == "DELETE" {
						codes[i] = a.call(http.MethodDelete, "/admin/users/"+req.target, req.token, "").Code
					} else {
						codes[i] = a.call(http.MethodPatch, "/admin/users/"+req.target, req.token, change).Code
					}
				})
			}
			a.waitForLockWaiters(2)
			if err := tx.Rollback(t.Context()); err != nil {
				t.Fatal(err)
			}
			wg.Wait()

			slices.Sort(codes)
			success := http.StatusOK
			if change == "DELETE" {
				success = http.StatusNoContent
			}
			if want := []int{success, http.StatusConflict}; !slices.Equal(codes, want) {
				t.Errorf("statuses = %v, want %v", codes, want)
			}
			if n := a.countUsers("is_active AND is_superuser"); n != 1 {
				t.Errorf("active superusers = %d, want 1", n)
			}
		})
	}
}

// waitForLockWaiters waits until n connections of the test's database wait
// for a lock.
func (a *testApp) waitForLockWaiters(n int) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		err := a.pool.QueryRow(a.t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		switch {
		case err != nil:
			a.t.Fatal(err)
		case waiting >= n:
			return
		case time.Now().After(deadline):
			a.t.Fatalf("%d requests wait for a lock after 10s, want %d", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
