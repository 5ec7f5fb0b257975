package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
)

// Helpers for the session and token lifecycle tests.

// call sends a request with an access or refresh token as Bearer (none when
// tok is empty) and, when body is not empty, a JSON body.
func (a *testApp) call(method, path, tok, body string) response {
	a.t.Helper()
	var headers []string
	if tok != "" {
		headers = append(headers, echo.HeaderAuthorization, "Bearer "+tok)
	}
	if body != "" {
		headers = append(headers, echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	return a.do(method, path, strings.NewReader(body), headers...)
}

// refreshBearer refreshes through POST /auth/token/refresh.
func (a *testApp) refreshBearer(refreshToken string) response {
	a.t.Helper()
	return a.call(http.MethodPost, "/auth/token/refresh", refreshToken, "")
}

// mustRefresh refreshes with the grant and fails the test unless it worked.
func (a *testApp) mustRefresh(refreshToken string) tokenResponse {
	a.t.Helper()
	r := a.refresh(refreshToken)
	if r.Code != http.StatusOK {
		a.t.Fatalf("refresh: status %d, body %s", r.Code, r.Body)
	}
	var tok tokenResponse
	r.decode(&tok)
	return tok
}

// logoutForm ends a session through POST /auth/token/logout with the form field.
func (a *testApp) logoutForm(refreshToken string, headers ...string) response {
	a.t.Helper()
	return a.postForm("/auth/token/logout", url.Values{"refresh_token": {refreshToken}}, headers...)
}

// tryLogin runs the password grant and returns whatever it answers.
func (a *testApp) tryLogin(username, pw string) response {
	a.t.Helper()
	return a.postForm("/auth/token", url.Values{
		"grant_type": {"password"}, "username": {username}, "password": {pw},
	})
}

// passwordBody is a POST /auth/self/password body.
func passwordBody(current, next string) string {
	b, _ := json.Marshal(passwordChange{CurrentPassword: current, NewPassword: next})
	return string(b)
}

// exec runs SQL on the test database, failing the test on error.
func (a *testApp) exec(sql string, args ...any) {
	a.t.Helper()
	if _, err := a.pool.Exec(a.t.Context(), sql, args...); err != nil {
		a.t.Fatalf("exec %q: %v", sql, err)
	}
}

// wantStatus fails unless the response has the status.
func (r response) wantStatus(status int) {
	r.t.Helper()
	if r.Code != status {
		r.t.Fatalf("status = %d, want %d; body %s", r.Code, status, r.Body)
	}
}

// unverifiedClaims reads a token's claims without checking it.
func unverifiedClaims(t testing.TB, tok string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatalf("parse %q: %v", tok, err)
	}
	return claims
}

// sessionID returns the sid claim of a token.
func sessionID(t testing.TB, tok string) string {
	t.Helper()
	sid, _ := unverifiedClaims(t, tok)["sid"].(string)
	return sid
}

// expiry returns the exp claim of a token.
func expiry(t testing.TB, tok string) time.Time {
	t.Helper()
	exp, err := unverifiedClaims(t, tok).GetExpirationTime()
	if err != nil || exp == nil {
		t.Fatalf("token has no exp: %v", err)
	}
	return exp.Time
}
