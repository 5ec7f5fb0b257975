package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
)

// exactKeys refuses a body whose top-level object has a key that is not,
// letter for letter, the JSON name of a field of dst, or has a key twice.
// encoding/json alone would bind "USERNAME" or "Username" to username and
// keep the last of two equal keys: a proxy or firewall that reads the body
// another way could then be shown one thing while we act on another. A body
// that is not an object is left to the decoder to refuse.
func exactKeys(body []byte, dst any) error {
	names := jsonNames(reflect.TypeOf(dst))
	if names == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil // decoding the body says what is wrong with it
	}
	if tok != json.Delim('{') {
		return newError(http.StatusBadRequest, codeInvalidRequest, "the body must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
		if len(key) > 64 {
			key = key[:64] + "..." // echoed back, so bounded
		}
		switch {
		case !names[key]:
			return newError(http.StatusBadRequest, codeInvalidRequest,
				"unknown field "+key+"; field names are lower case, see /docs for the accepted fields")
		case seen[key]:
			return newError(http.StatusBadRequest, codeInvalidRequest, "field "+key+" is repeated")
		}
		seen[key] = true
	}
	return nil
}

var jsonNamesCache sync.Map // reflect.Type → map[string]bool

// jsonNames returns the JSON names of the fields of the struct t points to,
// those of embedded structs included; nil when t is not a pointer to a
// struct.
func jsonNames(t reflect.Type) map[string]bool {
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	if names, ok := jsonNamesCache.Load(t); ok {
		return names.(map[string]bool)
	}
	names := map[string]bool{}
	addJSONNames(names, t.Elem())
	jsonNamesCache.Store(t, names)
	return names
}

// addJSONNames adds the names encoding/json binds for struct t, walking into
// embedded structs as it does.
func addJSONNames(names map[string]bool, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case tag == "-":
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			addJSONNames(names, ft)
		case !f.IsExported():
		case name == "":
			names[f.Name] = true
		default:
			names[name] = true
		}
	}
}
