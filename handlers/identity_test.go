package handlers

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// protectedFields are what no client may set, in the spellings and letter
// cases an attacker would try.
var protectedFields = []string{
	`"is_superuser":true`, `"IS_SUPERUSER":true`, `"Is_Superuser":true`, `"isSuperuser":true`, `"IsSuperuser":true`,
	`"is_active":false`, `"IS_ACTIVE":false`, `"isActive":false`,
	`"password_hash":"$argon2id$v=19$m=1024,t=1,p=1$AAAA$AAAA"`,
	`"PASSWORD_HASH":"x"`, `"passwordHash":"x"`, `"PasswordHash":"x"`,
	`"id":"00000000-0000-0000-0000-000000000001"`, `"ID":"00000000-0000-0000-0000-000000000001"`,
	`"Id":"00000000-0000-0000-0000-000000000001"`,
	`"created_at":"2000-01-01T00:00:00Z"`, `"CREATED_AT":"2000-01-01T00:00:00Z"`, `"createdAt":"2000-01-01T00:00:00Z"`,
	`"updated_at":"2000-01-01T00:00:00Z"`, `"UpdatedAt":"2000-01-01T00:00:00Z"`,
}

// TestRegisterCannotSetProtectedFields is rule 9 for registration.
func TestRegisterCannotSetProtectedFields(t *testing.T) {
	a := newTestApp(t)
	for _, field := range protectedFields {
		t.Run(field, func(t *testing.T) {
			r := a.postJSON("/auth/register", `{"username":"mallory","password":"`+goodPassword+`",`+field+`}`)
			r.wantError(http.StatusBadRequest, "invalid_request")
		})
	}
	// Field names match letter for letter, and only once.
	for _, body := range []string{
		`{"USERNAME":"mallory","password":"` + goodPassword + `"}`,
		`{"username":"mallory","Password":"` + goodPassword + `"}`,
		`{"username":"mallory","username":"root","password":"` + goodPassword + `"}`,
	} {
		t.Run(body, func(t *testing.T) {
			a.postJSON("/auth/register", body).wantError(http.StatusBadRequest, "invalid_request")
		})
	}
	if n := a.countUsers("true"); n != 0 {
		t.Fatalf("%d users created by refused bodies", n)
	}

	// The query string is never read.
	r := a.postJSON("/auth/register?is_superuser=true&is_active=false&id=00000000-0000-0000-0000-000000000001"+
		"&created_at=2000-01-01T00:00:00Z&username=root", `{"username":"mallory","password":"`+goodPassword+`"}`)
	u := r.expect(http.StatusCreated).user()
	if u.Username != "mallory" || u.IsSuperuser || !u.IsActive || u.ID == "00000000-0000-0000-0000-000000000001" ||
		time.Since(u.CreatedAt) > time.Minute {
		t.Errorf("user = %+v: the query string was read", u)
	}
}

// TestAdminRoutesBindFieldsExactly is rule 9 for the admin routes: they may
// set flags, but only under their exact names, and never ids, hashes or
// timestamps.
func TestAdminRoutesBindFieldsExactly(t *testing.T) {
	a := newTestApp(t)
	_, tok := a.superuser("root")
	vic := a.register("vic", goodPassword)
	for _, field := range protectedFields {
		if strings.HasPrefix(field, `"is_`) {
			continue // the admin routes do take these
		}
		t.Run(field, func(t *testing.T) {
			a.call(http.MethodPost, "/admin/users", tok.AccessToken,
				`{"username":"mallory","password":"`+goodPassword+`",`+field+`}`).
				wantError(http.StatusBadRequest, "invalid_request")
			a.call(http.MethodPatch, "/admin/users/"+vic.ID, tok.AccessToken, `{`+field+`}`).
				wantError(http.StatusBadRequest, "invalid_request")
		})
	}
	r := a.call(http.MethodPatch, "/admin/users/"+vic.ID+"?is_superuser=true&username=root", tok.AccessToken, `{}`)
	if got := r.expect(http.StatusOK).user(); got != vic {
		t.Errorf("after a PATCH with only a query string: %+v, want %+v", got, vic)
	}
	if n := a.countUsers("username = 'mallory'"); n != 0 {
		t.Errorf("refused bodies created mallory")
	}
}

// TestUsernamesAreStoredOnlyInCanonicalForm is rule 11: the database refuses
// what the application would have canonicalised.
func TestUsernamesAreStoredOnlyInCanonicalForm(t *testing.T) {
	a := newTestApp(t)
	names := []string{"Alice", " alice", "alice ", "ａｌｉｃｅ", "ﬁsh", "", strings.Repeat("a", 65)}
	for _, name := range names {
		_, err := a.pool.Exec(t.Context(), "INSERT INTO users (username, password_hash) VALUES ($1, 'x')", name)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23514" || pgErr.ConstraintName != "users_username_canonical" {
			t.Errorf("raw INSERT of %q: %v, want the users_username_canonical check to refuse it", name, err)
		}
	}
	_, err := a.pool.Exec(t.Context(), "INSERT INTO users (username, password_hash) VALUES ('alice', 'x')")
	if err != nil {
		t.Errorf("raw INSERT of a canonical name: %v", err)
	}
}

// TestConcurrentRegistrationsOfOneNameMakeOneUser is rule 11: of many
// spellings of one name registered at once, one wins and the rest get 409.
func TestConcurrentRegistrationsOfOneNameMakeOneUser(t *testing.T) {
	a := newTestApp(t)
	spellings := []string{"Zelda", "ZELDA", "zelda", " zelda ", "ｚｅｌｄａ",
		"ＺＥＬＤＡ", "zElDa", "\tZelda\n", "Zelda ", "ZeLdA"}
	codes := make([]int, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			name := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`).Replace(spellings[i%len(spellings)])
			codes[i] = a.postJSON("/auth/register", `{"username":"`+name+`","password":"`+goodPassword+`"}`).Code
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != len(codes)-1 {
		t.Errorf("statuses %v, want one 201 and %d × 409", count, len(codes)-1)
	}
	if n := a.countUsers("username = 'zelda'"); n != 1 {
		t.Errorf("%d users named zelda, want 1", n)
	}
}

// TestSelfUpdateBindsFieldsExactly is rule 9 for PATCH /auth/self: exact-case
// binding applies to every JSON route.
func TestSelfUpdateBindsFieldsExactly(t *testing.T) {
	a := newTestApp(t)
	walt := a.register("walt", goodPassword)
	tok := a.login("walt", goodPassword)
	for _, field := range append(protectedFields, `"USERNAME":"root"`, `"Username":"root"`) {
		t.Run(field, func(t *testing.T) {
			a.call(http.MethodPatch, "/auth/self", tok.AccessToken, `{`+field+`}`).
				wantError(http.StatusBadRequest, "invalid_request")
		})
	}
	r := a.call(http.MethodPatch, "/auth/self?is_superuser=true&username=root", tok.AccessToken, `{}`)
	if got := r.expect(http.StatusOK).user(); got != walt {
		t.Errorf("after a PATCH with only a query string: %+v, want %+v", got, walt)
	}
}
