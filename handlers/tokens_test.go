package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

func TestRefreshByBearerRotatesLikeTheGrant(t *testing.T) {
	a := newTestApp(t)
	a.register("amy", goodPassword)
	first := a.login("amy", goodPassword)

	r := a.refreshBearer(first.RefreshToken)
	r.wantStatus(http.StatusOK)
	if cc, p := r.Header().Get("Cache-Control"), r.Header().Get("Pragma"); cc != "no-store" || p != "no-cache" {
		t.Errorf("Cache-Control %q, Pragma %q; want no-store, no-cache", cc, p)
	}
	var second tokenResponse
	r.decode(&second)
	if second.TokenType != "Bearer" || second.ExpiresIn != 60 ||
		second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("refresh response = %+v, want a new Bearer pair", second)
	}
	a.get("/auth/self", second.AccessToken).wantStatus(http.StatusOK)

	// The grant takes the token the Bearer route returned, and the other way round.
	third := a.mustRefresh(second.RefreshToken)
	a.refreshBearer(third.RefreshToken).wantStatus(http.StatusOK)

	for name, header := range map[string]string{
		"no header":         "",
		"basic scheme":      "Basic " + third.RefreshToken,
		"empty bearer":      "Bearer ",
		"scheme without sp": "Bearer" + third.RefreshToken,
	} {
		t.Run(name, func(t *testing.T) {
			r := a.do(http.MethodPost, "/auth/token/refresh", nil, "Authorization", header)
			r.wantError(http.StatusBadRequest, "invalid_request")
			if r.Header().Get("Cache-Control") != "no-store" {
				t.Error("error response lacks Cache-Control: no-store")
			}
		})
	}
	a.refreshBearer(first.AccessToken).wantError(http.StatusBadRequest, "invalid_grant")
}

func TestSpentRefreshTokenEndsOnlyItsSession(t *testing.T) {
	a := newTestApp(t) // grace 0: every reuse ends the session
	a.register("ben", goodPassword)
	a.register("bea", goodPassword)
	stolen := a.login("ben", goodPassword)
	other := a.login("ben", goodPassword)
	neighbour := a.login("bea", goodPassword)
	owner := a.mustRefresh(stolen.RefreshToken)

	a.refreshBearer(stolen.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")

	// The whole session ended: its newest tokens fail too.
	a.refresh(owner.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.get("/auth/self", owner.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	// The user's other session and other users are untouched.
	a.get("/auth/self", other.AccessToken).wantStatus(http.StatusOK)
	a.mustRefresh(other.RefreshToken)
	a.mustRefresh(neighbour.RefreshToken)
}

func TestSpentRefreshTokenWithinGraceOnlyFails(t *testing.T) {
	a := newTestApp(t, func(c *authConfig, _ *tokenConfig) { c.RefreshReuseGrace = time.Minute })
	a.register("cat", goodPassword)
	first := a.login("cat", goodPassword)
	second := a.mustRefresh(first.RefreshToken)

	// Within the grace: the spent token fails, the session lives on.
	a.refresh(first.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.get("/auth/self", second.AccessToken).wantStatus(http.StatusOK)
	third := a.mustRefresh(second.RefreshToken)

	// Beyond the grace after its rotation, the same reuse ends the session.
	a.exec("UPDATE sessions SET rotated_at = now() - interval '2 minutes'")
	a.refresh(second.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.refresh(third.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.get("/auth/self", third.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
}

func TestConcurrentRefreshesHaveOneWinner(t *testing.T) {
	a := newTestApp(t, func(c *authConfig, _ *tokenConfig) { c.RefreshReuseGrace = 10 * time.Second })
	a.register("dan", goodPassword)
	tok := a.login("dan", goodPassword)

	const n = 20
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		records = make([]*httptest.ResponseRecorder, n)
	)
	for i := range n {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, "/auth/token/refresh", nil)
			req.Header.Set("Authorization", "Bearer "+tok.RefreshToken)
			rec := httptest.NewRecorder()
			<-start
			a.e.ServeHTTP(rec, req)
			records[i] = rec
		})
	}
	close(start)
	wg.Wait()

	var winners []tokenResponse
	for _, rec := range records {
		r := response{ResponseRecorder: rec, t: t}
		if rec.Code == http.StatusOK {
			var w tokenResponse
			r.decode(&w)
			winners = append(winners, w)
			continue
		}
		r.wantError(http.StatusBadRequest, "invalid_grant")
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d concurrent refreshes succeeded, want exactly 1", len(winners), n)
	}

	// One live refresh token remains for the session: the winner's.
	var live int
	err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions
		WHERE id = $1 AND revoked_at IS NULL AND refresh_token_hash = sha256($2::text::bytea)`,
		sessionID(t, tok.RefreshToken), winners[0].RefreshToken).Scan(&live)
	if err != nil || live != 1 {
		t.Fatalf("live sessions holding the winner's token = %d (err %v), want 1", live, err)
	}
	a.mustRefresh(winners[0].RefreshToken)
}

func TestSessionLifetimeIsAbsolute(t *testing.T) {
	a := newTestApp(t)
	a.register("eve", goodPassword)
	first := a.login("eve", goodPassword)
	time.Sleep(1100 * time.Millisecond) // so that a sliding exp would differ
	second := a.mustRefresh(first.RefreshToken)

	if got, want := expiry(t, second.RefreshToken), expiry(t, first.RefreshToken); !got.Equal(want) {
		t.Errorf("refreshed token exp = %v, want the session's end %v", got, want)
	}

	// Once the session's absolute end has passed, nothing revives it.
	a.exec("UPDATE sessions SET expires_at = now() - interval '1 second'")
	a.refresh(second.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.get("/auth/self", second.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.get("/auth/token/validate", second.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
}

func TestIdleSessionEnds(t *testing.T) {
	a := newTestApp(t, func(c *authConfig, _ *tokenConfig) { c.IdleTimeout = time.Hour })
	a.register("fay", goodPassword)
	tok := a.login("fay", goodPassword)

	// A refresh counts as use: it moves last_used_at to now.
	a.exec("UPDATE sessions SET last_used_at = now() - interval '50 minutes'")
	tok = a.mustRefresh(tok.RefreshToken)
	var idle time.Duration
	err := a.pool.QueryRow(t.Context(),
		"SELECT extract(epoch FROM now() - last_used_at)::bigint * 1000000000 FROM sessions").Scan(&idle)
	if err != nil || idle > time.Minute {
		t.Fatalf("idle after refresh = %v (err %v), want about 0", idle, err)
	}

	a.exec("UPDATE sessions SET last_used_at = now() - interval '61 minutes'")
	a.get("/auth/self", tok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.get("/auth/token/validate", tok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.get("/auth/self/sessions", tok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(tok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
}

func TestValidateDescribesTheToken(t *testing.T) {
	a := newTestApp(t)
	u := a.register("gil", goodPassword)
	tok := a.login("gil", goodPassword)

	r := a.get("/auth/token/validate", tok.AccessToken)
	r.wantStatus(http.StatusOK)
	if r.Header().Get("Cache-Control") != "no-store" {
		t.Error("validate lacks Cache-Control: no-store")
	}
	var got validateResponse
	r.decode(&got)
	want := validateResponse{
		Subject:   uuid.MustParse(u.ID),
		Username:  "gil",
		Scopes:    []string{},
		ExpiresAt: expiry(t, tok.AccessToken).UTC(),
		SessionID: uuid.MustParse(sessionID(t, tok.AccessToken)),
	}
	if got.Subject != want.Subject || got.Username != want.Username || len(got.Scopes) != 0 ||
		!got.ExpiresAt.Equal(want.ExpiresAt) || got.SessionID != want.SessionID {
		t.Errorf("validate = %+v, want %+v", got, want)
	}
	if !strings.Contains(r.Body.String(), `"scopes":[]`) {
		t.Errorf("scopes should be an empty array: %s", r.Body)
	}

	for _, path := range []string{"/auth/token/validate", "/auth/self/sessions"} {
		r := a.get(path, "")
		r.wantError(http.StatusUnauthorized, "unauthorized")
		if got := r.Header().Get("WWW-Authenticate"); got != `Bearer realm="authstarter"` {
			t.Errorf("%s: WWW-Authenticate = %q, want a bare Bearer challenge", path, got)
		}
	}
	a.get("/auth/token/validate", tok.RefreshToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.get("/auth/token/validate", "garbage").wantError(http.StatusUnauthorized, "invalid_token")
}

func TestLogout(t *testing.T) {
	a := newTestApp(t)
	a.register("hal", goodPassword)
	byForm := a.login("hal", goodPassword)
	byBearer := a.login("hal", goodPassword)
	kept := a.login("hal", goodPassword)

	a.logoutForm(byForm.RefreshToken).wantStatus(http.StatusNoContent)
	a.call(http.MethodPost, "/auth/token/logout", byBearer.RefreshToken, "").wantStatus(http.StatusNoContent)
	for _, tok := range []tokenResponse{byForm, byBearer} {
		a.refresh(tok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
		a.get("/auth/self", tok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	}
	a.get("/auth/self", kept.AccessToken).wantStatus(http.StatusOK)

	// Idempotent, and silent about tokens that end nothing (as RFC 7009).
	a.logoutForm(byForm.RefreshToken).wantStatus(http.StatusNoContent)
	a.logoutForm("garbage").wantStatus(http.StatusNoContent)
	a.logoutForm(kept.AccessToken).wantStatus(http.StatusNoContent)
	a.get("/auth/self", kept.AccessToken).wantStatus(http.StatusOK)

	a.do(http.MethodPost, "/auth/token/logout", nil).wantError(http.StatusBadRequest, "invalid_request")
	a.postForm("/auth/token/logout", nil).wantError(http.StatusBadRequest, "invalid_request")
	a.logoutForm(kept.RefreshToken, "Authorization", "Bearer "+kept.RefreshToken).
		wantError(http.StatusBadRequest, "invalid_request")
	a.postJSON("/auth/token/logout", `{"refresh_token":"x"}`).
		wantError(http.StatusUnsupportedMediaType, "unsupported_media_type")
	a.get("/auth/self", kept.AccessToken).wantStatus(http.StatusOK)
}

func TestLogoutWithSpentTokenEndsTheSession(t *testing.T) {
	a := newTestApp(t, func(c *authConfig, _ *tokenConfig) { c.RefreshReuseGrace = time.Minute })
	a.register("ian", goodPassword)
	first := a.login("ian", goodPassword)
	second := a.mustRefresh(first.RefreshToken)

	a.logoutForm(first.RefreshToken).wantStatus(http.StatusNoContent)
	a.refresh(second.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
}

func TestLogoutAllEndsEverySessionOfTheUser(t *testing.T) {
	a := newTestApp(t)
	a.register("jay", goodPassword)
	a.register("joy", goodPassword)
	one, two := a.login("jay", goodPassword), a.login("jay", goodPassword)
	neighbour := a.login("joy", goodPassword)

	a.call(http.MethodPost, "/auth/token/logout/all", one.AccessToken, "").wantStatus(http.StatusNoContent)
	for _, tok := range []tokenResponse{one, two} {
		a.get("/auth/self", tok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
		a.refresh(tok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	}
	a.get("/auth/self", neighbour.AccessToken).wantStatus(http.StatusOK)

	// Its own session ended, so the same token cannot do it again.
	a.call(http.MethodPost, "/auth/token/logout/all", one.AccessToken, "").
		wantError(http.StatusUnauthorized, "invalid_token")
	a.call(http.MethodPost, "/auth/token/logout/all", "", "").wantError(http.StatusUnauthorized, "unauthorized")
	a.call(http.MethodPost, "/auth/token/logout/all", one.RefreshToken, "").
		wantError(http.StatusUnauthorized, "invalid_token")
}

func TestRefreshFailuresLookAlike(t *testing.T) {
	a := newTestApp(t)
	a.register("kay", goodPassword)
	live := a.login("kay", goodPassword)
	spent := a.login("kay", goodPassword)
	a.mustRefresh(spent.RefreshToken)
	revoked := a.login("kay", goodPassword)
	a.logoutForm(revoked.RefreshToken).wantStatus(http.StatusNoContent)
	expiredSession := a.login("kay", goodPassword)
	a.exec("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1",
		sessionID(t, expiredSession.RefreshToken))

	// A refresh token whose own exp has passed, signed with the right key.
	past := time.Now().Add(-time.Hour)
	expiredJWT := signWith(t, jwt.SigningMethodHS256, "rt+jwt", jwt.MapClaims{
		"iss": "test-issuer", "aud": "test-api/refresh", "sub": unverifiedClaims(t, live.RefreshToken)["sub"],
		"sid": sessionID(t, live.RefreshToken), "jti": "x", "iat": past.Add(-time.Hour).Unix(), "exp": past.Unix(),
	})

	cases := map[string]string{
		"garbage":         "not-a-token",
		"expired token":   expiredJWT,
		"spent token":     spent.RefreshToken,
		"revoked session": revoked.RefreshToken,
		"expired session": expiredSession.RefreshToken,
		"access token":    live.AccessToken,
		"alg none":        noneToken(t, unverifiedClaims(t, live.RefreshToken), "rt+jwt"),
	}
	var first string
	for name, tok := range cases {
		for _, r := range []response{a.refresh(tok), a.refreshBearer(tok)} {
			r.wantError(http.StatusBadRequest, "invalid_grant")
			if first == "" {
				first = r.Body.String()
			}
			if r.Body.String() != first {
				t.Errorf("%s: body %s, want the same as every failure: %s", name, r.Body, first)
			}
		}
	}
	a.mustRefresh(live.RefreshToken)
}

func TestForgedAccessTokensAreRejected(t *testing.T) {
	a := newTestApp(t)
	a.register("lou", goodPassword)
	tok := a.login("lou", goodPassword)
	claims := unverifiedClaims(t, tok.AccessToken)

	forged := map[string]string{
		"alg none":             noneToken(t, claims, "at+jwt"),
		"HS512 with same key":  signWith(t, jwt.SigningMethodHS512, "at+jwt", claims),
		"typ of refresh token": signWith(t, jwt.SigningMethodHS256, "rt+jwt", claims),
		"no typ":               signWith(t, jwt.SigningMethodHS256, "", claims),
	}
	for name, forgedToken := range forged {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/auth/self", "/auth/token/validate", "/auth/self/sessions"} {
				r := a.get(path, forgedToken)
				r.wantError(http.StatusUnauthorized, "invalid_token")
				if !strings.Contains(r.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
					t.Errorf("%s: WWW-Authenticate = %q", path, r.Header().Get("WWW-Authenticate"))
				}
			}
		})
	}
	// The genuine token, re-signed the same way, still works: the cases above
	// fail for what they change.
	a.get("/auth/self", signWith(t, jwt.SigningMethodHS256, "at+jwt", claims)).wantStatus(http.StatusOK)
}

// signWith signs claims with the test secret, method and typ header (none when
// typ is empty).
func signWith(t testing.TB, method jwt.SigningMethod, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	delete(tok.Header, "typ")
	if typ != "" {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noneToken returns an unsigned token (alg none) with the claims and typ.
func noneToken(t testing.TB, claims jwt.MapClaims, typ string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	tok.Header["typ"] = typ
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
