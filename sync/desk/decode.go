package desk

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// decodeJSON decodes a Desk answer into out, tolerating what Zoho's
// definition allows besides the obvious JSON types: ids, counts and numbers
// sent as numbers or strings ("threadCount": "7", "id": 160200000000068000),
// booleans sent as strings ("isDefault": "false"), a value wrapped in a
// one-item array ("type": ["AGENT"]), objects or arrays where
// a plain value was expected (dropped), nulls, and fields added later
// (ignored). The common case decodes once with encoding/json; only an
// answer with a mismatched type takes the slower path that converts the
// values to the types of out and decodes again.
func decodeJSON(data []byte, out any) error {
	err := json.Unmarshal(data, out)
	var te *json.UnmarshalTypeError
	if err == nil || !errors.As(err, &te) {
		return err
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if derr := dec.Decode(&v); derr != nil {
		return err
	}
	fixed, merr := json.Marshal(coerce(v, rv.Type().Elem()))
	if merr != nil {
		return err
	}
	rv.Elem().Set(reflect.Zero(rv.Type().Elem()))
	return json.Unmarshal(fixed, out)
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// coerce converts v (decoded with UseNumber) towards the Go type t.
func coerce(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return v // Time, Count and friends read any form themselves
	}
	switch t.Kind() {
	case reflect.String:
		switch x := v.(type) {
		case string:
			return x
		case json.Number:
			return x.String()
		case bool:
			return strconv.FormatBool(x)
		case []any:
			// ["AGENT"]: the definition's examples wrap some enums in
			// an array; a list of one value is read as the value.
			if len(x) == 1 {
				return coerce(x[0], t)
			}
		}
		return nil
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			return x
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return false
			}
			return b
		case json.Number:
			f, _ := x.Float64()
			return f != 0
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		switch x := v.(type) {
		case json.Number:
			if _, err := x.Int64(); err == nil {
				return x
			}
			f, err := x.Float64()
			if err != nil {
				return nil
			}
			return int64(f)
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return int64(f)
			}
		case bool:
			if x {
				return 1
			}
			return 0
		}
		return nil
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case json.Number:
			return x
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f
			}
		}
		return nil
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			return nil
		}
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = coerce(it, t.Elem())
		}
		return out
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = coerce(x, t.Elem())
		}
		return out
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		fields := jsonFields(t)
		out := make(map[string]any, len(m))
		for k, x := range m {
			if ft, ok := fields[strings.ToLower(k)]; ok {
				out[k] = coerce(x, ft)
			}
		}
		return out
	}
	return v // interfaces take anything
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON names of a struct's fields (promoted ones
// included), lower-cased as encoding/json matches them, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[strings.ToLower(name)] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}
