package auth

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestDeleteEndedSessions(t *testing.T) {
	s := newTestService(t, fastParams, Config{IdleTimeout: time.Hour})
	mustRegister(t, s, "uma")
	ctx := t.Context()
	// Each session is named by its user agent; its times are relative to now.
	sessions := []struct {
		name, expires, revoked, lastUsed string
		kept                             bool
	}{
		{"live", "1 day", "", "0", true},
		{"expired within retention", "-1 hour", "", "-2 hours", true},
		{"expired before retention", "-8 days", "", "-9 days", false},
		{"revoked within retention", "1 day", "-1 hour", "0", true},
		{"revoked before retention", "1 day", "-8 days", "0", false},
		{"idle within retention", "30 days", "", "-2 days", true},
		{"idle before retention", "30 days", "", "-9 days", false},
	}
	for _, ss := range sessions {
		revoked := "NULL"
		if ss.revoked != "" {
			revoked = "now() + interval '" + ss.revoked + "'"
		}
		_, err := s.pool.Exec(ctx, `INSERT INTO sessions
			(user_id, refresh_token_hash, user_agent, expires_at, revoked_at, last_used_at)
			SELECT id, '\x00', $1, now() + $2::interval, `+revoked+`, now() + $3::interval FROM users`,
			ss.name, ss.expires, ss.lastUsed)
		if err != nil {
			t.Fatal(err)
		}
	}

	n, err := s.DeleteEndedSessions(ctx, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	var want []string
	for _, ss := range sessions {
		if ss.kept {
			want = append(want, ss.name)
		}
	}
	rows, _ := s.pool.Query(ctx, "SELECT user_agent FROM sessions")
	var got []string
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		got = append(got, name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || n != int64(len(sessions)-len(want)) {
		t.Errorf("kept %q (deleted %d), want %q", got, n, want)
	}
}

func TestIdleSessionsAreKeptWithoutIdleTimeout(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	mustRegister(t, s, "val")
	_, err := s.pool.Exec(t.Context(), `INSERT INTO sessions (user_id, refresh_token_hash, expires_at, last_used_at)
		SELECT id, '\x00', now() + interval '30 days', now() - interval '60 days' FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteEndedSessions(t.Context(), time.Hour); n != 0 || err != nil {
		t.Errorf("deleted %d (err %v), want 0: with no idle timeout, an unused session has not ended", n, err)
	}
}

func TestRunJanitorDeletesPeriodically(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	mustRegister(t, s, "wes")
	_, err := s.pool.Exec(t.Context(), `INSERT INTO sessions (user_id, refresh_token_hash, expires_at)
		SELECT id, '\x00', now() - interval '1 day' FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		s.RunJanitor(ctx, 10*time.Millisecond, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		_ = s.pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions").Scan(&n)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the janitor did not delete the expired session within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
}
