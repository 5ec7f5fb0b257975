//go:build browser

// The browser test drives /docs in headless Chromium. It needs the chromium
// program; `make test-browser` installs it with apt-get when it is missing.

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotDir is git-ignored (/tmp/ in .gitignore).
const screenshotDir = "tmp/screenshots"

// TestBrowserDocsAuthorizeAndTrySelf logs in through Swagger UI's Authorize
// dialog with a username and password, then runs "Try it out" on
// GET /auth/self, as a person would at /docs.
func TestBrowserDocsAuthorizeAndTrySelf(t *testing.T) {
	chromium := findChromium(t)
	base := startServer(t).url
	const username, password = "swagger-sam", "correct horse battery staple"
	register(t, base, username, password)

	ctx, cancel := browser(t, chromium)
	defer cancel()
	console := watchConsole(ctx)

	const op = "#operations-auth-getSelf"
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/docs"),
		chromedp.WaitVisible(`.swagger-ui .auth-wrapper .btn.authorize`),
		chromedp.Click(`.swagger-ui .auth-wrapper .btn.authorize`),

		// The Authorize dialog of the oauth2 password flow.
		chromedp.WaitVisible(`#oauth_username`),
		chromedp.SendKeys(`#oauth_username`, username),
		chromedp.SendKeys(`#oauth_password`, password),
		chromedp.Click(`.modal-ux .auth-btn-wrapper .btn.modal-btn.authorize`),
		chromedp.WaitVisible(`.modal-ux button[aria-label="Remove authorization"]`),
	)
	saveScreenshot(t, ctx, "docs-authorized.png")
	if err != nil {
		t.Fatalf("authorize in /docs: %v\nconsole:\n%s", err, console())
	}

	err = chromedp.Do(ctx,
		chromedp.Click(`.modal-ux .btn-done`),
		chromedp.WaitNotPresent(`.modal-ux`),

		chromedp.Click(op+` .opblock-summary-control`),
		chromedp.WaitVisible(op+` .try-out__btn`),
		chromedp.Click(op+` .try-out__btn`),
		chromedp.WaitVisible(op+` .btn.execute`),
		chromedp.Click(op+` .btn.execute`),
		chromedp.WaitVisible(op+` .live-responses-table tbody .response-col_status`),
		chromedp.ScrollIntoView(op),
	)
	saveScreenshot(t, ctx, "docs-get-self.png")
	if err != nil {
		t.Fatalf("drive /docs: %v\nconsole:\n%s", err, console())
	}
	status := text(t, ctx, op+` .live-responses-table tbody .response-col_status`)
	body := text(t, ctx, op+` .live-responses-table .response-col_description pre`)
	curl := text(t, ctx, op+` .curl-command`)

	if strings.TrimSpace(status) != "200" || !strings.Contains(body, `"username": "`+username+`"`) {
		t.Errorf("GET /auth/self in /docs: status %q, body %s; want 200 with username %q",
			status, body, username)
	}
	if !strings.Contains(curl, "Authorization: Bearer ") {
		t.Errorf("Try it out sent no Bearer token: %s", curl)
	}
	if msgs := console(); strings.Contains(msgs, "Content Security Policy") ||
		strings.Contains(msgs, "Refused to") {
		t.Errorf("the page broke its Content-Security-Policy:\n%s", msgs)
	}
}

// TestBrowserDocsRefreshWithRefreshTokenScheme gives a refresh token to the
// refreshToken scheme of the Authorize dialog and runs "Try it out" on
// POST /auth/token/refresh: Swagger UI must send that refresh token, not an
// access token, and get a new pair.
func TestBrowserDocsRefreshWithRefreshTokenScheme(t *testing.T) {
	chromium := findChromium(t)
	base := startServer(t).url
	const username, password = "swagger-rita", "correct horse battery staple"
	register(t, base, username, password)
	refreshToken := loginForRefreshToken(t, base, username, password)

	ctx, cancel := browser(t, chromium)
	defer cancel()
	console := watchConsole(ctx)

	const (
		op = "#operations-auth-refreshByBearer"
		// The dialog's form for the refreshToken scheme (its only text
		// input is the bearer value), found with DOM.querySelector.
		scheme = `.modal-ux .auth-container:has(input[aria-label="auth-bearer-value"])`
	)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/docs"),
		chromedp.WaitVisible(`.swagger-ui .auth-wrapper .btn.authorize`),
		chromedp.Click(`.swagger-ui .auth-wrapper .btn.authorize`),
		chromedp.WaitVisible(chromedp.CSS(scheme+` input`)),
		chromedp.SendKeys(chromedp.CSS(scheme+` input`), refreshToken),
		chromedp.Click(chromedp.CSS(scheme+` .btn.modal-btn.authorize`)),
		// Once authorized, the form has no input; only this scheme is.
		chromedp.WaitVisible(`.modal-ux button[aria-label="Remove authorization"]`),
		chromedp.Click(`.modal-ux .btn-done`),
		chromedp.WaitNotPresent(`.modal-ux`),

		chromedp.Click(op+` .opblock-summary-control`),
		chromedp.WaitVisible(op+` .try-out__btn`),
		chromedp.Click(op+` .try-out__btn`),
		chromedp.WaitVisible(op+` .btn.execute`),
		chromedp.Click(op+` .btn.execute`),
		chromedp.WaitVisible(op+` .live-responses-table tbody .response-col_status`),
		chromedp.ScrollIntoView(op),
	)
	saveScreenshot(t, ctx, "docs-refresh.png")
	if err != nil {
		t.Fatalf("drive /docs: %v\nconsole:\n%s", err, console())
	}
	status := text(t, ctx, op+` .live-responses-table tbody .response-col_status`)
	body := text(t, ctx, op+` .live-responses-table .response-col_description pre`)
	curl := text(t, ctx, op+` .curl-command`)

	if strings.TrimSpace(status) != "200" || !strings.Contains(body, `"refresh_token": "`) {
		t.Errorf("POST /auth/token/refresh in /docs: status %q, body %s; want 200 with a new pair", status, body)
	}
	if !strings.Contains(curl, "Authorization: Bearer "+refreshToken) {
		t.Errorf("Try it out did not send the refresh token as Bearer: %s", curl)
	}
}

// loginForRefreshToken runs the password grant and returns the refresh token.
func loginForRefreshToken(t *testing.T, base, username, password string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/auth/token", url.Values{
		"grant_type": {"password"}, "username": {username}, "password": {password},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK ||
		tok.RefreshToken == "" {
		t.Fatalf("login: status %d, %v", resp.StatusCode, err)
	}
	return tok.RefreshToken
}

// findChromium returns the path of the browser, or skips the test saying how
// to install it.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium found: install it (Debian/Ubuntu: apt-get install chromium; " +
		"make test-browser does so when run as root) or set CHROMIUM to its path")
	return ""
}

// browser starts headless Chromium with the network features that call home
// turned off (the test network is closed), and returns a tab's context.
func browser(t *testing.T, chromium string) (context.Context, context.CancelFunc) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 1600),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox on.
		opts = append(opts, chromedp.NoSandbox)
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx)
	return ctx, func() { cancelTab(); cancelAlloc(); cancelTimeout() }
}

// watchConsole collects the page's console messages, exceptions and browser
// log entries; the returned function reports them, one a line.
func watchConsole(ctx context.Context) func() string {
	var (
		mu   sync.Mutex
		msgs []string
	)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m.String())
			mu.Unlock()
		}
	}()
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(msgs, "\n")
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	path := filepath.Join(screenshotDir, name)
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
