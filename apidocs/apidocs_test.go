package apidocs

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"authstarter/auth"
	"authstarter/db/sqlc"
)

// account stands for a sqlc row type after a migration added columns.
type account struct {
	ID        uuid.UUID  `json:"id"`
	Name      string     `json:"name"`
	Hash      string     `json:"-"`
	Email     *string    `json:"email"`
	Age       int32      `json:"age,omitempty"`
	SeenAt    *time.Time `json:"seen_at"`
	CreatedAt time.Time  `json:"created_at"`
	internal  bool
}

func TestSchemaFollowsGoType(t *testing.T) {
	s, err := schemaFor(account{internal: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
		"type": "object",
		"additionalProperties": false,
		"required": ["id", "name", "email", "seen_at", "created_at"],
		"properties": {
			"id": {"type": "string", "format": "uuid"},
			"name": {"type": "string"},
			"email": {"type": ["string", "null"]},
			"age": {"type": "integer", "format": "int32"},
			"seen_at": {"type": ["string", "null"], "format": "date-time"},
			"created_at": {"type": "string", "format": "date-time"}
		}
	}`
	if diff := cmp.Diff(decode(t, want), marshal(t, s)); diff != "" {
		t.Errorf("schema of account (-want +got):\n%s", diff)
	}
}

// User stands for sqlc.User after a migration added an email column.
type User struct {
	sqlc.User
	Email *string `json:"email"`
}

// registerRequest stands for the handler's request body.
type registerRequest struct {
	auth.Profile
	Password string `json:"password"`
}

// Stand-ins for the other handler types that openapi.yaml overlays.
type (
	passwordChange struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	validateResponse struct {
		Subject   uuid.UUID `json:"sub"`
		Username  string    `json:"username"`
		Scopes    []string  `json:"scopes"`
		ExpiresAt time.Time `json:"expires_at"`
		SessionID uuid.UUID `json:"session_id"`
	}
	sessionResponse struct {
		ID         uuid.UUID `json:"id"`
		CreatedAt  time.Time `json:"created_at"`
		LastUsedAt time.Time `json:"last_used_at"`
		ExpiresAt  time.Time `json:"expires_at"`
		UserAgent  string    `json:"user_agent"`
		ClientIP   string    `json:"client_ip"`
		Current    bool      `json:"current"`
	}
	sessionsResponse struct {
		Sessions []sessionResponse `json:"sessions"`
	}
	createUserRequest struct {
		auth.Profile
		Password    string `json:"password"`
		IsActive    *bool  `json:"is_active,omitempty"`
		IsSuperuser bool   `json:"is_superuser,omitempty"`
	}
	updateUserRequest struct {
		auth.Profile
		Password    auth.Field[string] `json:"password,omitempty"`
		IsActive    auth.Field[bool]   `json:"is_active,omitempty"`
		IsSuperuser auth.Field[bool]   `json:"is_superuser,omitempty"`
	}
)

// generated returns a Go type for every overlay in openapi.yaml, with the
// entries of with added or replaced.
func generated(with map[string]any) map[string]any {
	m := map[string]any{
		"User":              User{},
		"RegisterRequest":   registerRequest{},
		"ProfileUpdate":     auth.Profile{},
		"PasswordChange":    passwordChange{},
		"TokenInfo":         validateResponse{},
		"SessionList":       sessionsResponse{},
		"CreateUserRequest": createUserRequest{},
		"UpdateUserRequest": updateUserRequest{},
	}
	maps.Copy(m, with)
	return m
}

func TestLoadGeneratesSchemasFromGoTypes(t *testing.T) {
	doc, err := Load(generated(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %s, want 3.1", doc.OpenAPI)
	}
	self := doc.Paths.Value("/auth/self").Get.Responses.Status(200).Value
	user := self.Content.Get("application/json").Schema.Value
	if user == nil || user.Properties["email"] == nil || !slices.Contains(user.Required, "email") {
		t.Fatalf("GET /auth/self 200 schema = %+v, want the generated User with email", user)
	}
	// The overlay in openapi.yaml adds words, not shape.
	if !strings.Contains(user.Properties["username"].Value.Description, "canonical") {
		t.Errorf("username has no description from the overlay: %+v", user.Properties["username"].Value)
	}
	pw := doc.Components.Schemas["RegisterRequest"].Value.Properties["password"].Value
	if pw.Format != "password" || !pw.Type.Is("string") {
		t.Errorf("RegisterRequest.password = %+v, want a string of format password", pw)
	}

	// The profile fields are optional in the Go type, for PATCH; the overlay
	// of RegisterRequest requires the username.
	reg := doc.Components.Schemas["RegisterRequest"].Value
	if got := slices.Sorted(slices.Values(reg.Required)); !slices.Equal(got, []string{"password", "username"}) {
		t.Errorf("RegisterRequest requires %v, want password and username", reg.Required)
	}
	if req := doc.Components.Schemas["ProfileUpdate"].Value.Required; len(req) != 0 {
		t.Errorf("ProfileUpdate requires %v, want nothing", req)
	}

	// Overlays reach the items of arrays.
	sessions := doc.Components.Schemas["SessionList"].Value.Properties["sessions"].Value.Items.Value
	if !strings.Contains(sessions.Properties["current"].Value.Description, "asked") ||
		!slices.Contains(sessions.Required, "current") {
		t.Errorf("SessionList item = %+v, want the generated fields with the overlay's words", sessions)
	}
}

func TestLoadFails(t *testing.T) {
	tests := []struct {
		name      string
		generated map[string]any
		want      string
	}{
		{"when an overlay has no Go type", map[string]any{"User": sqlc.User{}},
			"no Go type is given"},
		{"when the Go type is not the one the overlay names",
			generated(map[string]any{"User": account{}}),
			"generated from apidocs.account but openapi.yaml writes it by hand"},
		{"when a hand-written schema is also generated",
			generated(map[string]any{"Error": account{}}),
			"schema Error is generated"},
		{"when an overlay names a field the Go type lacks",
			generated(map[string]any{"RegisterRequest": shortRegisterRequest()}),
			"describes property password"},
		{"when an overlay requires a field the Go type lacks",
			generated(map[string]any{"RegisterRequest": passwordOnlyRegisterRequest()}),
			"requires property username"},
		{"when an overlay names a field of an array item the Go type lacks",
			generated(map[string]any{"SessionList": shortSessionsResponse()}),
			"sessions items: openapi.yaml describes property current"},
		{"on a field type it cannot describe",
			generated(map[string]any{"Odd": odd{}}),
			"no schema for field extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.generated)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

type odd struct {
	Extra any `json:"extra"`
}

// shortRegisterRequest returns a registerRequest type without a password.
func shortRegisterRequest() any {
	type registerRequest struct {
		Username string `json:"username"`
	}
	return registerRequest{}
}

// passwordOnlyRegisterRequest returns a registerRequest type without a username.
func passwordOnlyRegisterRequest() any {
	type registerRequest struct {
		Password string `json:"password"`
	}
	return registerRequest{}
}

// shortSessionsResponse returns a sessionsResponse type whose items lack the
// current field.
func shortSessionsResponse() any {
	type sessionResponse struct {
		ID         uuid.UUID `json:"id"`
		CreatedAt  time.Time `json:"created_at"`
		LastUsedAt time.Time `json:"last_used_at"`
		ExpiresAt  time.Time `json:"expires_at"`
		UserAgent  string    `json:"user_agent"`
		ClientIP   string    `json:"client_ip"`
	}
	type sessionsResponse struct {
		Sessions []sessionResponse `json:"sessions"`
	}
	return sessionsResponse{}
}

func marshal(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b))
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// patch has fields that stand for other types in JSON, as auth.Field does.
type patch struct {
	Name  wrapped[string] `json:"name,omitempty"`
	Email wrapped[string] `json:"email,omitempty" nullable:"true"`
}

type wrapped[T any] struct {
	Set   bool
	Value T
}

func (wrapped[T]) JSONValueType() reflect.Type { return reflect.TypeFor[T]() }

func TestSchemaOfWrappedFieldsIsTheirValue(t *testing.T) {
	s, err := schemaFor(patch{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
		"type": "object",
		"additionalProperties": false,
		"properties": {
			"name": {"type": "string"},
			"email": {"type": ["string", "null"]}
		}
	}`
	if diff := cmp.Diff(decode(t, want), marshal(t, s)); diff != "" {
		t.Errorf("schema of patch (-want +got):\n%s", diff)
	}
}

func TestLoadChecksTheDocument(t *testing.T) {
	const info = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
	tests := []struct {
		name, yaml, want string // want "" means Load succeeds
	}{
		{"without components", info + "paths: {}\n", ""},
		{"unparsable YAML", "openapi: [3.1.0\n", "parse openapi.yaml"},
		{"a reference that does not resolve", info + "paths:\n  /x:\n    get:\n      responses:\n" +
			"        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}\n",
			"resolve references"},
		{"a document OpenAPI refuses", "openapi: 3.1.0\npaths: {}\n", "invalid document"},
	}
	saved := source
	t.Cleanup(func() { source = saved })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			source = []byte(tt.yaml)
			doc, err := Load(map[string]any{"Odd": struct{}{}})
			switch {
			case tt.want == "" && (err != nil || doc.Components.Schemas["Odd"] == nil):
				t.Errorf("Load = %v; want success with the generated schema", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
