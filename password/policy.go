package password

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxLength is the most code points a password may have. It stops hashing
// floods of huge inputs; it is far above any passphrase a person types.
const MaxLength = 256

// Policy says which new passwords are acceptable.
type Policy struct {
	MinLength int // in Unicode code points
}

// PolicyError says why a password was refused, in words meant for the user.
type PolicyError struct{ Reason string }

func (e *PolicyError) Error() string { return e.Reason }

// ErrTooLong is returned by Normalize for a password over MaxLength.
var ErrTooLong = &PolicyError{Reason: fmt.Sprintf("password must be at most %d characters", MaxLength)}

// Normalize returns password in the one form that is hashed and compared:
// Unicode NFKC, so that the same characters typed on different keyboards match.
// Nothing is trimmed or truncated. It returns ErrTooLong for a password over
// MaxLength code points, checked before any costly work.
func Normalize(password string) (string, error) {
	if len(password) > 4*MaxLength || utf8.RuneCountInString(password) > MaxLength {
		return "", ErrTooLong
	}
	n := norm.NFKC.String(password)
	if utf8.RuneCountInString(n) > MaxLength {
		return "", ErrTooLong
	}
	return n, nil
}

// Check returns a *PolicyError when the normalized password may not be set as a
// new password, and nil when it may.
func (p Policy) Check(normalized, username string) error {
	switch n := utf8.RuneCountInString(normalized); {
	case !utf8.ValidString(normalized):
		return &PolicyError{Reason: "password must be valid UTF-8"}
	case n < p.MinLength:
		return &PolicyError{Reason: fmt.Sprintf("password must be at least %d characters", p.MinLength)}
	case n > MaxLength:
		return ErrTooLong
	case isCommon(normalized):
		return &PolicyError{Reason: "password is one of the most commonly used passwords; choose another"}
	case username != "" && strings.EqualFold(normalized, username):
		return &PolicyError{Reason: "password must not be the username"}
	}
	return nil
}

//go:embed common.txt
var commonList string

var common = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, line := range strings.Split(commonList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = struct{}{}
		}
	}
	return m
}()

func isCommon(password string) bool {
	_, ok := common[strings.ToLower(password)]
	return ok
}

// IsPolicyError reports whether err says why a password was refused.
func IsPolicyError(err error) bool {
	var pe *PolicyError
	return errors.As(err, &pe)
}
