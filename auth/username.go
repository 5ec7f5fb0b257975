package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MaxUsernameLength is the most code points a canonical username may have; the
// database enforces the same bound.
const MaxUsernameLength = 64

var folder = cases.Fold()

// CanonicalUsername returns the one form in which usernames are stored and
// compared: NFKC, case-folded, lower-cased and trimmed, so that "Alice",
// " alice " and "ＡＬＩＣＥ" are the same user. It returns a *ValidationError
// for a username that is empty, too long, or holds spaces or control characters.
func CanonicalUsername(s string) (string, error) {
	if len(s) > 4*MaxUsernameLength+64 {
		return "", &ValidationError{Field: "username", Reason: "must be at most 64 characters"}
	}
	c := foldUsername(s)
	switch n := utf8.RuneCountInString(c); {
	case !utf8.ValidString(s):
		return "", &ValidationError{Field: "username", Reason: "must be valid UTF-8"}
	case n == 0:
		return "", &ValidationError{Field: "username", Reason: "is required"}
	case n > MaxUsernameLength:
		return "", &ValidationError{Field: "username", Reason: "must be at most 64 characters"}
	}
	for i, r := range c {
		if unicode.IsSpace(r) || !unicode.IsGraphic(r) || invisible(r) {
			return "", &ValidationError{Field: "username", Reason: "must not contain spaces, control or invisible characters"}
		}
		if i == 0 && unicode.Is(unicode.M, r) {
			return "", &ValidationError{Field: "username", Reason: "must not start with a combining mark"}
		}
	}
	return c, nil
}

// foldUsername returns s in canonical form, without checking that the result
// is an acceptable username.
func foldUsername(s string) string {
	c := norm.NFKC.String(s)
	c = strings.ToLower(folder.String(c))
	return strings.TrimSpace(norm.NFKC.String(c))
}

// invisible reports whether r renders as nothing (Unicode's default-ignorable
// code points: variation selectors, joiners, fillers) or as a blank, so that
// "alice" and "alice" followed by one of them cannot be two users.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.Cf) ||
		r == '\u2800' // BRAILLE PATTERN BLANK
}
