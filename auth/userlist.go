package auth

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"authstarter/db/sqlc"
)

// Page sizes of ListUsers.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ErrInvalidCursor: a page cursor that ListUsers did not issue.
var ErrInvalidCursor = errors.New("auth: invalid cursor")

// UserFilter selects a page of users for ListUsers.
type UserFilter struct {
	// UsernamePrefix keeps the users whose canonical username starts with the
	// canonical form of this; empty keeps all.
	UsernamePrefix string
	// IsActive, when not nil, keeps the users whose is_active equals it.
	IsActive *bool
	// Cursor is the Next of the previous page; empty for the first page.
	Cursor string
	// Limit is the page size, from 1 to MaxPageSize.
	Limit int
}

// UserPage is one page of users and the cursor of the next page, which is
// empty on the last page.
type UserPage struct {
	Users []sqlc.User
	Next  string
}

// ListUsers returns one page of users in a stable order (creation time, then
// id), which new users never disturb: the cursor is a position in that order
// (keyset pagination), not an offset. It returns a *ValidationError for a
// limit out of range or a malformed prefix, and ErrInvalidCursor.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) (UserPage, error) {
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return UserPage{}, &ValidationError{Field: "limit",
			Reason: fmt.Sprintf("must be between 1 and %d", MaxPageSize)}
	}
	pattern := "%"
	if f.UsernamePrefix != "" {
		prefix, err := CanonicalUsername(f.UsernamePrefix)
		if err != nil {
			var v *ValidationError
			if errors.As(err, &v) {
				return UserPage{}, &ValidationError{Field: "username_prefix", Reason: v.Reason}
			}
			return UserPage{}, err
		}
		pattern = escapeLike(prefix) + "%"
	}
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return UserPage{}, err
	}

	users, err := s.q.ListUsersPage(ctx, sqlc.ListUsersPageParams{
		UsernamePattern: pattern,
		IsActive:        f.IsActive,
		AfterCreatedAt:  after.createdAt,
		AfterID:         after.id,
		RowLimit:        int32(f.Limit + 1), // one more tells whether a next page exists
	})
	if err != nil {
		return UserPage{}, wrap("list users", err)
	}
	page := UserPage{Users: users}
	if len(users) > f.Limit {
		page.Users = users[:f.Limit]
		last := page.Users[f.Limit-1]
		page.Next = cursor{createdAt: last.CreatedAt, id: last.ID}.encode()
	}
	return page, nil
}

// escapeLike makes s match itself literally in a LIKE pattern whose escape
// character is the backslash (PostgreSQL's default).
var escapeLike = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace

// cursor is a position in the (created_at, id) order. The zero cursor comes
// before every user.
type cursor struct {
	createdAt time.Time
	id        uuid.UUID
}

// cursorLen is the size of an encoded cursor: microseconds since the Unix
// epoch (PostgreSQL's precision), then the id.
const cursorLen = 8 + 16

// encode returns the cursor as URL-safe base64 of its cursorLen bytes. Clients
// treat it as opaque.
func (c cursor) encode() string {
	b := make([]byte, 0, cursorLen)
	b = binary.BigEndian.AppendUint64(b, uint64(c.createdAt.UnixMicro()))
	b = append(b, c.id[:]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses what encode returned; "" is the zero cursor.
func decodeCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != cursorLen {
		return cursor{}, ErrInvalidCursor
	}
	c := cursor{
		createdAt: time.UnixMicro(int64(binary.BigEndian.Uint64(b))).UTC(),
		id:        uuid.UUID(b[8:]),
	}
	// A forged time PostgreSQL cannot store would fail the query.
	if y := c.createdAt.Year(); y < 1 || y > 9999 {
		return cursor{}, ErrInvalidCursor
	}
	return c, nil
}
