package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"authstarter/internal/testdb"
)

// e2eServer is the real binary's serve command on a random port.
type e2eServer struct {
	base string
	pool *pgxpool.Pool
}

// startE2EServer runs `authstarter serve` as main does, with extra settings,
// and stops it when the test ends.
func startE2EServer(t *testing.T, settings ...string) *e2eServer {
	t.Helper()
	dbURL := testdb.URL(t)
	addr := make(chan net.Addr, 1)
	a := &app{
		environ: append([]string{
			"DATABASE_URL=" + dbURL,
			"AUTH_SECRET_KEY=" + strings.Repeat("s", 48),
			"LISTEN_ADDR=127.0.0.1:0",
			"LOG_LEVEL=error",
		}, settings...),
		stdin:     strings.NewReader(""),
		stdout:    io.Discard,
		stderr:    io.Discard,
		listening: func(a net.Addr) { addr <- a },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, []string{"serve"}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	})

	var s e2eServer
	select {
	case got := <-addr:
		s.base = "http://" + got.String()
	case err := <-done:
		t.Fatalf("serve stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen within 30s")
	}
	pool, err := pgxpool.New(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s.pool = pool
	return &s
}

// send makes one request and returns the status and body.
func (s *e2eServer) send(t *testing.T, method, path, contentType, body, bearer string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type e2eTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func TestServeSessionLifecycle(t *testing.T) {
	s := startE2EServer(t, "AUTH_SESSION_CLEANUP_INTERVAL=50ms", "AUTH_SESSION_RETENTION=0s")
	const form = "application/x-www-form-urlencoded"
	pw := "correct horse battery staple"

	if code, body := s.send(t, "POST", "/auth/register", "application/json",
		`{"username":"zoe","password":"`+pw+`"}`, ""); code != http.StatusCreated {
		t.Fatalf("register: %d %s", code, body)
	}
	code, body := s.send(t, "POST", "/auth/token", form,
		url.Values{"grant_type": {"password"}, "username": {"zoe"}, "password": {pw}}.Encode(), "")
	var tok e2eTokens
	if err := json.Unmarshal(body, &tok); code != http.StatusOK || err != nil {
		t.Fatalf("login: %d %s", code, body)
	}

	// Twenty refreshes of one token race through the real server: one wins.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []e2eTokens
		others  []int
	)
	for range 20 {
		wg.Go(func() {
			code, body := s.send(t, "POST", "/auth/token/refresh", "", "", tok.RefreshToken)
			mu.Lock()
			defer mu.Unlock()
			var w e2eTokens
			if code == http.StatusOK && json.Unmarshal(body, &w) == nil {
				winners = append(winners, w)
			} else {
				others = append(others, code)
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d winners (other statuses %v), want exactly 1", len(winners), others)
	}
	for _, c := range others {
		if c != http.StatusBadRequest {
			t.Errorf("a losing refresh got %d, want 400", c)
		}
	}
	if code, body := s.send(t, "GET", "/auth/token/validate", "", "", winners[0].AccessToken); code != http.StatusOK {
		t.Fatalf("validate the winner's token: %d %s", code, body)
	}

	// Logout, then the janitor deletes the ended session (retention 0).
	if code, body := s.send(t, "POST", "/auth/token/logout", form,
		"refresh_token="+winners[0].RefreshToken, ""); code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", code, body)
	}
	if code, _ := s.send(t, "GET", "/auth/self", "", "", winners[0].AccessToken); code != http.StatusUnauthorized {
		t.Errorf("self after logout: %d, want 401", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := s.pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions left 10s after logout; the janitor should have deleted them", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
