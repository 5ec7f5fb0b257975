package handlers

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// page lists users with the query and returns the page.
func (a *testApp) page(accessToken string, query url.Values) (names []string, next string) {
	a.t.Helper()
	var p struct {
		Items      []userBody `json:"items"`
		NextCursor *string    `json:"next_cursor"`
	}
	a.call(http.MethodGet, "/admin/users?"+query.Encode(), accessToken, "").expect(http.StatusOK).decode(&p)
	for _, u := range p.Items {
		names = append(names, u.Username)
	}
	if p.NextCursor != nil {
		if *p.NextCursor == "" {
			a.t.Fatal("next_cursor is empty rather than absent")
		}
		next = *p.NextCursor
	}
	return names, next
}

// insertUsers adds users named after each name, all in one statement, so
// they share one created_at and only their ids order them.
func (a *testApp) insertUsers(active bool, names ...string) {
	a.t.Helper()
	_, err := a.pool.Exec(a.t.Context(),
		"INSERT INTO users (username, password_hash, is_active) SELECT unnest($1::text[]), 'x', $2", names, active)
	if err != nil {
		a.t.Fatal(err)
	}
}

func TestListUsersPagesInAStableOrder(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	a.insertUsers(true, "u1", "u2", "u3", "u4", "u5", "u6", "u7")
	a.register("u8", goodPassword) // created later than the others

	var want []string
	rows, err := a.pool.Query(t.Context(), "SELECT username FROM users ORDER BY created_at, id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}

	var got []string
	var sizes []int
	query := url.Values{"limit": {"3"}}
	for range 10 {
		names, next := a.page(tok.AccessToken, query)
		got = append(got, names...)
		sizes = append(sizes, len(names))
		if next == "" {
			break
		}
		query.Set("cursor", next)
		// A user created between two pages comes at the end, never twice.
		if len(got) == 3 {
			a.register("u9", goodPassword)
			want = append(want, "u9")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages hold %v, want %v", got, want)
	}
	if !slices.Equal(sizes, []int{3, 3, 3, 1}) {
		t.Errorf("page sizes %v, want [3 3 3 1] and no cursor on the last", sizes)
	}
}

func TestListUsersPageSizeIsBounded(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	var names []string
	for i := range 210 {
		names = append(names, fmt.Sprintf("user%03d", i))
	}
	a.insertUsers(true, names...)

	if got, next := a.page(tok.AccessToken, nil); len(got) != 50 || next == "" {
		t.Errorf("default page: %d users, cursor %q; want 50 and a cursor", len(got), next)
	}
	if got, _ := a.page(tok.AccessToken, url.Values{"limit": {"200"}}); len(got) != 200 {
		t.Errorf("limit=200: %d users, want 200", len(got))
	}
	for _, limit := range []string{"0", "-1", "201", "100000"} {
		a.call(http.MethodGet, "/admin/users?limit="+limit, tok.AccessToken, "").
			wantError(http.StatusUnprocessableEntity, "validation_error")
	}
}

func TestListUsersFilters(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	a.insertUsers(true, "alice", "alfred", "bob", "a_b", "axb", "a%c", `a\d`, "abd")
	a.insertUsers(false, "alma", "bea")

	tests := []struct {
		query url.Values
		want  []string
	}{
		{url.Values{"username_prefix": {"AL"}}, []string{"alice", "alfred", "alma"}},
		{url.Values{"username_prefix": {" ＡＬ"}}, []string{"alice", "alfred", "alma"}},
		{url.Values{"username_prefix": {"a_"}}, []string{"a_b"}},
		{url.Values{"username_prefix": {"a%"}}, []string{"a%c"}},
		{url.Values{"username_prefix": {`a\`}}, []string{`a\d`}},
		{url.Values{"username_prefix": {"zzz"}}, nil},
		{url.Values{"is_active": {"false"}}, []string{"alma", "bea"}},
		{url.Values{"is_active": {"true"}, "username_prefix": {"al"}}, []string{"alice", "alfred"}},
		{url.Values{"is_active": {""}, "username_prefix": {"b"}}, []string{"bob", "bea"}},
	}
	for _, tt := range tests {
		t.Run(tt.query.Encode(), func(t *testing.T) {
			got, _ := a.page(tok.AccessToken, tt.query)
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListUsersRejectsBadQueries(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	forged := func(b byte) string { return base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{b}, 24)) }
	tests := []struct {
		name, query string
		status      int
		code        string
	}{
		{"garbage cursor", "cursor=%27%3B--", 400, "invalid_request"},
		{"cursor of the wrong length", "cursor=AAAA", 400, "invalid_request"},
		{"cursor beyond any date", "cursor=" + forged(0x7f), 400, "invalid_request"},
		{"cursor before any date", "cursor=" + forged(0x80), 400, "invalid_request"},
		{"limit not a number", "limit=ten", 400, "invalid_request"},
		{"limit repeated", "limit=1&limit=2", 400, "invalid_request"},
		{"unknown parameter", "active=false", 400, "invalid_request"},
		{"is_active not a boolean", "is_active=yes", 400, "invalid_request"},
		{"prefix with a space", "username_prefix=a%20b", 422, "validation_error"},
		{"prefix too long", "username_prefix=" + strings.Repeat("a", 65), 422, "validation_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.call(http.MethodGet, "/admin/users?"+tt.query, tok.AccessToken, "").wantError(tt.status, tt.code)
		})
	}
	// A well-formed cursor the service never issued is only a position.
	if got, _ := a.page(tok.AccessToken, url.Values{"cursor": {forged(0)}}); len(got) != 1 {
		t.Errorf("cursor at the epoch: %v, want root", got)
	}
}
