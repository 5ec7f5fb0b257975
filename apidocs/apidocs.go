// Package apidocs is the API's OpenAPI 3.1 document and the Swagger UI that
// shows it. The document is hand-written YAML (openapi.yaml) for the paths,
// plus component schemas generated from Go types at startup, so a field added
// to such a type appears in the document without an edit. Everything is
// embedded in the binary; nothing is fetched at run time.
package apidocs

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

//go:embed openapi.yaml
var source []byte

// Load returns the validated OpenAPI document: openapi.yaml with, under
// components/schemas, one schema per entry of generated, built from the Go
// type of its value (see schemaFor). It returns an error when the YAML is
// invalid, a generated name is also written by hand, a Go type has a field
// it cannot describe, or a reference does not resolve.
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
	for _, name := range slices.Sorted(maps.Keys(generated)) {
		if _, ok := doc.Components.Schemas[name]; ok {
			return nil, fmt.Errorf("apidocs: schema %s is both in openapi.yaml and generated", name)
		}
		v := generated[name]
		s, err := schemaFor(v)
		if err != nil {
			return nil, err
		}
		s.Description = "Generated from the Go type " + reflect.TypeOf(v).String() + "."
		doc.Components.Schemas[name] = openapi3.NewSchemaRef("", s)
	}

	if err := openapi3.NewLoader().ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("apidocs: resolve references: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apidocs: invalid document: %w", err)
	}
	return doc, nil
}

// encode returns the document as JSON and as YAML.
func encode(doc *openapi3.T) (jsonDoc, yamlDoc []byte, err error) {
	if jsonDoc, err = json.MarshalIndent(doc, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("apidocs: encode JSON: %w", err)
	}
	if yamlDoc, err = yaml.Marshal(doc); err != nil {
		return nil, nil, fmt.Errorf("apidocs: encode YAML: %w", err)
	}
	return jsonDoc, yamlDoc, nil
}
