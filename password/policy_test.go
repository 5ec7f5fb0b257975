package password

import (
	"errors"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	p := Policy{MinLength: 8}
	tests := []struct {
		name, password, username string
		wantReason               string // empty: accepted
	}{
		{"seven multi-byte code points", "ünïcödé", "", "password must be at least 8 characters"},
		{"eight multi-byte code points", "ünïcödéé", "", ""},
		{"spaces are fine", "a b c d e f", "", ""},
		{"64 code points", strings.Repeat("é", 64), "", ""},
		{"MaxLength code points", strings.Repeat("x", MaxLength-1) + "y", "", ""},
		{"over MaxLength", strings.Repeat("x", MaxLength+1), "", "password must be at most 256 characters"},
		{"too short", "abc", "", "password must be at least 8 characters"},
		{"common", "password123", "", "password is one of the most commonly used passwords; choose another"},
		{"common in another case", "PassWord123", "", "password is one of the most commonly used passwords; choose another"},
		{"the username", "Alice-Wonder", "alice-wonder", "password must not be the username"},
		{"invalid UTF-8", "abcdefgh\xff", "", "password must be valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Check(tt.password, tt.username)
			var got string
			if err != nil {
				got = err.Error()
				if !IsPolicyError(err) {
					t.Errorf("err %v is not a *PolicyError", err)
				}
			}
			if got != tt.wantReason {
				t.Errorf("Check(%q) = %q, want %q", tt.password, got, tt.wantReason)
			}
		})
	}
	if err := (Policy{MinLength: 15}).Check("fourteen chars", ""); err == nil {
		t.Error("a 15-character minimum accepted 14 characters")
	}
	if IsPolicyError(errors.New("other")) {
		t.Error("IsPolicyError(other error) = true")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"ASCII unchanged", "Correct Horse", "Correct Horse", nil},
		{"spaces kept, not trimmed", "  pass word  ", "  pass word  ", nil},
		{"full-width letters", "ｐａｓｓ", "pass", nil},
		{"ligature", "ﬁne", "fine", nil},
		{"composed and decomposed e-acute agree", "cafe\u0301", "caf\u00e9", nil},
		{"MaxLength code points", strings.Repeat("é", MaxLength), strings.Repeat("é", MaxLength), nil},
		{"over MaxLength code points", strings.Repeat("é", MaxLength+1), "", ErrTooLong},
		{"over MaxLength after NFKC", strings.Repeat("ﬃ", MaxLength/2), "", ErrTooLong},
		{"huge input", strings.Repeat("x", 10*MaxLength), "", ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("Normalize = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
