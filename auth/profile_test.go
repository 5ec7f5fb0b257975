package auth

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestFieldTellsAbsentFromNullFromValue(t *testing.T) {
	tests := []struct {
		body      string
		set, null bool
		ptr       *string
	}{
		{`{}`, false, false, nil},
		{`{"username":null}`, true, true, nil},
		{`{"username":"ann"}`, true, false, new("ann")},
		{`{"username":""}`, true, false, new("")},
	}
	for _, tt := range tests {
		var p Profile
		if err := json.Unmarshal([]byte(tt.body), &p); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		f := p.Username
		got := f.Ptr()
		if f.Set != tt.set || f.Null != tt.null || (got == nil) != (tt.ptr == nil) || (got != nil && *got != *tt.ptr) {
			t.Errorf("%s: Set %v Null %v Ptr %v; want %v %v %v", tt.body, f.Set, f.Null, got, tt.set, tt.null, tt.ptr)
		}
	}
	var p Profile
	if err := json.Unmarshal([]byte(`{"username":42}`), &p); err == nil {
		t.Error("a number for a string field was accepted")
	}
}

func TestCanonicalUsername(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "Alice", want: "alice"},
		{in: "  ALICE\t", want: "alice"},
		{in: "ＡＬＩＣＥ", want: "alice"},    // full width
		{in: "Straße", want: "strasse"}, // full case folding
		{in: "ﬁle", want: "file"},       // a ligature, NFKC
		{in: "e\u0301", want: "\u00e9"}, // combining accent composes
		{in: strings.Repeat("a", 64), want: strings.Repeat("a", 64)},
		{in: strings.Repeat("a", 65), bad: true},
		{in: strings.Repeat("é", 300), bad: true},
		{in: "", bad: true},
		{in: "   ", bad: true},
		{in: "a b", bad: true},
		{in: "a\x00b", bad: true},
		{in: "a\u200bb", bad: true}, // zero-width space
		{in: "\xff\xfe", bad: true},
		{in: "alice\ufe0f", bad: true}, // variation selector
		{in: "alice\u034f", bad: true}, // combining grapheme joiner
		{in: "\u3164alice", bad: true}, // Hangul filler
		{in: "alice\u115f", bad: true},
		{in: "alice\u180b", bad: true}, // Mongolian variation selector
		{in: "alice\u17b4", bad: true},
		{in: "alice\u2800", bad: true}, // braille blank
		{in: "\u0301", bad: true},      // a lone combining mark
		{in: "\u0301a", bad: true},
	}
	for _, tt := range tests {
		got, err := CanonicalUsername(tt.in)
		var ve *ValidationError
		switch {
		case tt.bad && !errors.As(err, &ve):
			t.Errorf("CanonicalUsername(%q) = %q, %v; want a *ValidationError", tt.in, got, err)
		case !tt.bad && (err != nil || got != tt.want):
			t.Errorf("CanonicalUsername(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestRefreshMayNarrowButNeverWidenScope(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	if _, err := s.CreateUser(t.Context(), NewUser{Profile: Profile{Username: Of("root")},
		Password: testPassword, IsActive: true, IsSuperuser: true}); err != nil {
		t.Fatal(err)
	}
	admin, err := s.Login(t.Context(), "root", testPassword, "admin", Client{UserAgent: strings.Repeat("x", 1000)})
	if err != nil || admin.Scope != "admin" {
		t.Fatalf("admin login: %+v, %v", admin, err)
	}
	narrowed, err := s.Refresh(t.Context(), admin.RefreshToken, "admin")
	if err != nil || narrowed.Scope != "admin" {
		t.Fatalf("refresh keeping admin: %+v, %v", narrowed, err)
	}
	if _, err := s.Refresh(t.Context(), narrowed.RefreshToken, "root"); !errors.Is(err, ErrInvalidScope) {
		t.Errorf("refresh with an unknown scope: %v, want ErrInvalidScope", err)
	}

	mustRegister(t, s, "plain")
	user, err := s.Login(t.Context(), "plain", testPassword, "", Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(t.Context(), user.RefreshToken, "admin"); !errors.Is(err, ErrInvalidScope) {
		t.Errorf("refresh widening to admin: %v, want ErrInvalidScope", err)
	}
}

func TestEnsureSuperuserIsIdempotent(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	for i, want := range []Superuser{SuperuserCreated, SuperuserExists} {
		got, err := s.EnsureSuperuser(t.Context(), "Root", testPassword)
		if err != nil || got != want {
			t.Fatalf("call %d: %v, err %v; want %v", i+1, got, err, want)
		}
	}
	// An existing user is left alone, whatever the password given.
	if got, err := s.EnsureSuperuser(t.Context(), "ROOT", "x"); err != nil || got != SuperuserExists {
		t.Errorf("existing superuser with a password the policy refuses: %v, %v; want SuperuserExists", got, err)
	}
	mustRegister(t, s, "plain")
	if got, err := s.EnsureSuperuser(t.Context(), "plain", testPassword); err != nil || got != SuperuserNameIsTaken {
		t.Errorf("existing ordinary user: %v, %v; want SuperuserNameIsTaken", got, err)
	}
	if _, err := s.EnsureSuperuser(t.Context(), "", testPassword); err == nil {
		t.Error("an empty username was accepted")
	}
	if _, err := s.EnsureSuperuser(t.Context(), "fresh", "x"); err == nil {
		t.Error("a new superuser with a password the policy refuses was created")
	}
}

func TestRefusedScopeLeavesTheRefreshTokenUsable(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	mustRegister(t, s, "sam")
	pair, err := s.Login(t.Context(), "sam", testPassword, "", Client{UserAgent: "Mozilla\xff"})
	if err != nil {
		t.Fatalf("login with an invalid UTF-8 user agent: %v", err)
	}
	for _, scope := range []string{"admin", "nonsense"} {
		if _, err := s.Refresh(t.Context(), pair.RefreshToken, scope); !errors.Is(err, ErrInvalidScope) {
			t.Fatalf("refresh asking for %q: %v, want ErrInvalidScope", scope, err)
		}
	}
	if _, err := s.Refresh(t.Context(), pair.RefreshToken, ""); err != nil {
		t.Errorf("refresh after refused scopes: %v, want the token still usable", err)
	}
}

func TestDemotedSuperuserCannotRefreshAnAdminSession(t *testing.T) {
	s := newTestService(t, fastParams, Config{})
	root, err := s.CreateUser(t.Context(), NewUser{Profile: Profile{Username: Of("root")},
		Password: testPassword, IsActive: true, IsSuperuser: true})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.Login(t.Context(), "root", testPassword, "admin", Client{})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.Login(t.Context(), "root", testPassword, "", Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), "UPDATE users SET is_superuser = false WHERE id = $1", root.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(t.Context(), admin.RefreshToken, ""); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("refresh of an admin session after demotion: %v, want ErrInvalidGrant", err)
	}
	if _, err := s.Refresh(t.Context(), plain.RefreshToken, ""); err != nil {
		t.Errorf("refresh of a session without admin after demotion: %v", err)
	}
}
