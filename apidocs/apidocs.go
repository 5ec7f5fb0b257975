// Package apidocs is the API's OpenAPI 3.1 document and the Swagger UI that
// shows it. The document is hand-written YAML (openapi.yaml) for the paths,
// plus component schemas generated from Go types at startup, so a field added
// to such a type appears in the document without an edit. Everything is
// embedded in the binary; nothing is fetched at run time.
package apidocs

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

//go:embed openapi.yaml
var source []byte

// goTypeKey marks a schema in openapi.yaml as an overlay on the schema
// generated from the Go type it names.
const goTypeKey = "x-go-type"

// Load returns the validated OpenAPI document: openapi.yaml with, under
// components/schemas, one schema per entry of generated, built from the Go
// type of its value (see schemaFor). In the YAML, a schema of the same name
// marked `x-go-type: <the Go type>` is an overlay that only adds words to the
// generated one (see overlay). Load returns an error when the YAML is
// invalid, a schema is both generated and written by hand, an overlay has no
// Go type or names a field the type lacks, a Go type has a field it cannot
// describe, or a reference does not resolve.
func Load(generated map[string]any) (*openapi3.T, error) {
	doc := &openapi3.T{}
	if err := yaml.Unmarshal(source, doc); err != nil {
		return nil, fmt.Errorf("apidocs: parse openapi.yaml: %w", err)
	}
	if doc.Components == nil {
		doc.Components = &openapi3.Components{}
	}
	if doc.Components.Schemas == nil {
		doc.Components.Schemas = openapi3.Schemas{}
	}

	if err := addGenerated(doc.Components.Schemas, generated); err != nil {
		return nil, err
	}

	if err := openapi3.NewLoader().ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("apidocs: resolve references: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apidocs: invalid document: %w", err)
	}
	return doc, nil
}

// addGenerated puts the schema of each generated Go type into schemas, with
// the words of its overlay from openapi.yaml.
func addGenerated(schemas openapi3.Schemas, generated map[string]any) error {
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		hand := schemas[name].Value // nil for a $ref, not resolved yet
		if hand == nil || hand.Extensions[goTypeKey] == nil {
			continue
		}
		if _, ok := generated[name]; !ok {
			return fmt.Errorf("apidocs: schema %s: openapi.yaml says it is generated from %v, "+
				"but no Go type is given for it", name, hand.Extensions[goTypeKey])
		}
	}

	for _, name := range slices.Sorted(maps.Keys(generated)) {
		v := generated[name]
		s, err := schemaFor(v)
		if err != nil {
			return err
		}
		t := reflect.TypeOf(v)
		s.Description = "Generated from the Go type " + t.String() + "."
		if hand, ok := schemas[name]; ok {
			if hand.Value == nil || !namesType(hand.Value.Extensions[goTypeKey], t) {
				return fmt.Errorf("apidocs: schema %s is generated from %s but openapi.yaml "+
					"writes it by hand (to add words to it, mark it %s: %s)", name, t, goTypeKey, t)
			}
			if err := overlay(s, hand.Value); err != nil {
				return fmt.Errorf("apidocs: schema %s: %w", name, err)
			}
		}
		schemas[name] = openapi3.NewSchemaRef("", s)
	}
	return nil
}

// namesType reports whether an x-go-type value such as "sqlc.User" names t;
// the package qualifier is for the reader and is not compared.
func namesType(goType any, t reflect.Type) bool {
	s, ok := goType.(string)
	if !ok || t.Name() == "" {
		return false
	}
	return s == t.Name() || strings.HasSuffix(s, "."+t.Name())
}

// encode returns the document as JSON and as YAML.
func encode(doc *openapi3.T) (jsonDoc, yamlDoc []byte, err error) {
	if jsonDoc, err = json.MarshalIndent(doc, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("apidocs: encode JSON: %w", err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, nil, fmt.Errorf("apidocs: encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, nil, fmt.Errorf("apidocs: encode YAML: %w", err)
	}
	return jsonDoc, buf.Bytes(), nil
}
