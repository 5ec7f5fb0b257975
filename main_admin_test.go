package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"authstarter/internal/testdb"
)

const superPassword = "a long enough passphrase"

// superusers returns "name:active:superuser" for every user, by name.
func superusers(t *testing.T, databaseURL string) []string {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(t.Context(), `SELECT username || ':' || is_active || ':' || is_superuser
		FROM users ORDER BY username`)
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	return users
}

func TestCreateSuperuserCommand(t *testing.T) {
	dbURL := testdb.URL(t)
	run := func(stdin string, environ []string, args ...string) (string, error) {
		var out syncBuffer
		a := &app{
			environ: append([]string{"DATABASE_URL=" + dbURL, "AUTH_SECRET_KEY=" + testSecret}, environ...),
			stdin:   strings.NewReader(stdin), stdout: &out, stderr: &out,
		}
		err := a.run(t.Context(), append([]string{"createsuperuser"}, args...))
		return out.String(), err
	}
	tests := []struct {
		name, stdin string
		environ     []string
		args        []string
		want        string // in the output
	}{
		{"flags", "", nil, []string{"-username", " Root ", "-password", superPassword}, `created superuser "root"`},
		{"flags again", "", nil, []string{"-username", "ROOT", "-password", "x"}, "a superuser named \"root\" already exists; left unchanged"},
		{"environment", "", []string{"AUTH_FIRST_SUPERUSER=envy", "AUTH_FIRST_SUPERUSER_PASSWORD=" + superPassword}, nil, `created superuser "envy"`},
		{"prompts", "Promptly\r\n" + superPassword + "\n", nil, nil, "Username: Password: created superuser \"promptly\""},
		{"prompt for the password only", superPassword, nil, []string{"-username", "halfway"}, `created superuser "halfway"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(tt.stdin, tt.environ, tt.args...)
			if err != nil || !strings.Contains(out, tt.want) {
				t.Errorf("output %q, error %v; want %q", out, err, tt.want)
			}
		})
	}
	want := []string{"envy:true:true", "halfway:true:true", "promptly:true:true", "root:true:true"}
	if got := superusers(t, dbURL); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("users = %v, want %v", got, want)
	}

	for _, bad := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"no input to prompt from", "", nil, "no input"},
		{"no password to prompt for", "", []string{"-username", "nopass"}, "read password: no input"},
		{"weak password", "", []string{"-username", "weak", "-password", "password"}, "password"},
		{"bad username", "", []string{"-username", "two words", "-password", superPassword}, "username"},
		{"unknown flag", "", []string{"-admin"}, "flag provided but not defined"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			if out, err := run(bad.stdin, nil, bad.args...); err == nil || !strings.Contains(err.Error()+out, bad.want) {
				t.Errorf("error %v, output %q; want an error about %q", err, out, bad.want)
			}
		})
	}
	if got := superusers(t, dbURL); len(got) != len(want) {
		t.Errorf("users after refused commands = %v, want %v", got, want)
	}

	if out, err := run("", nil, "-h"); err != nil || !strings.Contains(out, "-username") {
		t.Errorf("createsuperuser -h: %q, %v; want the usage and no error", out, err)
	}

	// An ordinary user of that name is left as they are, and the output says
	// they are no superuser.
	pool, err := pgxpool.New(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), "INSERT INTO users (username, password_hash) VALUES ('plain', 'x')"); err != nil {
		t.Fatal(err)
	}
	_, err = run("", nil, "-username", "plain", "-password", superPassword)
	if err == nil || !strings.Contains(err.Error(), "is not an active superuser; left unchanged") {
		t.Errorf("createsuperuser for an ordinary user: %v, want an error saying so", err)
	}
	if got := superusers(t, dbURL); !slices.Contains(got, "plain:true:false") {
		t.Errorf("users = %v, want plain left an ordinary user", got)
	}
}

// TestFirstSuperuserIsCreatedAtStartup starts the real server twice on one
// database with AUTH_FIRST_SUPERUSER set: the first start creates the
// superuser, who can use the admin routes; the second leaves it alone.
func TestFirstSuperuserIsCreatedAtStartup(t *testing.T) {
	dbURL := testdb.URL(t)
	settings := []string{"DATABASE_URL=" + dbURL, "AUTH_FIRST_SUPERUSER=Boss", "AUTH_FIRST_SUPERUSER_PASSWORD=" + superPassword}

	s := startServer(t, settings...)
	if !strings.Contains(s.stderr.String(), `"msg":"created first superuser"`) {
		t.Errorf("first start did not log the creation:\n%s", s.stderr)
	}
	resp, err := http.PostForm(s.url+"/auth/token", url.Values{"grant_type": {"password"},
		"username": {"boss"}, "password": {superPassword}, "scope": {"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("admin login: status %d, %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.url+"/admin/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /admin/users as the first superuser: status %d", resp.StatusCode)
	}
	s.stop(t)

	again := startServer(t, append(settings, "AUTH_FIRST_SUPERUSER_PASSWORD=a different passphrase")...)
	again.stop(t)
	if strings.Contains(again.stderr.String(), "created first superuser") {
		t.Errorf("second start created the superuser again:\n%s", again.stderr)
	}
	if got := superusers(t, dbURL); len(got) != 1 || got[0] != "boss:true:true" {
		t.Errorf("users = %v, want only boss, an active superuser", got)
	}
}

func TestThrottleSettingsAreCheckedAndUsed(t *testing.T) {
	base := []string{"DATABASE_URL=postgres://x@127.0.0.1:1/x", "AUTH_SECRET_KEY=" + testSecret}
	for _, tt := range []struct{ setting, want string }{
		{"AUTH_LOGIN_MAX_FAILURES=-1", "AUTH_LOGIN_MAX_FAILURES"},
		{"AUTH_LOGIN_MAX_FAILURES=many", "AUTH_LOGIN_MAX_FAILURES"},
		{"AUTH_LOGIN_LOCKOUT=0s", "AUTH_LOGIN_LOCKOUT"},
		{"AUTH_IP_RATE=-1", "AUTH_IP_RATE"},
		{"AUTH_IP_RATE=fast", "AUTH_IP_RATE"},
		{"AUTH_IP_BURST=0", "AUTH_IP_BURST"},
	} {
		a := &app{environ: append(base, tt.setting), stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
		if err := a.run(t.Context(), nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to name %s", tt.setting, err, tt.want)
		}
	}

	s := startServer(t, "AUTH_LOGIN_MAX_FAILURES=1", "AUTH_IP_RATE=0.01", "AUTH_IP_BURST=3")
	var codes []int
	for _, name := range []string{"nobody", "nobody", "noone", "nemo"} {
		resp, err := http.PostForm(s.url+"/auth/token", url.Values{"grant_type": {"password"},
			"username": {name}, "password": {"wrong password"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	// One failure locks a name; the fourth request exceeds the address's burst.
	if got, want := fmt.Sprint(codes), "[400 429 400 429]"; got != want {
		t.Errorf("statuses %s, want %s", got, want)
	}
}
