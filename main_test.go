package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"authstarter/internal/testdb"
)

// startServer runs `authstarter serve` as main does, on a fresh database and a
// random port, and returns its base URL. The server stops when the test ends.
func startServer(t testing.TB, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	a := &app{
		environ: append([]string{
			"DATABASE_URL=" + testdb.URL(t),
			"LISTEN_ADDR=127.0.0.1:0",
			"AUTH_SECRET_KEY=test-secret-test-secret-test-secret-0123456789",
			"LOG_LEVEL=warn",
		}, env...),
		stdin:     strings.NewReader(""),
		stdout:    io.Discard,
		stderr:    io.Discard,
		listening: func(addr net.Addr) { addrc <- addr },
	}
	errc := make(chan error, 1)
	go func() { errc <- a.run(ctx, []string{"serve"}) }()

	select {
	case addr := <-addrc:
		t.Cleanup(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
		return "http://" + addr.String()
	case err := <-errc:
		cancel()
		t.Fatalf("serve stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not listen within 30s")
	}
	return ""
}

func TestServeServesTheDocs(t *testing.T) {
	base := startServer(t)

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
