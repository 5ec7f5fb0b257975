package handlers

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"authstarter/auth"
	"authstarter/password"
)

// lockAfter makes the app lock a username after n failed logins for lockout.
func lockAfter(n int, lockout time.Duration) appOption {
	return func(c *authConfig, _ *tokenConfig) {
		c.LoginMaxFailures = n
		c.LoginLockout = lockout
	}
}

// wantThrottled fails unless the response is a 429 in the error shape with a
// Retry-After of 1 to max seconds.
func (r response) wantThrottled(max int) {
	r.t.Helper()
	r.wantError(http.StatusTooManyRequests, "too_many_requests")
	if s, err := strconv.Atoi(r.Header().Get("Retry-After")); err != nil || s < 1 || s > max {
		r.t.Errorf("Retry-After = %q, want 1 to %d seconds", r.Header().Get("Retry-After"), max)
	}
}

func TestFailedLoginsLockTheAccount(t *testing.T) {
	a := newTestApp(t, lockAfter(3, time.Minute))
	a.register("olga", goodPassword)
	a.register("pete", goodPassword)

	// An existing username, an unknown one and one that cannot exist go
	// through the same steps, with the same answers.
	var bodies [3][]string
	for i, name := range []string{"olga", "nobody", "no body"} {
		for range 3 {
			r := a.postForm("/auth/token", loginForm(name, "wrong password"))
			r.wantError(http.StatusBadRequest, "invalid_grant")
			bodies[i] = append(bodies[i], r.Body.String())
		}
		for _, pw := range []string{goodPassword, "wrong password"} {
			r := a.postForm("/auth/token", loginForm(strings.ToUpper(name), pw))
			r.wantThrottled(60)
			if r.Header().Get("Cache-Control") != "no-store" {
				t.Error("429 from the token endpoint lacks Cache-Control: no-store")
			}
			bodies[i] = append(bodies[i], r.Body.String())
		}
	}
	for _, b := range bodies[1:] {
		if !slices.Equal(bodies[0], b) {
			t.Errorf("known and unknown usernames answer differently:\n%v\n%v", bodies[0], b)
		}
	}

	// Other accounts are not affected; the lock ends when its time is up.
	a.login("pete", goodPassword)
	if _, err := a.pool.Exec(t.Context(), "UPDATE login_failures SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	a.login("olga", goodPassword)
}

func TestSuccessfulLoginResetsTheFailureCount(t *testing.T) {
	a := newTestApp(t, lockAfter(3, time.Minute))
	a.register("quinn", goodPassword)
	for round := range 3 {
		for range 2 {
			a.postForm("/auth/token", loginForm("quinn", "wrong password")).wantError(http.StatusBadRequest, "invalid_grant")
		}
		if r := a.postForm("/auth/token", loginForm("quinn", goodPassword)); r.Code != http.StatusOK {
			t.Fatalf("round %d: login after 2 failures: status %d, body %s", round, r.Code, r.Body)
		}
	}
}

// TestConcurrentGuessesNeverExceedTheLimit sends many wrong passwords at once:
// each attempt is counted before its password is checked, in one statement,
// so no more than the limit are ever checked.
func TestConcurrentGuessesNeverExceedTheLimit(t *testing.T) {
	a := newTestApp(t, lockAfter(3, time.Minute))
	a.register("rita", goodPassword)
	codes := make([]int, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = a.postForm("/auth/token", loginForm("rita", "wrong password")).Code })
	}
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[http.StatusBadRequest] != 3 || count[http.StatusTooManyRequests] != 17 {
		t.Errorf("statuses %v, want 3 × 400 and 17 × 429", count)
	}
}

// TestLockHoldsAcrossReplicas runs a second application, as another replica
// would, on the same database.
func TestLockHoldsAcrossReplicas(t *testing.T) {
	a := newTestApp(t, lockAfter(2, time.Minute))
	a.register("sven", goodPassword)
	other := *a
	other.e = New(Options{Service: auth.New(a.pool, password.NewHasher(fastParams, 1), a.svc.Tokens(), auth.Config{
		RefreshTTL: time.Hour, LoginMaxFailures: 2, LoginLockout: time.Minute,
	}), Pool: a.pool, Logger: slog.New(slog.DiscardHandler)})

	for range 2 {
		a.postForm("/auth/token", loginForm("sven", "wrong password")).wantError(http.StatusBadRequest, "invalid_grant")
	}
	// Locked on one replica, locked on the other.
	other.postForm("/auth/token", loginForm("sven", goodPassword)).wantThrottled(60)
}

// client sends a login from the given connection address, with extra headers.
func (a *testApp) client(remoteAddr string, headers ...string) response {
	a.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/auth/token",
		strings.NewReader(loginForm("tess", "wrong password").Encode()))
	req.RemoteAddr = remoteAddr
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return response{ResponseRecorder: rec, t: a.t}
}

// limitIPs rebuilds the app's Echo with a per-address limit of burst
// requests, refilled very slowly.
func (a *testApp) limitIPs(burst int, trusted ...string) {
	a.t.Helper()
	var nets []*net.IPNet
	for _, cidr := range trusted {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			a.t.Fatal(err)
		}
		nets = append(nets, n)
	}
	a.e = New(Options{Service: a.svc, Pool: a.pool, Logger: slog.New(slog.DiscardHandler),
		IPRate: 0.01, IPBurst: burst, TrustedProxies: nets})
}

func TestBurstsFromOneAddressAreRefused(t *testing.T) {
	a := newTestApp(t)
	a.limitIPs(3)
	for i := range 3 {
		// Each request from its own claimed address: the header is not
		// believed without TRUSTED_PROXIES.
		r := a.client("192.0.2.1:1234", "X-Forwarded-For", "198.51.100."+strconv.Itoa(i))
		r.wantError(http.StatusBadRequest, "invalid_grant")
	}
	a.client("192.0.2.1:5678", "X-Forwarded-For", "198.51.100.99").wantThrottled(300)
	// Registration draws on the same bucket.
	r := a.do(http.MethodPost, "/auth/register", strings.NewReader(`{}`), "Content-Type", "application/json")
	r.wantThrottled(300)
	// Another address is not affected.
	a.client("192.0.2.2:1234").wantError(http.StatusBadRequest, "invalid_grant")
}

func TestForwardedForCountsOnlyFromTrustedProxies(t *testing.T) {
	a := newTestApp(t)
	a.limitIPs(1, "192.0.2.0/24")
	proxy := "192.0.2.1:1234"
	a.client(proxy, "X-Forwarded-For", "198.51.100.1").wantError(http.StatusBadRequest, "invalid_grant")
	a.client(proxy, "X-Forwarded-For", "198.51.100.2").wantError(http.StatusBadRequest, "invalid_grant")
	a.client(proxy, "X-Forwarded-For", "198.51.100.1").wantThrottled(300)
	// A client claiming to be forwarded, not through a trusted proxy, is
	// counted by its own address.
	a.client("203.0.113.5:1234", "X-Forwarded-For", "198.51.100.3").wantError(http.StatusBadRequest, "invalid_grant")
	a.client("203.0.113.5:1234", "X-Forwarded-For", "198.51.100.4").wantThrottled(300)
}

func TestClientKeyGroupsIPv6By64(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := clientKey(tt.ip); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestIPLimiterForgetsIdleClients(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newIPLimiter(1, 2) // a bucket refills in 2s
	l.now = func() time.Time { return now }
	for _, ip := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"} {
		if d := l.wait(ip); d != 0 {
			t.Fatalf("wait(%s) = %v within the burst", ip, d)
		}
	}
	if d := l.wait("192.0.2.1"); d <= 0 || d > time.Second {
		t.Errorf("wait beyond the burst = %v, want up to 1s", d)
	}
	now = now.Add(sweepEvery)
	l.wait("192.0.2.3")
	if len(l.clients) != 1 {
		t.Errorf("tracked %d clients after a sweep, want only the new one", len(l.clients))
	}
	if newIPLimiter(0, 10) != nil {
		t.Error("rate 0 should make no limiter")
	}
}

// TestWrongCurrentPasswordsCountLikeFailedLogins: a stolen access token
// cannot guess the current password faster than a login could.
func TestWrongCurrentPasswordsCountLikeFailedLogins(t *testing.T) {
	a := newTestApp(t, lockAfter(3, time.Minute))
	a.register("uma", goodPassword)
	tok := a.login("uma", goodPassword)
	change := func(current string) response {
		t.Helper()
		return a.call(http.MethodPost, "/auth/self/password", tok.AccessToken,
			passwordBody(current, "another long passphrase"))
	}
	for range 2 {
		change("wrong password").wantError(http.StatusBadRequest, "invalid_current_password")
	}
	a.postForm("/auth/token", loginForm("uma", "wrong password")).wantError(http.StatusBadRequest, "invalid_grant")
	change(goodPassword).wantThrottled(60)
	a.postForm("/auth/token", loginForm("uma", goodPassword)).wantThrottled(60)
}
