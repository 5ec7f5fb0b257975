package handlers

import (
	"net/http"
	"testing"
	"time"
)

const adminChallenge = `Bearer realm="authstarter", error="insufficient_scope", scope="admin"`

func TestAdminRoutesNeedTheAdminScope(t *testing.T) {
	a := newTestApp(t)
	a.superuser("root")
	plain := a.login("root", goodPassword) // a superuser, but no admin scope
	a.register("ursula", goodPassword)
	user := a.login("ursula", goodPassword)

	for _, rt := range adminRoutes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			r := a.do(rt.method, rt.path, nil)
			r.wantError(http.StatusUnauthorized, "unauthorized")
			if got := r.Header().Get("WWW-Authenticate"); got != `Bearer realm="authstarter"` {
				t.Errorf("no token: WWW-Authenticate = %q, want a bare challenge", got)
			}
			tokens := map[string]string{"superuser": plain.AccessToken, "ordinary user": user.AccessToken}
			for name, tok := range tokens {
				r := a.call(rt.method, rt.path, tok, rt.body)
				r.wantError(http.StatusForbidden, "insufficient_scope")
				if got := r.Header().Get("WWW-Authenticate"); got != adminChallenge {
					t.Errorf("%s without scope: WWW-Authenticate = %q, want %q", name, got, adminChallenge)
				}
			}
		})
	}
}

func TestAdminPowerIsCheckedOnEveryRequest(t *testing.T) {
	a := newTestApp(t)
	_, boss := a.superuser("boss")
	deputy, deputyTok := a.superuser("deputy")
	a.call(http.MethodGet, "/admin/users", deputyTok.AccessToken, "").expect(http.StatusOK)

	// Demoted: the admin-scoped token stops working at once.
	a.call(http.MethodPatch, "/admin/users/"+deputy.ID, boss.AccessToken, `{"is_superuser":false}`).
		expect(http.StatusOK)
	a.call(http.MethodGet, "/admin/users", deputyTok.AccessToken, "").wantError(http.StatusForbidden, "forbidden")

	// Promoted again but deactivated: the token's session is over.
	a.call(http.MethodPatch, "/admin/users/"+deputy.ID, boss.AccessToken, `{"is_superuser":true,"is_active":false}`).
		expect(http.StatusOK)
	a.call(http.MethodGet, "/admin/users", deputyTok.AccessToken, "").
		wantError(http.StatusUnauthorized, "invalid_token")

	// An administrator whose sessions were ended is out too.
	self := a.get("/auth/self", boss.AccessToken).user()
	a.call(http.MethodDelete, "/admin/users/"+self.ID+"/sessions", boss.AccessToken, "").expect(http.StatusNoContent)
	a.call(http.MethodGet, "/admin/users", boss.AccessToken, "").wantError(http.StatusUnauthorized, "invalid_token")
}

func TestAdminCreatesAndReadsUsers(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")

	r := a.call(http.MethodPost, "/admin/users", tok.AccessToken,
		`{"username":" Vera ","password":"`+goodPassword+`","is_superuser":true,"is_active":false}`)
	vera := r.expect(http.StatusCreated).user()
	if vera.Username != "vera" || !vera.IsSuperuser || vera.IsActive || vera.ID == "" {
		t.Errorf("created %+v, want inactive superuser vera", vera)
	}
	if got, want := r.Header().Get("Location"), "/admin/users/"+vera.ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	walt := a.call(http.MethodPost, "/admin/users", tok.AccessToken,
		`{"username":"walt","password":"`+goodPassword+`"}`).expect(http.StatusCreated).user()
	if !walt.IsActive || walt.IsSuperuser {
		t.Errorf("created %+v, want by default an active ordinary user", walt)
	}
	a.login("walt", goodPassword)

	got := a.call(http.MethodGet, "/admin/users/"+vera.ID, tok.AccessToken, "").expect(http.StatusOK).user()
	if got != vera {
		t.Errorf("GET = %+v, want %+v", got, vera)
	}

	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"taken username", `{"username":"VERA","password":"` + goodPassword + `"}`, 409, "username_taken"},
		{"weak password", `{"username":"xena","password":"password"}`, 422, "validation_error"},
		{"no password", `{"username":"xena"}`, 422, "validation_error"},
		{"null username", `{"username":null,"password":"` + goodPassword + `"}`, 422, "validation_error"},
		{"flag of the wrong type", `{"username":"xena","password":"` + goodPassword +
			`","is_superuser":"yes"}`, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.call(http.MethodPost, "/admin/users", tok.AccessToken, tt.body).wantError(tt.status, tt.code)
		})
	}
}

func TestAdminUserIDsThatNameNoUserAre404(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	ids := []string{"00000000-0000-0000-0000-000000000000", "not-a-uuid",
		"1%3B%20DROP%20TABLE%20users", "12345678901234567890123456789012345678"}
	for _, id := range ids {
		for _, rt := range adminRoutes[2:] {
			t.Run(rt.method+" "+id, func(t *testing.T) {
				path := "/admin/users/" + id
				if len(rt.path) > len("/admin/users/00000000-0000-0000-0000-000000000001") {
					path += "/sessions"
				}
				a.call(rt.method, path, tok.AccessToken, rt.body).wantError(http.StatusNotFound, "not_found")
			})
		}
	}
}

func TestAdminUpdatesUsers(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	xavi := a.register("xavi", goodPassword)
	path := "/admin/users/" + xavi.ID
	patch := func(body string) response {
		t.Helper()
		return a.call(http.MethodPatch, path, tok.AccessToken, body)
	}

	if got := patch(`{}`).expect(http.StatusOK).user(); got != xavi {
		t.Errorf("after {}: %+v, want unchanged %+v", got, xavi)
	}
	got := patch(`{"username":"XAVIER","is_superuser":true}`).expect(http.StatusOK).user()
	if got.Username != "xavier" || !got.IsSuperuser || !got.IsActive || got.ID != xavi.ID {
		t.Errorf("after rename and promotion: %+v", got)
	}
	a.login("xavier", goodPassword, "admin") // now allowed the admin scope

	for _, body := range []string{`{"username":null}`, `{"is_active":null}`, `{"is_superuser":null}`,
		`{"password":null}`, `{"password":"short"}`, `{"username":"x y"}`} {
		t.Run(body, func(t *testing.T) {
			patch(body).wantError(http.StatusUnprocessableEntity, "validation_error")
		})
	}
	a.register("yuri", goodPassword)
	patch(`{"username":"Yuri"}`).wantError(http.StatusConflict, "username_taken")
	if got := a.call(http.MethodGet, path, tok.AccessToken, "").user(); got.Username != "xavier" || !got.IsSuperuser {
		t.Errorf("refused patches changed the user: %+v", got)
	}
}

func TestAdminPasswordResetEndsTheUsersSessions(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	zoe := a.register("zoe", goodPassword)
	old := a.login("zoe", goodPassword)

	a.call(http.MethodPatch, "/admin/users/"+zoe.ID, tok.AccessToken, `{"password":"a brand new passphrase"}`).
		expect(http.StatusOK)

	a.get("/auth/self", old.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(old.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.postForm("/auth/token", loginForm("zoe", goodPassword)).wantError(http.StatusBadRequest, "invalid_grant")
	a.login("zoe", "a brand new passphrase")
}

// TestAdminDeactivationAndDeletionStopTokensAtOnce is rule 3, admin side.
func TestAdminDeactivationAndDeletionStopTokensAtOnce(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")

	amy := a.register("amy", goodPassword)
	amyTok := a.login("amy", goodPassword)
	a.call(http.MethodPatch, "/admin/users/"+amy.ID, tok.AccessToken, `{"is_active":false}`).expect(http.StatusOK)
	a.get("/auth/self", amyTok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(amyTok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	// Reactivation does not bring the old sessions back.
	a.call(http.MethodPatch, "/admin/users/"+amy.ID, tok.AccessToken, `{"is_active":true}`).expect(http.StatusOK)
	a.get("/auth/self", amyTok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(amyTok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.login("amy", goodPassword)

	ben := a.register("ben", goodPassword)
	benTok := a.login("ben", goodPassword)
	a.call(http.MethodDelete, "/admin/users/"+ben.ID, tok.AccessToken, "").expect(http.StatusNoContent)
	a.get("/auth/self", benTok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(benTok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.call(http.MethodGet, "/admin/users/"+ben.ID, tok.AccessToken, "").wantError(http.StatusNotFound, "not_found")
	a.call(http.MethodDelete, "/admin/users/"+ben.ID, tok.AccessToken, "").wantError(http.StatusNotFound, "not_found")
	var sessions int
	err := a.pool.QueryRow(t.Context(), "SELECT count(*) FROM sessions WHERE user_id = $1", ben.ID).Scan(&sessions)
	if err != nil || sessions != 0 {
		t.Errorf("sessions left after deletion: %d (%v), want 0", sessions, err)
	}
}

// TestDeletedUsersTokensNeverPassToANewUserOfTheSameName is rule 12, admin side.
func TestDeletedUsersTokensNeverPassToANewUserOfTheSameName(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	old := a.register("nina", goodPassword)
	oldTok := a.login("nina", goodPassword)
	a.call(http.MethodDelete, "/admin/users/"+old.ID, tok.AccessToken, "").expect(http.StatusNoContent)

	reborn := a.register("NINA", goodPassword)
	if reborn.ID == old.ID {
		t.Fatalf("the new nina got the deleted user's id %s", old.ID)
	}
	a.get("/auth/self", oldTok.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(oldTok.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	var list userSessionList
	a.call(http.MethodGet, "/admin/users/"+reborn.ID+"/sessions", tok.AccessToken, "").
		expect(http.StatusOK).decode(&list)
	if len(list.Items) != 0 {
		t.Errorf("the new nina has %d sessions, want none", len(list.Items))
	}
	newTok := a.login("nina", goodPassword)
	if got := a.get("/auth/self", newTok.AccessToken).user(); got.ID != reborn.ID {
		t.Errorf("self = %+v, want the new user %s", got, reborn.ID)
	}
}

func TestAdminSeesAndEndsUserSessions(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	cleo := a.register("cleo", goodPassword)
	first := a.login("cleo", goodPassword)
	a.postForm("/auth/token", loginForm("cleo", goodPassword), "User-Agent", "phone/1.0").expect(http.StatusOK)
	path := "/admin/users/" + cleo.ID + "/sessions"

	r := a.call(http.MethodGet, path, tok.AccessToken, "").expect(http.StatusOK)
	var list struct {
		Items []struct {
			ID        string `json:"id"`
			UserID    string `json:"user_id"`
			UserAgent string `json:"user_agent"`
			ClientIP  string `json:"client_ip"`
		} `json:"items"`
	}
	r.decode(&list)
	if len(list.Items) != 2 || list.Items[0].UserAgent != "phone/1.0" || list.Items[0].UserID != cleo.ID ||
		list.Items[1].ClientIP == "" {
		t.Errorf("sessions = %+v, want 2 of cleo, newest (phone/1.0) first, with client address", list.Items)
	}
	if body := r.Body.String(); containsAny(body, "hash", first.RefreshToken) {
		t.Errorf("session list reveals a token or hash: %s", body)
	}

	a.call(http.MethodDelete, path, tok.AccessToken, "").expect(http.StatusNoContent)
	a.get("/auth/self", first.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
	a.refresh(first.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.call(http.MethodGet, path, tok.AccessToken, "").expect(http.StatusOK).decode(&list)
	if len(list.Items) != 0 {
		t.Errorf("sessions after ending them all: %+v", list.Items)
	}
}

func TestAdminSessionListLeavesOutIdleSessions(t *testing.T) {
	a := newTestApp(t, func(c *authConfig, _ *tokenConfig) { c.IdleTimeout = time.Hour })
	_, tok := a.superuser("root")
	dora := a.register("dora", goodPassword)
	a.login("dora", goodPassword)
	a.login("dora", goodPassword)
	_, err := a.pool.Exec(t.Context(), `UPDATE sessions SET last_used_at = now() - interval '2 hours'
		WHERE id = (SELECT id FROM sessions WHERE user_id = $1 LIMIT 1)`, dora.ID)
	if err != nil {
		t.Fatal(err)
	}
	var list userSessionList
	a.call(http.MethodGet, "/admin/users/"+dora.ID+"/sessions", tok.AccessToken, "").expect(http.StatusOK).decode(&list)
	if len(list.Items) != 1 {
		t.Errorf("listed %d sessions, want 1: the idle one has ended", len(list.Items))
	}
}
