//go:build extend

// This test proves the README's "Adding a user field" walkthrough: `make
// check-extend` applies the walkthrough to a copy of the repository, then runs
// it with -tags extend. It is not built otherwise, since it needs the email
// field the walkthrough adds.

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// call sends a request with an optional JSON body and bearer token, and returns
// the status and the decoded JSON body.
func call(t *testing.T, method, u, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: body %q is not a JSON object", method, u, raw)
		}
	}
	return resp.StatusCode, m
}

func accessToken(t *testing.T, base, username, password, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	if scope != "" {
		form.Set("scope", scope)
	}
	resp, err := http.PostForm(base+"/auth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("login %s: status %d, %v", username, resp.StatusCode, err)
	}
	return tok.AccessToken
}

func TestExtendEmailField(t *testing.T) {
	const pw = "correct horse battery staple"
	s := startServer(t, "AUTH_FIRST_SUPERUSER=root", "AUTH_FIRST_SUPERUSER_PASSWORD="+pw)

	// Registration accepts the field, and validates it.
	code, body := call(t, "POST", s.url+"/auth/register", "", `{"username":"mail-bad","password":"`+pw+`","email":"not an address"}`)
	if code != http.StatusUnprocessableEntity || body["error"] != "validation_error" {
		t.Fatalf("register with a malformed email: %d %v, want 422 validation_error", code, body)
	}
	code, body = call(t, "POST", s.url+"/auth/register", "", `{"username":"mia","password":"`+pw+`","email":"mia@example.com"}`)
	if code != http.StatusCreated || body["email"] != "mia@example.com" {
		t.Fatalf("register with an email: %d %v, want 201 with the email", code, body)
	}
	id := body["id"].(string)

	// It is stored in the new column.
	conn, err := pgx.Connect(t.Context(), s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var stored *string
	if err := conn.QueryRow(t.Context(), "SELECT email FROM users WHERE id = $1", id).Scan(&stored); err != nil ||
		stored == nil || *stored != "mia@example.com" {
		t.Fatalf("stored email = %v (err %v), want mia@example.com", stored, err)
	}

	// /auth/self returns it; PATCH changes it, refuses a malformed one, and
	// clears it with null.
	tok := accessToken(t, s.url, "mia", pw, "")
	if code, body = call(t, "GET", s.url+"/auth/self", tok, ""); code != http.StatusOK || body["email"] != "mia@example.com" {
		t.Fatalf("GET /auth/self: %d %v, want the email", code, body)
	}
	if code, body = call(t, "PATCH", s.url+"/auth/self", tok, `{"email":"mia@example.org"}`); code != http.StatusOK || body["email"] != "mia@example.org" {
		t.Fatalf("PATCH email: %d %v, want the new email", code, body)
	}
	if code, body = call(t, "PATCH", s.url+"/auth/self", tok, `{"email":"@@"}`); code != http.StatusUnprocessableEntity {
		t.Fatalf("PATCH malformed email: %d %v, want 422", code, body)
	}
	if code, body = call(t, "PATCH", s.url+"/auth/self", tok, `{"email":null}`); code != http.StatusOK || body["email"] != nil {
		t.Fatalf("PATCH email null: %d %v, want it cleared", code, body)
	}

	// The admin routes show and set it.
	admin := accessToken(t, s.url, "root", pw, "admin")
	if code, body = call(t, "PATCH", s.url+"/admin/users/"+id, admin, `{"email":"mia@example.net"}`); code != http.StatusOK || body["email"] != "mia@example.net" {
		t.Fatalf("admin PATCH email: %d %v", code, body)
	}
	if code, body = call(t, "GET", s.url+"/admin/users/"+id, admin, ""); code != http.StatusOK || body["email"] != "mia@example.net" {
		t.Fatalf("admin GET user: %d %v, want the email", code, body)
	}
	if code, body = call(t, "POST", s.url+"/admin/users", admin, `{"username":"max","password":"`+pw+`","email":"max@example.com"}`); code != http.StatusCreated || body["email"] != "max@example.com" {
		t.Fatalf("admin POST user: %d %v, want the email", code, body)
	}

	// The OpenAPI document describes it, on the user and on registration.
	code, doc := call(t, "GET", s.url+"/openapi.json", "", "")
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range []string{"User", "RegisterRequest", "ProfileUpdate", "CreateUserRequest", "UpdateUserRequest"} {
		props, _ := schemas[name].(map[string]any)["properties"].(map[string]any)
		if code != http.StatusOK || props["email"] == nil {
			t.Errorf("openapi.json: schema %s has no email property (status %d)", name, code)
		}
	}
}
