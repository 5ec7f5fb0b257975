package auth

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestJanitorPurgesExpiredLoginFailures(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	_, err := s.pool.Exec(t.Context(), `INSERT INTO login_failures (username_hash, failures, expires_at)
		VALUES ('\x01', 5, now() - interval '1 second'), ('\x02', 5, now() + interval '1 hour')`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		s.RunJanitor(ctx, 10*time.Millisecond, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var keys [][]byte
		rows, err := s.pool.Query(t.Context(), "SELECT username_hash FROM login_failures")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k []byte
			_ = rows.Scan(&k)
			keys = append(keys, k)
		}
		if len(keys) == 1 && bytes.Equal(keys[0], []byte{2}) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("login_failures keys %x after 5s, want only the live 02", keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestThrottleKeyIsTheCanonicalName(t *testing.T) {
	same := [][2]string{{"Alice", "alice"}, {" ＡＬＩＣＥ ", "alice"}, {"no body", "NO BODY"}}
	for _, p := range same {
		if !bytes.Equal(throttleKey(p[0]), throttleKey(p[1])) {
			t.Errorf("throttleKey(%q) != throttleKey(%q)", p[0], p[1])
		}
	}
	if bytes.Equal(throttleKey("alice"), throttleKey("alicia")) {
		t.Error("different names share a key")
	}
}
