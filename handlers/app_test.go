package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"authstarter/auth"
	"authstarter/internal/testdb"
	"authstarter/password"
	"authstarter/token"
)

// testSecret signs tokens in tests only.
const testSecret = "test-secret-test-secret-test-secret-0123456789"

// fastParams keep hashing cheap in handler tests; the password package tests
// the production parameters.
var fastParams = password.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// testApp is the real Echo application on a fresh database.
type testApp struct {
	t    *testing.T
	e    *echo.Echo
	svc  *auth.Service
	pool *pgxpool.Pool
	log  *strings.Builder
}

type (
	authConfig  = auth.Config
	tokenConfig = token.Config
	appOption   func(*authConfig, *tokenConfig)
)

func newTestApp(t *testing.T, opts ...appOption) *testApp {
	t.Helper()
	pool := testdb.New(t)
	cfg := auth.Config{
		RefreshTTL:        time.Hour,
		RefreshReuseGrace: 0,
		OpenRegistration:  true,
		Policy:            password.Policy{MinLength: 8},
	}
	tcfg := token.Config{Secret: []byte(testSecret), Issuer: "test-issuer", Audience: "test-api", AccessTTL: time.Minute}
	for _, o := range opts {
		o(&cfg, &tcfg)
	}
	issuer, err := token.NewIssuer(tcfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.New(pool, password.NewHasher(fastParams, 2), issuer, cfg)
	logs := &strings.Builder{}
	e := New(Options{Service: svc, Pool: pool, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	return &testApp{t: t, e: e, svc: svc, pool: pool, log: logs}
}

// response is a recorded response with helpers to read it.
type response struct {
	*httptest.ResponseRecorder
	t *testing.T
}

// decode unmarshals the body into v, failing the test on malformed JSON.
func (r response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		r.t.Fatalf("decode %q: %v", r.Body.String(), err)
	}
}

// apiError returns the body as the error shape.
func (r response) apiError() Error {
	r.t.Helper()
	var e Error
	r.decode(&e)
	return e
}

// wantError fails unless the response is the error shape with status and code.
func (r response) wantError(status int, code string) {
	r.t.Helper()
	if r.Code != status {
		r.t.Fatalf("status = %d, want %d; body %s", r.Code, status, r.Body)
	}
	if got := r.apiError(); got.Code != code || got.Description == "" {
		r.t.Fatalf("error = %+v, want code %q with a description", got, code)
	}
}

// do sends a request through the Echo app; headers come as name, value pairs.
// It fails the test when the response does not match the API document.
func (a *testApp) do(method, path string, body io.Reader, headers ...string) response {
	a.t.Helper()
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	a.checkContract(req, rec)
	return response{ResponseRecorder: rec, t: a.t}
}

func (a *testApp) postJSON(path, body string, headers ...string) response {
	a.t.Helper()
	return a.do(http.MethodPost, path, strings.NewReader(body),
		append([]string{echo.HeaderContentType, echo.MIMEApplicationJSON}, headers...)...)
}

func (a *testApp) postForm(path string, form url.Values, headers ...string) response {
	a.t.Helper()
	return a.do(http.MethodPost, path, strings.NewReader(form.Encode()),
		append([]string{echo.HeaderContentType, echo.MIMEApplicationForm}, headers...)...)
}

func (a *testApp) get(path, accessToken string) response {
	a.t.Helper()
	if accessToken == "" {
		return a.do(http.MethodGet, path, nil)
	}
	return a.do(http.MethodGet, path, nil, echo.HeaderAuthorization, "Bearer "+accessToken)
}

// register creates a user through the API and fails the test unless it worked.
func (a *testApp) register(username, pw string) userBody {
	a.t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": pw})
	r := a.postJSON("/auth/register", string(body))
	if r.Code != http.StatusCreated {
		a.t.Fatalf("register %q: status %d, body %s", username, r.Code, r.Body)
	}
	var u userBody
	r.decode(&u)
	return u
}

// login runs the password grant and fails the test unless it worked.
func (a *testApp) login(username, pw string, scope ...string) tokenResponse {
	a.t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {pw}}
	if len(scope) > 0 {
		form.Set("scope", scope[0])
	}
	r := a.postForm("/auth/token", form)
	if r.Code != http.StatusOK {
		a.t.Fatalf("login %q: status %d, body %s", username, r.Code, r.Body)
	}
	var tok tokenResponse
	r.decode(&tok)
	return tok
}

func (a *testApp) refresh(refreshToken string) response {
	a.t.Helper()
	return a.postForm("/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// userBody is a user as the API returns it, with every field it may carry.
type userBody struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	IsActive     bool      `json:"is_active"`
	IsSuperuser  bool      `json:"is_superuser"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	PasswordHash *string   `json:"password_hash"`
}
