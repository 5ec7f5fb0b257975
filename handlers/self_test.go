package handlers

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestEndingSessionsStopsAccessTokensAtOnce(t *testing.T) {
	routes := []struct{ method, path, body string }{
		{http.MethodGet, "/auth/self", ""},
		{http.MethodGet, "/auth/token/validate", ""},
		{http.MethodGet, "/auth/self/sessions", ""},
		{http.MethodPatch, "/auth/self", `{}`},
		{http.MethodPost, "/auth/self/password", passwordBody(goodPassword, "another long passphrase")},
		{http.MethodDelete, "/auth/self/sessions/00000000-0000-0000-0000-000000000000", ""},
		{http.MethodPost, "/auth/token/logout/all", ""},
	}
	// Each action ends the session of "victim", using the session "actor"
	// (which may be the same session).
	actions := []struct {
		name      string
		sameActor bool
		end       func(a *testApp, actor, victim tokenResponse)
	}{
		{"logout by form", true, func(a *testApp, _, victim tokenResponse) {
			a.logoutForm(victim.RefreshToken).wantStatus(http.StatusNoContent)
		}},
		{"logout by bearer", true, func(a *testApp, _, victim tokenResponse) {
			a.call(http.MethodPost, "/auth/token/logout", victim.RefreshToken, "").wantStatus(http.StatusNoContent)
		}},
		{"logout all", true, func(a *testApp, actor, _ tokenResponse) {
			a.call(http.MethodPost, "/auth/token/logout/all", actor.AccessToken, "").wantStatus(http.StatusNoContent)
		}},
		{"logout all from another session", false, func(a *testApp, actor, _ tokenResponse) {
			a.call(http.MethodPost, "/auth/token/logout/all", actor.AccessToken, "").wantStatus(http.StatusNoContent)
		}},
		{"delete the session", false, func(a *testApp, actor, victim tokenResponse) {
			a.call(http.MethodDelete, "/auth/self/sessions/"+sessionID(t, victim.AccessToken), actor.AccessToken, "").
				wantStatus(http.StatusNoContent)
		}},
		{"password change in another session", false, func(a *testApp, actor, _ tokenResponse) {
			a.call(http.MethodPost, "/auth/self/password", actor.AccessToken,
				passwordBody(goodPassword, "a brand new passphrase")).
				wantStatus(http.StatusNoContent)
		}},
		{"deactivation", true, func(a *testApp, _, _ tokenResponse) {
			a.exec("UPDATE users SET is_active = false")
		}},
	}
	for _, act := range actions {
		t.Run(act.name, func(t *testing.T) {
			a := newTestApp(t)
			a.register("mae", goodPassword)
			victim := a.login("mae", goodPassword)
			actor := victim
			if !act.sameActor {
				actor = a.login("mae", goodPassword)
			}
			for _, rt := range routes[:3] { // works before
				a.call(rt.method, rt.path, victim.AccessToken, rt.body).wantStatus(http.StatusOK)
			}

			act.end(a, actor, victim)

			for _, rt := range routes {
				r := a.call(rt.method, rt.path, victim.AccessToken, rt.body)
				r.wantError(http.StatusUnauthorized, "invalid_token")
			}
			a.refresh(victim.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
		})
	}
}

func TestUpdateSelf(t *testing.T) {
	a := newTestApp(t)
	a.register("ned", goodPassword)
	a.register("taken", goodPassword)
	tok := a.login("ned", goodPassword)
	before := a.get("/auth/self", tok.AccessToken)
	before.wantStatus(http.StatusOK)
	var orig userBody
	before.decode(&orig)

	// {} changes nothing, not even updated_at.
	r := a.call(http.MethodPatch, "/auth/self", tok.AccessToken, `{}`)
	r.wantStatus(http.StatusOK)
	var got userBody
	r.decode(&got)
	if got != orig {
		t.Errorf("after {}: %+v, want unchanged %+v", got, orig)
	}

	tests := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"null for a required field", "application/json", `{"username":null}`, 422, "validation_error"},
		{"empty username", "application/json", `{"username":"  "}`, 422, "validation_error"},
		{"taken username in another case", "application/json", `{"username":"TAKEN"}`, 409, "username_taken"},
		{"flag", "application/json", `{"is_superuser":true}`, 400, "invalid_request"},
		{"flag in other letter case", "application/json", `{"Is_Active":false}`, 400, "invalid_request"},
		{"password", "application/json", `{"password":"another long passphrase"}`, 400, "invalid_request"},
		{"password hash", "application/json", `{"password_hash":"x"}`, 400, "invalid_request"},
		{"id", "application/json", `{"id":"00000000-0000-0000-0000-000000000000"}`, 400, "invalid_request"},
		{"wrong type", "application/json", `{"username":5}`, 400, "invalid_request"},
		{"trailing data", "application/json", `{} {}`, 400, "invalid_request"},
		{"form body", "application/x-www-form-urlencoded", `username=x`, 415, "unsupported_media_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(http.MethodPatch, "/auth/self", strings.NewReader(tt.body),
				"Content-Type", tt.contentType, "Authorization", "Bearer "+tok.AccessToken)
			r.wantError(tt.status, tt.code)
		})
	}
	after := a.get("/auth/self", tok.AccessToken)
	after.decode(&got)
	if got != orig {
		t.Fatalf("refused updates changed the user: %+v, want %+v", got, orig)
	}

	r = a.call(http.MethodPatch, "/auth/self", tok.AccessToken, `{"username":" Nora "}`)
	r.wantStatus(http.StatusOK)
	if strings.Contains(r.Body.String(), "hash") || strings.Contains(r.Body.String(), "argon2") {
		t.Errorf("body reveals the password hash: %s", r.Body)
	}
	r.decode(&got)
	if got.Username != "nora" || got.ID != orig.ID || got.IsSuperuser || !got.IsActive ||
		!got.UpdatedAt.After(orig.UpdatedAt) {
		t.Errorf("after rename: %+v, want nora, same id and flags, later updated_at", got)
	}
	a.login("nora", goodPassword)
}

func TestChangePassword(t *testing.T) {
	a := newTestApp(t)
	a.register("ola", goodPassword)
	current := a.login("ola", goodPassword)
	other := a.login("ola", goodPassword)
	change := func(cur, next string) response {
		return a.call(http.MethodPost, "/auth/self/password", current.AccessToken, passwordBody(cur, next))
	}

	change("wrong password", "a brand new passphrase").wantError(http.StatusBadRequest, "invalid_current_password")
	change(goodPassword, "short").wantError(http.StatusUnprocessableEntity, "validation_error")
	change(goodPassword, "password123").wantError(http.StatusUnprocessableEntity, "validation_error")
	change(goodPassword, strings.Repeat("x", 257)).wantError(http.StatusUnprocessableEntity, "validation_error")
	change(goodPassword, "").wantError(http.StatusUnprocessableEntity, "validation_error")
	a.call(http.MethodPost, "/auth/self/password", current.AccessToken,
		`{"current_password":"x","new_password":"y","is_superuser":true}`).
		wantError(http.StatusBadRequest, "invalid_request")
	// Nothing above changed anything.
	a.get("/auth/self", other.AccessToken).wantStatus(http.StatusOK)
	a.login("ola", goodPassword)

	// Full-width letters normalise (NFKC) to the ASCII the user logs in with.
	change(goodPassword, "ｎｅｗ ｌｏｎｇ ｐａｓｓｐｈｒａｓｅ").wantStatus(http.StatusNoContent)

	a.get("/auth/self", current.AccessToken).wantStatus(http.StatusOK)
	a.mustRefresh(current.RefreshToken)
	a.get("/auth/self", other.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(other.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.login("ola", "new long passphrase")
	a.tryLogin("ola", goodPassword).wantError(http.StatusBadRequest, "invalid_grant")
}

func TestOwnSessions(t *testing.T) {
	a := newTestApp(t)
	a.register("pam", goodPassword)
	a.register("pat", goodPassword)
	login := func(user, agent string) tokenResponse {
		r := a.do(http.MethodPost, "/auth/token",
			strings.NewReader("grant_type=password&username="+user+"&password=correct+horse+battery+staple"),
			"Content-Type", "application/x-www-form-urlencoded", "User-Agent", agent)
		r.wantStatus(http.StatusOK)
		var tok tokenResponse
		r.decode(&tok)
		return tok
	}
	phone := login("pam", "phone")
	laptop := login("pam", "laptop")
	ended := login("pam", "old")
	a.logoutForm(ended.RefreshToken).wantStatus(http.StatusNoContent)
	stranger := login("pat", "stranger")

	r := a.get("/auth/self/sessions", laptop.AccessToken)
	r.wantStatus(http.StatusOK)
	for _, secret := range []string{"hash", "refresh", "token", "revoked"} {
		if strings.Contains(r.Body.String(), secret) {
			t.Errorf("sessions body mentions %q: %s", secret, r.Body)
		}
	}
	var got sessionsResponse
	r.decode(&got)
	if len(got.Sessions) != 2 {
		t.Fatalf("sessions = %+v, want the 2 live ones of pam", got.Sessions)
	}
	// Newest first; the asking session is marked.
	l, p := got.Sessions[0], got.Sessions[1]
	if l.ID.String() != sessionID(t, laptop.AccessToken) || !l.Current || l.UserAgent != "laptop" ||
		p.ID.String() != sessionID(t, phone.AccessToken) || p.Current || p.UserAgent != "phone" {
		t.Errorf("sessions = %+v, want laptop (current) then phone", got.Sessions)
	}
	if l.ClientIP != "192.0.2.1" || l.CreatedAt.IsZero() || l.LastUsedAt.IsZero() || !l.ExpiresAt.After(l.CreatedAt) {
		t.Errorf("session fields = %+v, want client ip and times", l)
	}

	del := func(tok tokenResponse, id string) response {
		return a.call(http.MethodDelete, "/auth/self/sessions/"+id, tok.AccessToken, "")
	}
	for name, id := range map[string]string{
		"another user's session": sessionID(t, stranger.AccessToken),
		"an ended session":       sessionID(t, ended.AccessToken),
		"an unknown id":          "5f1d7a3e-0000-4000-8000-000000000000",
		"a malformed id":         "not-a-uuid",
		"a SQL-looking id":       "1%27%20OR%201=1",
	} {
		t.Run(name, func(t *testing.T) { del(laptop, id).wantError(http.StatusNotFound, "not_found") })
	}
	a.get("/auth/self", stranger.AccessToken).wantStatus(http.StatusOK)

	del(laptop, sessionID(t, phone.AccessToken)).wantStatus(http.StatusNoContent)
	a.get("/auth/self", phone.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(phone.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	del(laptop, sessionID(t, phone.AccessToken)).wantError(http.StatusNotFound, "not_found")

	// Ending one's own current session works like logout.
	del(laptop, sessionID(t, laptop.AccessToken)).wantStatus(http.StatusNoContent)
	a.get("/auth/self/sessions", laptop.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
}

func TestDeletedUserTokensDieAndAreNeverInherited(t *testing.T) {
	a := newTestApp(t)
	a.register("quin", goodPassword)
	old := a.login("quin", goodPassword)
	a.exec("DELETE FROM users WHERE username = 'quin'")

	check := func() {
		t.Helper()
		for _, path := range []string{"/auth/self", "/auth/token/validate", "/auth/self/sessions"} {
			a.get(path, old.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
		}
		a.refresh(old.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
		a.refreshBearer(old.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	}
	check()

	// A new user with the same name gets a new id; the old tokens name the old one.
	a.register("quin", goodPassword)
	check()
	fresh := a.login("quin", goodPassword)
	a.get("/auth/self", fresh.AccessToken).wantStatus(http.StatusOK)
}

func TestImportedBcryptHashIsUpgradedOnLogin(t *testing.T) {
	a := newTestApp(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(goodPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	a.exec("INSERT INTO users (username, password_hash) VALUES ('rae', $1)", string(hash))

	a.tryLogin("rae", "wrong password").wantError(http.StatusBadRequest, "invalid_grant")
	if got := storedHash(t, a, "rae"); got != string(hash) {
		t.Fatalf("a failed login changed the hash to %q", got)
	}

	a.login("rae", goodPassword)
	if got := storedHash(t, a, "rae"); !strings.HasPrefix(got, "$argon2id$") {
		t.Errorf("hash after login = %q, want an $argon2id$ hash", got)
	}
	a.login("rae", goodPassword)
}

func TestLongPasswordsAreNotTruncated(t *testing.T) {
	a := newTestApp(t)
	pw := strings.Repeat("abcdefghij", 10) // 100 characters
	a.register("sol", pw)
	a.login("sol", pw)

	almost := pw[:89] + "X" + pw[90:]
	a.tryLogin("sol", almost).wantError(http.StatusBadRequest, "invalid_grant")
}

func TestPasswordsAreNormalizedAtRegistrationAndLogin(t *testing.T) {
	a := newTestApp(t)
	a.register("uri", "ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓ") // NFKC: "full width pass"
	a.login("uri", "full width pass")
	a.login("uri", "ｆｕｌｌ width pass")

	long := strings.Repeat("é", 64) // 64 code points, 128 bytes
	a.register("vic", long)
	a.login("vic", long)
	a.login("vic", strings.Repeat("e\u0301", 64)) // the same, decomposed
}

func TestErrorBodiesHaveOneShape(t *testing.T) {
	a := newTestApp(t)
	a.register("ted", goodPassword)
	tok := a.login("ted", goodPassword)
	responses := []response{
		a.refreshBearer("garbage"),
		a.do(http.MethodPost, "/auth/token/refresh", nil),
		a.get("/auth/token/validate", ""),
		a.get("/auth/token/validate", "garbage"),
		a.do(http.MethodPost, "/auth/token/logout", nil),
		a.call(http.MethodPatch, "/auth/self", tok.AccessToken, `{"username":null}`),
		a.call(http.MethodPatch, "/auth/self", tok.AccessToken, `{"x":1}`),
		a.call(http.MethodPost, "/auth/self/password", tok.AccessToken, passwordBody("nope", "a brand new passphrase")),
		a.call(http.MethodDelete, "/auth/self/sessions/nope", tok.AccessToken, ""),
		a.call(http.MethodGet, "/auth/token/logout", "", ""),
	}
	for _, r := range responses {
		var body map[string]any
		r.decode(&body)
		code, _ := body["error"].(string)
		desc, _ := body["error_description"].(string)
		if len(body) != 2 || code == "" || desc == "" || strings.ContainsAny(desc, `"\`) {
			t.Errorf("status %d: body %s, want exactly error and error_description", r.Code, r.Body)
		}
		if r.Code < 400 || r.Code >= 500 {
			t.Errorf("status %d for %s, want a 4xx", r.Code, r.Body)
		}
	}
}

func storedHash(t testing.TB, a *testApp, username string) string {
	t.Helper()
	var hash string
	err := a.pool.QueryRow(t.Context(), "SELECT password_hash FROM users WHERE username = $1", username).Scan(&hash)
	if err != nil {
		t.Fatal(err)
	}
	return hash
}

func TestDatabaseFailuresAreInternalErrorsWithoutDetail(t *testing.T) {
	a := newTestApp(t)
	a.register("wyn", goodPassword)
	tok := a.login("wyn", goodPassword)
	sid := sessionID(t, tok.AccessToken)
	a.pool.Close()

	responses := map[string]response{
		"refresh":     a.refreshBearer(tok.RefreshToken),
		"validate":    a.get("/auth/token/validate", tok.AccessToken),
		"logout":      a.logoutForm(tok.RefreshToken),
		"logout all":  a.call(http.MethodPost, "/auth/token/logout/all", tok.AccessToken, ""),
		"update self": a.call(http.MethodPatch, "/auth/self", tok.AccessToken, `{"username":"wynn"}`),
		"password": a.call(http.MethodPost, "/auth/self/password", tok.AccessToken,
			passwordBody(goodPassword, "x y z w v u")),
		"sessions":       a.get("/auth/self/sessions", tok.AccessToken),
		"delete session": a.call(http.MethodDelete, "/auth/self/sessions/"+sid, tok.AccessToken, ""),
	}
	for name, r := range responses {
		r.wantError(http.StatusInternalServerError, "internal_error")
		if e := r.apiError(); e.RequestID == "" || strings.Contains(strings.ToLower(r.Body.String()), "pool") {
			t.Errorf("%s: body %s, want a request id and no driver text", name, r.Body)
		}
	}
	if n := strings.Count(a.log.String(), `"msg":"internal error"`); n != len(responses) {
		t.Errorf("logged %d internal errors, want each of the %d once", n, len(responses))
	}
}
