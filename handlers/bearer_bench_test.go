package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"authstarter/auth"
	"authstarter/token"
)

// bearerBench returns an Echo with one route behind requireBearer that returns
// a constant, and a valid access token for it. It needs no database: the
// middleware only verifies the token.
func bearerBench(b *testing.B) (*echo.Echo, string) {
	b.Helper()
	issuer, err := token.NewIssuer(token.Config{
		Secret: []byte(testSecret), Issuer: "test-issuer", Audience: "test-api", AccessTTL: time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	h := &Handler{svc: auth.New(nil, nil, issuer, auth.Config{}), log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	e := echo.New()
	e.HTTPErrorHandler = h.errorHandler
	e.GET("/constant", func(c echo.Context) error {
		return c.String(http.StatusOK, claims(c).Subject)
	}, h.requireBearer())
	tok, _, err := issuer.Access(uuid.New(), uuid.New(), "")
	if err != nil {
		b.Fatal(err)
	}
	return e, tok
}

func BenchmarkRequireBearer(b *testing.B) {
	e, tok := bearerBench(b)
	req := httptest.NewRequest(http.MethodGet, "/constant", nil)
	req.Header.Set(echo.HeaderAuthorization, "Bearer "+tok)
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkRequireBearerRejects(b *testing.B) {
	e, tok := bearerBench(b)
	req := httptest.NewRequest(http.MethodGet, "/constant", nil)
	req.Header.Set(echo.HeaderAuthorization, "Bearer "+tok[:len(tok)-4]+"AAAA")
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkConstantRoute is the same route without the middleware: the
// difference with BenchmarkRequireBearer is the middleware's cost.
func BenchmarkConstantRoute(b *testing.B) {
	e := echo.New()
	e.GET("/constant", func(c echo.Context) error { return c.String(http.StatusOK, "x") })
	req := httptest.NewRequest(http.MethodGet, "/constant", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
	}
}
