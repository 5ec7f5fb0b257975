package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
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

// hasLoneSurrogate reports whether a string in body has a \u escape of a
// UTF-16 surrogate that is not half of a high-low pair. It reads only escapes
// inside strings; a body malformed in other ways is left to the decoder.
func hasLoneSurrogate(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == '"':
			inString = !inString
		case !inString || body[i] != '\\':
		case i+1 < len(body) && body[i+1] != 'u':
			i++ // a one-letter escape such as \" or \\
		default:
			r, ok := hexEscape(body, i)
			switch {
			case !ok:
				return false
			case utf16.IsSurrogate(r) && r < 0xDC00: // high: a low must follow
				low, ok := hexEscape(body, i+6)
				if !ok || low < 0xDC00 || low > 0xDFFF {
					return true
				}
				i += 11
			case utf16.IsSurrogate(r):
				return true
			default:
				i += 5
			}
		}
	}
	return false
}

// hexEscape decodes the \u escape, four hex digits, at body[i:].
func hexEscape(body []byte, i int) (rune, bool) {
	if i+6 > len(body) || body[i] != '\\' || body[i+1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
	return rune(v), err == nil
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
