package auth

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/google/uuid"

	"authstarter/db/sqlc"
)

// Profile holds the user fields a client may set: at registration, with
// PATCH /auth/self, and (for any user) through the admin routes. Flags, ids,
// hashes and timestamps are deliberately not here, so no client can set them
// by sending extra fields.
//
// To add a field (see "Adding a user field" in README.md): add it here, check it
// in normalize, and pass it on in createParams and updateParams. Everything else
// (responses, the OpenAPI schema) follows the generated sqlc.User.
//
// Every field is tagged omitempty, and a field that may be cleared also
// nullable:"true". Profile is only ever decoded, and encoding/json ignores
// omitempty when decoding; the tag is for the API documentation, whose schema
// of a Go type requires exactly the fields without omitempty. No field is
// required in every request (PATCH /auth/self takes any subset), so none is
// required here; what registration requires (normalize with forCreate) is
// listed in the RegisterRequest schema of apidocs/openapi.yaml.
type Profile struct {
	Username Field[string] `json:"username,omitempty"`
}

// normalize checks every field that is set and puts it in its stored form.
// forCreate requires the fields a new user must have (keep the required list of
// RegisterRequest in apidocs/openapi.yaml in step).
func (p *Profile) normalize(forCreate bool) error {
	switch {
	case p.Username.Null || (forCreate && !p.Username.Set):
		return &ValidationError{Field: "username", Reason: "is required"}
	case p.Username.Set:
		name, err := CanonicalUsername(p.Username.Value)
		if err != nil {
			return err
		}
		p.Username.Value = name
	}
	return nil
}

// createParams maps a normalized Profile onto the insert.
func (p Profile) createParams(hash string, active, superuser bool) sqlc.CreateUserParams {
	return sqlc.CreateUserParams{
		Username:     p.Username.Value,
		PasswordHash: hash,
		IsActive:     active,
		IsSuperuser:  superuser,
	}
}

// updateParams maps a normalized Profile onto the update: a field that is not
// Set keeps its stored value.
func (p Profile) updateParams(id uuid.UUID) sqlc.UpdateUserParams {
	return sqlc.UpdateUserParams{
		ID:          id,
		SetUsername: p.Username.Set,
		Username:    p.Username.Value,
	}
}

// Field is a JSON value that tells "absent" (Set false) from "null" (Set and
// Null) from a value, as PATCH needs: absent keeps, null clears, a value sets.
type Field[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// JSONValueType reports the type the field holds in JSON, for the API
// documentation; a field tagged nullable:"true" may also be null.
func (Field[T]) JSONValueType() reflect.Type { return reflect.TypeFor[T]() }

// Of returns a Field set to v.
func Of[T any](v T) Field[T] { return Field[T]{Set: true, Value: v} }

// UnmarshalJSON records that the field was present, and whether it was null.
func (f *Field[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if bytes.Equal(b, []byte("null")) {
		f.Null = true
		return nil
	}
	return json.Unmarshal(b, &f.Value)
}

// Ptr returns nil for an absent or null field, else a pointer to its value: the
// form sqlc uses for a nullable column.
func (f Field[T]) Ptr() *T {
	if !f.Set || f.Null {
		return nil
	}
	return &f.Value
}
