package apidocs

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
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

func TestLoadAddsGeneratedSchemas(t *testing.T) {
	doc, err := Load(map[string]any{"User": account{}})
	if err != nil {
		t.Fatal(err)
	}
	self := doc.Paths.Value("/auth/self").Get.Responses.Status(200).Value
	got := self.Content.Get("application/json").Schema.Value
	if got == nil || got.Properties["email"] == nil {
		t.Fatalf("GET /auth/self 200 schema = %+v, want the generated User with email", got)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %s, want 3.1", doc.OpenAPI)
	}
}

func TestLoadFails(t *testing.T) {
	tests := []struct {
		name      string
		generated map[string]any
		want      string
	}{
		{"without a schema the YAML refers to", map[string]any{}, "User"},
		{"with a schema also written by hand", map[string]any{"User": account{}, "Error": account{}},
			"both in openapi.yaml and generated"},
		{"on a field type it cannot describe", map[string]any{"User": struct {
			Extra any `json:"extra"`
		}{}}, "no schema for field extra"},
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
