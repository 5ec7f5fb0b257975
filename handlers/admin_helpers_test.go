package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"authstarter/auth"
)

// superuser creates an active superuser directly through the service and
// returns it with an access token of scope admin.
func (a *testApp) superuser(username string) (userBody, tokenResponse) {
	a.t.Helper()
	u, err := a.svc.CreateUser(a.t.Context(), auth.NewUser{
		Profile:  auth.Profile{Username: auth.Of(username)},
		Password: goodPassword, IsActive: true, IsSuperuser: true,
	})
	if err != nil {
		a.t.Fatalf("create superuser %q: %v", username, err)
	}
	return userBody{ID: u.ID.String(), Username: u.Username, IsActive: true, IsSuperuser: true},
		a.login(username, goodPassword, auth.ScopeAdmin)
}

// expect fails unless the response has the status, and returns it.
func (r response) expect(status int) response {
	r.t.Helper()
	if r.Code != status {
		body := r.Body.String()
		if len(body) > 500 {
			body = body[:500] + "..."
		}
		r.t.Fatalf("status = %d, want %d; body %s", r.Code, status, body)
	}
	return r
}

// user decodes a user body, failing if it reveals a password hash.
func (r response) user() userBody {
	r.t.Helper()
	if strings.Contains(r.Body.String(), "hash") || strings.Contains(r.Body.String(), "argon2") {
		r.t.Fatalf("body reveals a password hash: %s", r.Body)
	}
	var u userBody
	r.decode(&u)
	return u
}

// countUsers returns how many users match the SQL condition.
func (a *testApp) countUsers(where string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.pool.QueryRow(a.t.Context(), "SELECT count(*) FROM users WHERE "+where, args...).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

var adminRoutes = []struct{ method, path, body string }{
	{http.MethodGet, "/admin/users", ""},
	{http.MethodPost, "/admin/users", `{"username":"x","password":"` + goodPassword + `"}`},
	{http.MethodGet, "/admin/users/00000000-0000-0000-0000-000000000001", ""},
	{http.MethodPatch, "/admin/users/00000000-0000-0000-0000-000000000001", `{}`},
	{http.MethodDelete, "/admin/users/00000000-0000-0000-0000-000000000001", ""},
	{http.MethodGet, "/admin/users/00000000-0000-0000-0000-000000000001/sessions", ""},
	{http.MethodDelete, "/admin/users/00000000-0000-0000-0000-000000000001/sessions", ""},
}

// loginForm is a password grant for username and pw.
func loginForm(username, pw string) url.Values {
	return url.Values{"grant_type": {"password"}, "username": {username}, "password": {pw}}
}

// containsAny reports whether s contains any of subs.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
