package apidocs

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
	"github.com/google/uuid"
)

var (
	uuidType          = reflect.TypeFor[uuid.UUID]()
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	wrapperType       = reflect.TypeFor[valueWrapper]()
)

// valueWrapper is a type that stands in JSON for a value of another type, such
// as auth.Field[T], which is T (or null) in JSON.
type valueWrapper interface {
	JSONValueType() reflect.Type
}

// schemaFor builds the JSON Schema (OpenAPI 3.1 dialect) of the JSON that
// encoding/json writes for v: every field with a json tag, required unless it
// has omitempty; pointers nullable; no properties beyond the fields.
func schemaFor(v any) (*openapi3.Schema, error) {
	ref, err := openapi3gen.NewSchemaRefForValue(v, nil,
		openapi3gen.SchemaCustomizer(customize), openapi3gen.ThrowErrorOnCycle())
	if err != nil {
		return nil, err
	}
	return ref.Value, nil
}

// customize fixes what openapi3gen leaves to us: types it does not know,
// required fields, and nullability written the 3.1 way (a "null" type
// rather than 3.0's nullable keyword).
func customize(name string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	switch {
	case t.Implements(wrapperType):
		inner, err := schemaFor(reflect.Zero(reflect.Zero(t).Interface().(valueWrapper).JSONValueType()).Interface())
		if err != nil {
			return err
		}
		*s = *inner
		// A field that may be cleared says so with the tag nullable:"true".
		s.Nullable = tag.Get("nullable") == "true"
	case t == uuidType:
		s.Type, s.Format = &openapi3.Types{openapi3.TypeString}, "uuid"
	case t == timeType:
		// openapi3gen already made it a date-time string.
	case t.Implements(textMarshalerType) && !t.Implements(jsonMarshalerType):
		s.Type = &openapi3.Types{openapi3.TypeString}
	case t.Kind() == reflect.Struct:
		s.Type = &openapi3.Types{openapi3.TypeObject}
		s.Required = requiredFields(t)
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
	}
	if s.Type == nil || len(*s.Type) == 0 {
		// An empty schema would accept anything and document nothing.
		return fmt.Errorf("apidocs: no schema for field %s of Go type %s; "+
			"teach apidocs.customize about it", name, t)
	}
	if s.Nullable {
		s.Type = &openapi3.Types{(*s.Type)[0], openapi3.TypeNull}
		s.Nullable = false
	}
	return nil
}

// requiredFields lists the JSON names of t's fields that encoding/json always
// writes: those with a json tag other than "-" and without omitempty.
func requiredFields(t reflect.Type) []string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		tag, ok := f.Tag.Lookup("json")
		if !ok || tag == "-" || !f.IsExported() || f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			names = append(names, name)
		}
	}
	return names
}

// overlay copies the words written by hand in openapi.yaml onto a generated
// schema: the description, and each property's description, format, examples
// and string constraints, and so on down the properties of nested objects and
// the items of arrays. The shape (types, nullability) stays the Go type's. A
// property the Go type does not have is an error, so the words cannot outlive
// the field they describe.
//
// The one exception to "the shape is the Go type's" is required: the overlay
// may add names of properties the Go type has to its required list, never
// remove one. A request type whose fields are optional in one operation and
// required in another (auth.Profile: any subset for PATCH /auth/self, the
// username at registration) is tagged omitempty, and the overlay of the
// operation that needs more says so.
func overlay(gen, hand *openapi3.Schema) error {
	if hand == nil {
		return nil
	}
	if hand.Description != "" {
		gen.Description = hand.Description
	}
	for _, name := range hand.Required {
		if gen.Properties[name] == nil {
			return fmt.Errorf("openapi.yaml requires property %s, which the Go type does not have", name)
		}
		if !slices.Contains(gen.Required, name) {
			gen.Required = append(slices.Clip(gen.Required), name)
		}
	}
	if len(hand.Properties) > 0 {
		// The generator may share one schema, and so one map, between fields.
		gen.Properties = maps.Clone(gen.Properties)
	}
	for _, name := range slices.Sorted(maps.Keys(hand.Properties)) {
		g, h := gen.Properties[name], hand.Properties[name]
		if g == nil || g.Value == nil {
			return fmt.Errorf("openapi.yaml describes property %s, which the Go type does not have", name)
		}
		if h == nil || h.Value == nil {
			continue
		}
		p := *g.Value // the generator may share one schema between fields
		if h.Value.Description != "" {
			p.Description = h.Value.Description
		}
		if h.Value.Format != "" {
			p.Format = h.Value.Format
		}
		if len(h.Value.Examples) > 0 {
			p.Examples = h.Value.Examples
		}
		if h.Value.Pattern != "" {
			p.Pattern = h.Value.Pattern
		}
		if h.Value.MinLength != 0 {
			p.MinLength = h.Value.MinLength
		}
		if h.Value.MaxLength != nil {
			p.MaxLength = h.Value.MaxLength
		}
		if len(h.Value.Properties) > 0 || len(h.Value.Required) > 0 {
			if err := overlay(&p, h.Value); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		if h.Value.Items != nil && h.Value.Items.Value != nil {
			if p.Items == nil || p.Items.Value == nil {
				return fmt.Errorf("openapi.yaml describes items of property %s, which is not an array in the Go type", name)
			}
			items := *p.Items.Value
			if err := overlay(&items, h.Value.Items.Value); err != nil {
				return fmt.Errorf("%s items: %w", name, err)
			}
			p.Items = openapi3.NewSchemaRef("", &items)
		}
		gen.Properties[name] = openapi3.NewSchemaRef("", &p)
	}
	return nil
}
