package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"authstarter/internal/bench"
)

func TestParseFlags(t *testing.T) {
	t.Setenv("BENCH_DATABASE_URL", "")
	t.Setenv("TEST_DATABASE_URL", "postgres://u:p@127.0.0.1:1/db")

	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.dbURL != "postgres://u:p@127.0.0.1:1/db" || o.concurrency != 32 || o.duration != 10*time.Second ||
		o.floodConc != 256 || o.floodDuration != 20*time.Second || len(o.scenarios) != len(allScenarios) {
		t.Errorf("defaults = %+v", o)
	}

	o, err = parseFlags([]string{"-quick", "-scenarios", "login, self", "-c", "8"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.duration != 3*time.Second || o.warmup != time.Second || o.floodDuration != 4*time.Second || o.concurrency != 8 {
		t.Errorf("quick = %+v, want 1s + 3s a scenario, flood 4s, concurrency 8", o)
	}
	if !o.scenarios["login"] || !o.scenarios["self"] || o.scenarios["refresh"] {
		t.Errorf("scenarios = %v, want login and self", o.scenarios)
	}

	t.Setenv("BENCH_DATABASE_URL", "postgres://bench")
	if o, _ := parseFlags(nil, io.Discard); o.dbURL != "postgres://bench" {
		t.Errorf("dbURL = %q, want BENCH_DATABASE_URL to win", o.dbURL)
	}
}

func TestParseFlagsRefuses(t *testing.T) {
	t.Setenv("BENCH_DATABASE_URL", "postgres://bench")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown scenario", []string{"-scenarios", "login,logout"}, `unknown scenario "logout"`},
		{"a stray argument", []string{"now"}, "unexpected arguments: now"},
		{"no workers", []string{"-c", "0"}, "at least 1"},
		{"an unknown flag", []string{"-fast"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseFlags(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
	t.Setenv("BENCH_DATABASE_URL", "")
	t.Setenv("TEST_DATABASE_URL", "")
	if _, err := parseFlags(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("parseFlags without a database = %v, want an error", err)
	}
}

func TestMergeEnv(t *testing.T) {
	got := mergeEnv([]string{"PATH=/bin", "LISTEN_ADDR=:8080", "AUTH_FIRST_SUPERUSER=root", "X=1=2"},
		map[string]string{"LISTEN_ADDR": "127.0.0.1:0", "AUTH_FIRST_SUPERUSER": "", "NEW": "v"})
	slices.Sort(got)
	want := []string{"LISTEN_ADDR=127.0.0.1:0", "NEW=v", "PATH=/bin", "X=1=2"}
	if !slices.Equal(got, want) {
		t.Errorf("mergeEnv = %q, want %q", got, want)
	}
}

func TestServingAddr(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "server.log")
	if got := servingAddr(log); got != "" {
		t.Errorf("servingAddr of a missing file = %q, want empty", got)
	}
	lines := `{"level":"INFO","msg":"migrating"}` + "\nnot json\n" +
		`{"level":"INFO","msg":"serving","addr":"http://127.0.0.1:41234"}` + "\n"
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := servingAddr(log); got != "http://127.0.0.1:41234" {
		t.Errorf("servingAddr = %q, want http://127.0.0.1:41234", got)
	}
	if got := tail(log); !strings.HasSuffix(got, `"addr":"http://127.0.0.1:41234"}`) {
		t.Errorf("tail = %q", got)
	}
}

func TestRedact(t *testing.T) {
	if got := redact("postgres://authstarter:secret@127.0.0.1:5432/db"); strings.Contains(got, "secret") {
		t.Errorf("redact kept the password: %q", got)
	}
	if got := redact("postgres://%zz"); got != "the database" {
		t.Errorf("redact of a bad URL = %q", got)
	}
}

func TestBareEcho(t *testing.T) {
	srv := httptest.NewServer(newBareEcho())
	defer srv.Close()
	client := newClient(2)
	op := getOpAt(client, srv.URL+"/bare", []tokenPair{{AccessToken: "a"}})
	if err := op(context.Background(), 0); err != nil {
		t.Errorf("GET /bare: %v", err)
	}
	missing := getOpAt(client, srv.URL+"/nothing", []tokenPair{{AccessToken: "a"}})
	var se *bench.StatusError
	if err := missing(context.Background(), 0); !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Errorf("GET /nothing = %v, want a 404 status error", err)
	}
}

func TestSendDecodesAndReportsStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, strings.Repeat("x", 500), http.StatusUnsupportedMediaType)
			return
		}
		fmt.Fprint(w, `{"access_token":"A","refresh_token":"R"}`)
	}))
	defer srv.Close()
	h := &harness{srv: &process{addr: srv.URL}}
	client := newClient(1)

	var pair tokenPair
	err := h.post(context.Background(), client, "/auth/token", "application/x-www-form-urlencoded", nil, 200, &pair)
	if err != nil || pair != (tokenPair{AccessToken: "A", RefreshToken: "R"}) {
		t.Errorf("post = %+v, %v", pair, err)
	}
	var se *bench.StatusError
	err = h.post(context.Background(), client, "/auth/token", "application/json", nil, 200, nil)
	if !errors.As(err, &se) || se.Code != http.StatusUnsupportedMediaType || len(se.Body) != 200 {
		t.Errorf("post with the wrong type = %v, want a 415 status error with 200 bytes of body", err)
	}
	missing, err := h.routeMissing(context.Background(), client, "/auth/token/validate", "A")
	if err != nil || missing != "" {
		t.Errorf("routeMissing of a route that answers = %q, %v", missing, err)
	}
}

func TestRouteMissing(t *testing.T) {
	srv := httptest.NewServer(newBareEcho())
	defer srv.Close()
	h := &harness{srv: &process{addr: srv.URL}}
	got, err := h.routeMissing(context.Background(), newClient(1), "/auth/token/validate", "tok")
	if err != nil || got != "route missing (404)" {
		t.Errorf("routeMissing = %q, %v; want route missing (404)", got, err)
	}
}

func TestPrepareDatabase(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	name := fmt.Sprintf("bench_test_%d", time.Now().UnixNano())
	for range 2 { // the second time drops what the first created
		dbURL, version, err := prepareDatabase(ctx, base, name)
		if err != nil {
			t.Fatal(err)
		}
		if version == "" || !strings.Contains(dbURL, "/"+name) {
			t.Errorf("prepareDatabase = %q, %q", redact(dbURL), version)
		}
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Error(err)
	}
	if _, _, err := prepareDatabase(ctx, "postgres://nobody@127.0.0.1:1/x?connect_timeout=1", name); err == nil {
		t.Error("prepareDatabase succeeded without a server")
	}
}

func TestPostgresPID(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "postmaster.pid")
	if err := os.WriteFile(pidFile, []byte("4242\n/data\n1\n54334\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want int
	}{
		{"postgres://u:p@127.0.0.1:54334/db", 4242},
		{"postgres://u:p@localhost:54334/db", 4242},
		{"postgres://u:p@127.0.0.1:5432/db", 0},
		{"postgres://u:p@127.0.0.1/db", 0},
		{"postgres://u:p@db.example:54334/db", 0},
	}
	for _, tt := range tests {
		if got := postgresPID(pidFile, tt.url); got != tt.want {
			t.Errorf("postgresPID(%s) = %d, want %d", tt.url, got, tt.want)
		}
	}
	if got := postgresPID(filepath.Join(t.TempDir(), "none"), tests[0].url); got != 0 {
		t.Errorf("postgresPID without a pid file = %d, want 0", got)
	}
}
