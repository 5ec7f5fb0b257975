package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"authstarter/internal/testdb"
)

const testSecret = "main-test-secret-main-test-secret-0123456789"

// server is the real binary's serve command running in-process on a random port.
type server struct {
	url    string
	dbURL  string
	stderr *syncBuffer
	done   chan error
	cancel context.CancelFunc
}

// startServer runs `serve` exactly as main does, with extra settings as
// KEY=VALUE pairs, on a fresh database and a random port.
func startServer(t *testing.T, settings ...string) *server {
	t.Helper()
	dbURL := testdb.URL(t)
	environ := append([]string{
		"DATABASE_URL=" + dbURL,
		"LISTEN_ADDR=127.0.0.1:0",
		"AUTH_SECRET_KEY=" + testSecret,
	}, settings...)
	addrc := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{dbURL: dbURL, stderr: &syncBuffer{}, done: make(chan error, 1), cancel: cancel}
	a := &app{environ: environ, stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: s.stderr,
		listening: func(addr net.Addr) { addrc <- addr }}
	go func() { s.done <- a.run(ctx, []string{"serve"}) }()

	select {
	case addr := <-addrc:
		s.url = "http://" + addr.String()
	case err := <-s.done:
		t.Fatalf("serve exited before listening: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30s\n%s", s.stderr)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down as SIGTERM would and checks it exits cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	if err := <-s.done; err != nil {
		t.Errorf("serve returned %v after shutdown", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func register(t *testing.T, base, username, password string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(base+"/auth/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: status %d", resp.StatusCode)
	}
}

type selfBody struct {
	Username string `json:"username"`
}

func getSelf(t *testing.T, client *http.Client, base string) (int, selfBody) {
	t.Helper()
	resp, err := client.Get(base + "/auth/self")
	if err != nil {
		t.Fatalf("GET /auth/self: %v", err)
	}
	defer resp.Body.Close()
	var u selfBody
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, u
}

// TestOAuth2ClientLogsInRefreshesAndCallsSelf drives the real server with
// golang.org/x/oauth2: password credentials login, an automatic refresh once
// the access token expired, then GET /auth/self.
func TestOAuth2ClientLogsInRefreshesAndCallsSelf(t *testing.T) {
	s := startServer(t, "AUTH_ACCESS_TOKEN_TTL=1s", "AUTH_CLOCK_LEEWAY=0s")
	register(t, s.url, "oscar", "a long enough passphrase")

	conf := &oauth2.Config{
		ClientID: "authstarter-test",
		Endpoint: oauth2.Endpoint{TokenURL: s.url + "/auth/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	ctx := t.Context()
	first, err := conf.PasswordCredentialsToken(ctx, "Oscar", "a long enough passphrase")
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	if first.RefreshToken == "" || first.TokenType != "Bearer" || first.Expiry.IsZero() {
		t.Fatalf("token = %+v, want a Bearer token with expiry and refresh token", first)
	}

	// Once the access token has expired, the server refuses it...
	time.Sleep(time.Until(first.Expiry) + 1100*time.Millisecond)
	stale := oauth2.NewClient(ctx, oauth2.StaticTokenSource(first))
	if code, _ := getSelf(t, stale, s.url); code != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d, want 401", code)
	}

	// ...and the client library refreshes it by itself before calling.
	src := conf.TokenSource(ctx, first)
	code, u := getSelf(t, oauth2.NewClient(ctx, src), s.url)
	if code != http.StatusOK || u.Username != "oscar" {
		t.Fatalf("self after refresh: status %d, user %+v; want 200 oscar", code, u)
	}
	second, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
		t.Error("the client did not get a new access and refresh token")
	}

	// The spent refresh token no longer works.
	spent := &oauth2.Token{RefreshToken: first.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	if _, err := conf.TokenSource(ctx, spent).Token(); err == nil {
		t.Error("refresh with a spent refresh token succeeded")
	} else {
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Errorf("spent refresh token: %v, want invalid_grant", err)
		}
	}
}

func TestServerKeepsServingAfterBadInput(t *testing.T) {
	s := startServer(t)
	for _, body := range []string{`{`, `null`, strings.Repeat("[", 10000), "\x00\xff"} {
		resp, err := http.Post(s.url+"/auth/register", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("body %.20q: status %d, want 4xx", body, resp.StatusCode)
		}
	}
	resp, err := http.Get(s.url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz after bad input: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	s := startServer(t)
	register(t, s.url, "paula", "a long enough passphrase")

	// A login takes a password hash's time; shut down while it runs.
	result := make(chan int, 1)
	go func() {
		resp, err := http.Post(s.url+"/auth/token", "application/x-www-form-urlencoded",
			strings.NewReader("grant_type=password&username=paula&password=a+long+enough+passphrase"))
		if err != nil {
			result <- 0
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	time.Sleep(20 * time.Millisecond)
	s.stop(t)
	if code := <-result; code != http.StatusOK {
		t.Errorf("in-flight login during shutdown: status %d, want 200", code)
	}
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", s.stderr)
	}
}

func TestMigrateCommands(t *testing.T) {
	url := testdb.URL(t)
	run := func(args ...string) (string, error) {
		var out syncBuffer
		a := &app{environ: []string{"DATABASE_URL=" + url, "AUTH_SECRET_KEY=" + testSecret},
			stdin: strings.NewReader(""), stdout: &out, stderr: &out}
		err := a.run(t.Context(), args)
		return out.String(), err
	}
	out, err := run("migrate", "version")
	if err != nil || !strings.Contains(out, "schema version: ") || strings.Contains(out, "none") {
		t.Fatalf("migrate version on a migrated database: %q, %v", out, err)
	}
	latest := out
	if out, err = run("migrate", "down", "1"); err != nil || out == latest {
		t.Fatalf("migrate down 1: %q, %v (before: %q)", out, err, latest)
	}
	if out, err = run("migrate", "up"); err != nil || out != latest {
		t.Fatalf("migrate up: %q, %v; want %q", out, err, latest)
	}
	// More steps than are applied: refused, and nothing reverted.
	if out, err = run("migrate", "down", "99"); err == nil || !strings.Contains(err.Error(), "nothing was reverted") {
		t.Fatalf("migrate down 99: %q, %v; want a refusal", out, err)
	}
	if out, err = run("migrate", "version"); err != nil || out != latest {
		t.Fatalf("version after a refused down: %q, %v; want %q", out, err, latest)
	}

	// A migration that failed half-way leaves the schema dirty; version says so.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "UPDATE schema_migrations SET dirty = true"); err != nil {
		t.Fatal(err)
	}
	if out, err = run("migrate", "version"); err != nil || !strings.Contains(out, "dirty") {
		t.Errorf("migrate version on a dirty schema: %q, %v; want it to say dirty", out, err)
	}
	if _, err := conn.Exec(t.Context(), "UPDATE schema_migrations SET dirty = false"); err != nil {
		t.Fatal(err)
	}

	for _, bad := range [][]string{{"migrate"}, {"migrate", "sideways"}, {"migrate", "down"}, {"migrate", "down", "zero"},
		{"frobnicate"}, {"serve", "extra"}} {
		if _, err := run(bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestCommandsNameAnUnreachableDatabase(t *testing.T) {
	for _, args := range [][]string{{"migrate", "version"}, {"createsuperuser", "-username", "root", "-password", "x"}} {
		a := &app{environ: []string{"DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=2",
			"AUTH_SECRET_KEY=" + testSecret}, stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
		if err := a.run(t.Context(), args); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("%v: error %v, want it to name DATABASE_URL", args, err)
		}
	}
}

func TestConfigurationErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		environ []string
		want    string
	}{
		{[]string{"AUTH_SECRET_KEY=" + testSecret}, "DATABASE_URL"},
		{[]string{"DATABASE_URL=postgres://x@127.0.0.1:1/x"}, "AUTH_SECRET_KEY"},
		{[]string{"DATABASE_URL=postgres://x@127.0.0.1:1/x", "AUTH_SECRET_KEY=short"}, "AUTH_SECRET_KEY must be at least 32 bytes"},
		{[]string{"DATABASE_URL=postgres://x@127.0.0.1:1/x", "AUTH_SECRET_KEY=" + testSecret, "AUTH_ACCESS_TOKEN_TTL=soon"}, "AUTH_ACCESS_TOKEN_TTL"},
	}
	for _, tt := range tests {
		a := &app{environ: tt.environ, stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
		err := a.run(t.Context(), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("environ %v: error %v, want it to mention %q", tt.environ, err, tt.want)
		}
	}
}

func TestHelpPrintsUsage(t *testing.T) {
	var out syncBuffer
	a := &app{stdout: &out, stderr: &out}
	if err := a.run(t.Context(), []string{"help"}); err != nil || !strings.Contains(out.String(), "createsuperuser") {
		t.Errorf("help: %v, %q", err, out.String())
	}
}

func TestServeServesTheDocs(t *testing.T) {
	base := startServer(t).url

	res, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		OpenAPI    string `json:"openapi"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d, %v", res.StatusCode, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Components.Schemas["User"] == nil {
		t.Errorf("document is OpenAPI %q with schemas %v; want 3.1 with User", doc.OpenAPI,
			len(doc.Components.Schemas))
	}

	res, err = http.Get(base + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "swagger-ui-bundle.js") {
		t.Errorf("GET /docs: %d %.200s", res.StatusCode, page)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("GET /docs: Content-Security-Policy = %q", csp)
	}
}

func TestServeFailsWithAClearMessage(t *testing.T) {
	dbURL := testdb.URL(t)
	tests := []struct {
		environ []string
		want    string
	}{
		{[]string{"DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, "DATABASE_URL"},
		{[]string{"DATABASE_URL=" + dbURL, "LISTEN_ADDR=127.0.0.1:99999"}, "LISTEN_ADDR"},
		{[]string{"DATABASE_URL=" + dbURL, "TRUSTED_PROXIES=10.0.0.0/8,not-a-cidr"}, "TRUSTED_PROXIES"},
		{[]string{"DATABASE_URL=postgres://x@127.0.0.1:1/x?sslmode=sometimes", "MIGRATE_ON_START=false"}, "DATABASE_URL"},
		{[]string{"DATABASE_URL=" + dbURL, "AUTH_FIRST_SUPERUSER=root", "AUTH_FIRST_SUPERUSER_PASSWORD=short"},
			"AUTH_FIRST_SUPERUSER"},
	}
	for _, tt := range tests {
		a := &app{environ: append(tt.environ, "AUTH_SECRET_KEY="+testSecret),
			stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
		err := a.run(t.Context(), []string{"serve"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("environ %v: error %v, want it to mention %q", tt.environ, err, tt.want)
		}
	}
}

func TestServeBehindTrustedProxies(t *testing.T) {
	s := startServer(t, "TRUSTED_PROXIES=127.0.0.0/8, ::1/128", "MIGRATE_ON_START=true")
	resp, err := http.Get(s.url + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz behind trusted proxies: %v %v", resp, err)
	}
	resp.Body.Close()
}
