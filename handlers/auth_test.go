package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

const goodPassword = "correct horse battery staple"

func TestRegisterCreatesUserWithoutHash(t *testing.T) {
	a := newTestApp(t)
	r := a.postJSON("/auth/register", `{"username":"  Alice ","password":"`+goodPassword+`"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", r.Code, r.Body)
	}
	if strings.Contains(r.Body.String(), "hash") || strings.Contains(r.Body.String(), "argon2") {
		t.Errorf("body reveals the password hash: %s", r.Body)
	}
	var u userBody
	r.decode(&u)
	if u.Username != "alice" || !u.IsActive || u.IsSuperuser || u.ID == "" || u.CreatedAt.IsZero() {
		t.Errorf("user = %+v, want active non-superuser alice with id and timestamps", u)
	}
}

func TestRegisterDuplicateUsernameIsConflict(t *testing.T) {
	a := newTestApp(t)
	a.register("bob", goodPassword)
	for _, name := range []string{"bob", "BOB", " Bob ", "ｂｏｂ"} {
		t.Run(name, func(t *testing.T) {
			r := a.postJSON("/auth/register", `{"username":"`+name+`","password":"`+goodPassword+`"}`)
			r.wantError(http.StatusConflict, "username_taken")
		})
	}
}

func TestRegisterRejectsBadInput(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"malformed JSON", "application/json", `{"username":`, 400, "invalid_request"},
		{"not an object", "application/json", `[1,2]`, 400, "invalid_request"},
		{"wrong type", "application/json", `{"username":1,"password":"x"}`, 400, "invalid_request"},
		{"unknown field", "application/json", `{"username":"u","password":"` + goodPassword + `","is_superuser":true}`, 400, "invalid_request"},
		{"trailing data", "application/json", `{"username":"u","password":"` + goodPassword + `"} {}`, 400, "invalid_request"},
		{"empty body", "application/json", ``, 400, "invalid_request"},
		{"form body", "application/x-www-form-urlencoded", `username=u&password=p`, 415, "unsupported_media_type"},
		{"no content type", "", `{}`, 415, "unsupported_media_type"},
		{"missing username", "application/json", `{"password":"` + goodPassword + `"}`, 422, "validation_error"},
		{"missing password", "application/json", `{"username":"carol"}`, 422, "validation_error"},
		{"short password", "application/json", `{"username":"carol","password":"short"}`, 422, "validation_error"},
		{"common password", "application/json", `{"username":"carol","password":"password123"}`, 422, "validation_error"},
		{"space in username", "application/json", `{"username":"car ol","password":"` + goodPassword + `"}`, 422, "validation_error"},
		{"huge body", "application/json", `{"username":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "request_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(http.MethodPost, "/auth/register", strings.NewReader(tt.body), "Content-Type", tt.contentType)
			r.wantError(tt.status, tt.code)
			if got := r.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff on every error", got)
			}
		})
	}
	// Nothing was created by any of the above.
	var n int
	if err := a.pool.QueryRow(t.Context(), "SELECT count(*) FROM users").Scan(&n); err != nil || n != 0 {
		t.Errorf("users after bad input = %d (err %v), want 0", n, err)
	}
}

func TestRegisterClosed(t *testing.T) {
	a := newTestApp(t, func(c *authConfig, _ *tokenConfig) { c.OpenRegistration = false })
	r := a.postJSON("/auth/register", `{"username":"dave","password":"`+goodPassword+`"}`)
	r.wantError(http.StatusForbidden, "registration_closed")
}

func TestPasswordGrantThenSelf(t *testing.T) {
	a := newTestApp(t)
	want := a.register("erin", goodPassword)

	r := a.postForm("/auth/token", url.Values{"grant_type": {"password"}, "username": {"ERIN"}, "password": {goodPassword}})
	if r.Code != http.StatusOK {
		t.Fatalf("token: status %d, body %s", r.Code, r.Body)
	}
	if cc, p := r.Header().Get("Cache-Control"), r.Header().Get("Pragma"); cc != "no-store" || p != "no-cache" {
		t.Errorf("Cache-Control %q, Pragma %q; want no-store, no-cache", cc, p)
	}
	var tok tokenResponse
	r.decode(&tok)
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 60 || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token response = %+v", tok)
	}

	self := a.get("/auth/self", tok.AccessToken)
	if self.Code != http.StatusOK {
		t.Fatalf("self: status %d, body %s", self.Code, self.Body)
	}
	var got userBody
	self.decode(&got)
	if got.ID != want.ID || got.Username != "erin" || got.PasswordHash != nil {
		t.Errorf("self = %+v, want %+v without hash", got, want)
	}
}

func TestPasswordGrantFailuresLookAlike(t *testing.T) {
	a := newTestApp(t)
	a.register("frank", goodPassword)
	if _, err := a.pool.Exec(t.Context(), "INSERT INTO users (username, password_hash, is_active) SELECT 'gina', password_hash, false FROM users WHERE username = 'frank'"); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, c := range []struct{ user, pw string }{
		{"nobody", goodPassword},    // unknown user
		{"frank", "wrong password"}, // wrong password
		{"gina", goodPassword},      // disabled account, right password
	} {
		r := a.postForm("/auth/token", url.Values{"grant_type": {"password"}, "username": {c.user}, "password": {c.pw}})
		r.wantError(http.StatusBadRequest, "invalid_grant")
		bodies = append(bodies, r.Body.String())
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Errorf("failure bodies differ:\n%s", strings.Join(bodies, "\n"))
	}
}

func TestTokenEndpointRejectsBadRequests(t *testing.T) {
	a := newTestApp(t)
	a.register("hank", goodPassword)
	tests := []struct {
		name, contentType, body, query string
		status                         int
		code                           string
	}{
		{"no grant type", "application/x-www-form-urlencoded", "username=hank", "", 400, "invalid_request"},
		{"unknown grant type", "application/x-www-form-urlencoded", "grant_type=client_credentials", "", 400, "unsupported_grant_type"},
		{"repeated parameter", "application/x-www-form-urlencoded", "grant_type=password&username=hank&username=hank&password=" + url.QueryEscape(goodPassword), "", 400, "invalid_request"},
		{"empty password counts as absent", "application/x-www-form-urlencoded", "grant_type=password&username=hank&password=", "", 400, "invalid_request"},
		{"credentials in the query are ignored", "application/x-www-form-urlencoded", "grant_type=password", "?username=hank&password=" + url.QueryEscape(goodPassword), 400, "invalid_request"},
		{"JSON body", "application/json", `{"grant_type":"password"}`, "", 415, "unsupported_media_type"},
		{"unknown scope", "application/x-www-form-urlencoded", "grant_type=password&username=hank&scope=root&password=" + url.QueryEscape(goodPassword), "", 400, "invalid_scope"},
		{"admin scope for a non-superuser", "application/x-www-form-urlencoded", "grant_type=password&username=hank&scope=admin&password=" + url.QueryEscape(goodPassword), "", 400, "invalid_scope"},
		{"scope with a trailing space", "application/x-www-form-urlencoded", "grant_type=password&username=hank&scope=" + url.QueryEscape("admin ") + "&password=" + url.QueryEscape(goodPassword), "", 400, "invalid_scope"},
		{"scope of one space", "application/x-www-form-urlencoded", "grant_type=password&username=hank&scope=" + url.QueryEscape(" ") + "&password=" + url.QueryEscape(goodPassword), "", 400, "invalid_scope"},
		{"scope separated by other than a space", "application/x-www-form-urlencoded", "grant_type=password&username=hank&scope=" + url.QueryEscape("\u00a0") + "&password=" + url.QueryEscape(goodPassword), "", 400, "invalid_scope"},
		{"missing refresh token", "application/x-www-form-urlencoded", "grant_type=refresh_token", "", 400, "invalid_request"},
		{"garbage refresh token", "application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=abc.def.ghi", "", 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(http.MethodPost, "/auth/token"+tt.query, strings.NewReader(tt.body), "Content-Type", tt.contentType)
			r.wantError(tt.status, tt.code)
			if r.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("error response lacks Cache-Control: no-store")
			}
		})
	}
	r := a.do(http.MethodGet, "/auth/token", nil)
	r.wantError(http.StatusMethodNotAllowed, "method_not_allowed")
}

func TestRefreshRotatesAndRejectsReuse(t *testing.T) {
	a := newTestApp(t)
	a.register("ivy", goodPassword)
	first := a.login("ivy", goodPassword)

	r := a.refresh(first.RefreshToken)
	if r.Code != http.StatusOK {
		t.Fatalf("refresh: status %d, body %s", r.Code, r.Body)
	}
	var second tokenResponse
	r.decode(&second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not return a new pair")
	}
	if got := a.get("/auth/self", second.AccessToken); got.Code != http.StatusOK {
		t.Fatalf("self with refreshed token: %d %s", got.Code, got.Body)
	}

	// The spent token fails, and (with no grace) ends the whole session.
	a.refresh(first.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.refresh(second.RefreshToken).wantError(http.StatusBadRequest, "invalid_grant")
	a.get("/auth/self", second.AccessToken).wantError(http.StatusUnauthorized, "invalid_token")
}

func TestTokensCannotStandInForEachOther(t *testing.T) {
	a := newTestApp(t)
	a.register("jack", goodPassword)
	tok := a.login("jack", goodPassword)

	r := a.get("/auth/self", tok.RefreshToken)
	r.wantError(http.StatusUnauthorized, "invalid_token")
	if !strings.Contains(r.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate = %q, want error=\"invalid_token\"", r.Header().Get("WWW-Authenticate"))
	}
	a.refresh(tok.AccessToken).wantError(http.StatusBadRequest, "invalid_grant")
}

func TestSelfNeedsBearer(t *testing.T) {
	a := newTestApp(t)
	a.register("kim", goodPassword)
	tok := a.login("kim", goodPassword)

	r := a.get("/auth/self", "")
	r.wantError(http.StatusUnauthorized, "unauthorized")
	if got := r.Header().Get("WWW-Authenticate"); got != `Bearer realm="authstarter"` {
		t.Errorf("WWW-Authenticate = %q, want a bare Bearer challenge", got)
	}
	// The scheme name is case-insensitive; the query string is never read.
	if r := a.do(http.MethodGet, "/auth/self", nil, "Authorization", "bearer "+tok.AccessToken); r.Code != http.StatusOK {
		t.Errorf("lower-case scheme: status %d", r.Code)
	}
	a.do(http.MethodGet, "/auth/self?access_token="+tok.AccessToken, nil).wantError(http.StatusUnauthorized, "unauthorized")
	a.do(http.MethodGet, "/auth/self", nil, "Authorization", "Bearer "+strings.Repeat("x", 5000)).
		wantError(http.StatusUnauthorized, "invalid_token")
}

func TestHealthAndReadiness(t *testing.T) {
	a := newTestApp(t)
	if r := a.get("/healthz", ""); r.Code != http.StatusOK {
		t.Errorf("healthz: %d", r.Code)
	}
	if r := a.get("/readyz", ""); r.Code != http.StatusOK {
		t.Errorf("readyz: %d %s", r.Code, r.Body)
	}
	a.pool.Close()
	a.get("/readyz", "").wantError(http.StatusServiceUnavailable, "service_unavailable")
}

func TestLogsHoldNoSecrets(t *testing.T) {
	a := newTestApp(t)
	a.register("lena", goodPassword)
	tok := a.login("lena", goodPassword)
	a.get("/auth/self", tok.AccessToken)
	a.refresh(tok.RefreshToken)

	logs := a.log.String()
	for _, secret := range []string{goodPassword, tok.AccessToken, tok.RefreshToken, testSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains a secret: %q", secret[:10])
		}
	}
	if !strings.Contains(logs, `"path":"/auth/self"`) || !strings.Contains(logs, `"request_id"`) {
		t.Errorf("log lacks request lines: %s", logs)
	}
}

func TestRequestIDIsTheServers(t *testing.T) {
	a := newTestApp(t)
	r := a.do(http.MethodGet, "/healthz", nil, echo.HeaderXRequestID, "forged-id")
	if id := r.Header().Get(echo.HeaderXRequestID); id == "" || id == "forged-id" {
		t.Errorf("X-Request-Id = %q, want one the server made", id)
	}
	if strings.Contains(a.log.String(), "forged-id") {
		t.Errorf("the client's request id reached the log: %s", a.log.String())
	}
}

func TestClientThatLeftIsNoError(t *testing.T) {
	a := newTestApp(t)
	a.register("kim", goodPassword)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	form := url.Values{"grant_type": {"password"}, "username": {"kim"}, "password": {goodPassword}}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	logs := a.log.String()
	if rec.Body.Len() != 0 || strings.Contains(logs, "internal error") || !strings.Contains(logs, `"status":499`) {
		t.Errorf("a request whose client left: body %q; log %s; want no answer, no error, status 499 in the log",
			rec.Body, logs)
	}
}

func TestErrorDescriptionIsPrintableASCII(t *testing.T) {
	a := newTestApp(t)
	r := a.postJSON("/auth/register", `{"naïve\"\\field":1}`)
	r.wantError(http.StatusBadRequest, "invalid_request")
	desc := r.apiError().Description
	for _, ch := range desc {
		if ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\' {
			t.Fatalf("error_description %q holds %q", desc, ch)
		}
	}
	if !strings.Contains(desc, "unknown field") {
		t.Errorf("error_description %q does not say what is wrong", desc)
	}
}

func TestWrongTypeNamesTheJSONField(t *testing.T) {
	a := newTestApp(t)
	for body, want := range map[string]string{
		`{"username":1,"password":"x"}`:         "field username has the wrong type; want a string",
		`{"username":["a"],"password":"x"}`:     "field username has the wrong type; want a string",
		`{"username":"abc","password":true}`:    "field password has the wrong type; want a string",
		`{"username":"abc","password":{"a":1}}`: "field password has the wrong type; want a string",
	} {
		r := a.postJSON("/auth/register", body)
		r.wantError(http.StatusBadRequest, "invalid_request")
		if got := r.apiError().Description; got != want {
			t.Errorf("%s: error_description %q, want %q", body, got, want)
		}
	}
}

func TestAuthorizationHeaderIsParsedStrictly(t *testing.T) {
	a := newTestApp(t)
	a.register("quinn", goodPassword)
	tok := a.login("quinn", goodPassword)
	tests := []struct {
		name   string
		values []string
		status int
		code   string
	}{
		{"one space", []string{"Bearer " + tok.AccessToken}, 200, ""},
		{"several spaces", []string{"Bearer   " + tok.AccessToken}, 200, ""},
		{"lower-case scheme", []string{"bEaReR " + tok.AccessToken}, 200, ""},
		{"other scheme", []string{"Basic eDp5"}, 401, "unauthorized"},
		{"scheme alone", []string{"Bearer"}, 401, "invalid_token"},
		{"tab inside", []string{"Bearer " + tok.AccessToken + "\tx"}, 401, "invalid_token"},
		{"two headers, good second", []string{"Bearer garbage", "Bearer " + tok.AccessToken}, 401, "invalid_token"},
		{"two headers, other scheme first", []string{"Basic eDp5", "Bearer " + tok.AccessToken}, 401, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/auth/self", nil)
			for _, v := range tt.values {
				req.Header.Add("Authorization", v)
			}
			rec := httptest.NewRecorder()
			a.e.ServeHTTP(rec, req)
			r := response{ResponseRecorder: rec, t: t}
			if tt.code == "" {
				if r.Code != tt.status {
					t.Fatalf("status %d, want %d; body %s", r.Code, tt.status, r.Body)
				}
				return
			}
			r.wantError(tt.status, tt.code)
		})
	}
}

func TestTokenRoutesAreNeverCached(t *testing.T) {
	a := newTestApp(t)
	for _, r := range []response{
		a.do(http.MethodGet, "/auth/token", nil),
		a.do(http.MethodPut, "/auth/token/refresh", nil),
		a.do(http.MethodPost, "/auth/token", strings.NewReader(strings.Repeat("a=b&", 20<<10)),
			"Content-Type", "application/x-www-form-urlencoded"),
		a.postForm("/auth/token", url.Values{"grant_type": {"password"}}),
		a.do(http.MethodGet, "/auth/token/validate", nil),
	} {
		if cc, p := r.Header().Get("Cache-Control"), r.Header().Get("Pragma"); cc != "no-store" || p != "no-cache" {
			t.Errorf("status %d: Cache-Control %q, Pragma %q; want no-store, no-cache", r.Code, cc, p)
		}
	}
}

func TestHeadIsAnsweredWhereGetIs(t *testing.T) {
	a := newTestApp(t)
	srv := httptest.NewServer(WithHead(a.e))
	defer srv.Close()
	for path, want := range map[string]int{"/healthz": 200, "/auth/self": 401, "/auth/register": 405} {
		resp, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d with Content-Type %q, want %d with the GET's headers",
				path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}

func TestJSONBodiesMustBeUTF8(t *testing.T) {
	a := newTestApp(t)
	r := a.postJSON("/auth/register", "{\"username\":\"inv\xff\",\"password\":\""+goodPassword+"\"}")
	r.wantError(http.StatusBadRequest, "invalid_request")
	long := strings.Repeat("k", 5000)
	r = a.postJSON("/auth/register", `{"`+long+`":1}`)
	r.wantError(http.StatusBadRequest, "invalid_request")
	if d := r.apiError().Description; len(d) > 200 {
		t.Errorf("error_description echoes %d bytes of the field name", len(d))
	}
}

func TestJSONBodiesMustNotHaveLoneSurrogates(t *testing.T) {
	a := newTestApp(t)
	for _, name := range []string{`sur\ud800a`, `sur\udc00a`, `sur\ud800\u0041`, `sur\ud800`} {
		r := a.postJSON("/auth/register", `{"username":"`+name+`","password":"`+goodPassword+`"}`)
		r.wantError(http.StatusBadRequest, "invalid_request")
	}
	r := a.postJSON("/auth/register", `{"username":"ok","password":"`+goodPassword+` \ud800"}`)
	r.wantError(http.StatusBadRequest, "invalid_request")
	// A pair is one character; an escaped backslash before u is no escape.
	a.postJSON("/auth/register", `{"username":"pair\ud83d\ude00","password":"`+goodPassword+`"}`).
		wantStatus(http.StatusCreated)
	a.postJSON("/auth/register", `{"username":"slash","password":"`+goodPassword+` \\ud800"}`).
		wantStatus(http.StatusCreated)
}

func TestHasLoneSurrogate(t *testing.T) {
	for body, want := range map[string]bool{
		`{"a":"\ud800"}`:             true,
		`{"a":"\uDFFF"}`:             true,
		`{"a":"\ud800\n"}`:           true,
		`{"a":"\ud800\ud800"}`:       true,
		`{"\udc00":1}`:               true,
		`{"a":"\ud83d\ude00"}`:       false,
		`{"a":"\\ud800"}`:            false,
		`{"a":"\"\u0041"}`:           false,
		`{"a":"x"} \ud800`:           false, // outside a string: the decoder's business
		`{"a":"\u12"}`:               false, // malformed: the decoder's business
		`{"a":"\ud800\u12"}`:         true,
		`{"a":"\u00e9\ud800\udc00"}`: false,
	} {
		if got := hasLoneSurrogate([]byte(body)); got != want {
			t.Errorf("hasLoneSurrogate(%s) = %v, want %v", body, got, want)
		}
	}
}

func TestJSONBodyMustBeAnObject(t *testing.T) {
	a := newTestApp(t)
	a.register("rosa", goodPassword)
	tok := a.login("rosa", goodPassword)
	for _, body := range []string{`null`, `[]`, `"x"`, `1`, `true`} {
		a.postJSON("/auth/register", body).wantError(http.StatusBadRequest, "invalid_request")
		r := a.do(http.MethodPatch, "/auth/self", strings.NewReader(body),
			"Content-Type", "application/json", "Authorization", "Bearer "+tok.AccessToken)
		r.wantError(http.StatusBadRequest, "invalid_request")
	}
}

func TestNewServerBoundsSlowClients(t *testing.T) {
	s := NewServer(http.NotFoundHandler(), slog.Default())
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 {
		t.Errorf("server without a bound: %+v", s)
	}
}
