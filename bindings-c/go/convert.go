package emitter

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Arguments cross to the C library as JSON text plus a list of binary buffers: every
// []byte (at any depth) becomes a {"$bin": i} placeholder for buffer i, so clients
// receive it as binary. Everything else is marshalled exactly as encoding/json does;
// structs and maps that contain []byte are walked here with encoding/json's rules (field
// names and tags, omitempty, "-", embedded structs, sorted map keys).

var (
	bytesType     = reflect.TypeOf([]byte(nil))
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textType      = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

type converter struct {
	buffers [][]byte
	seen    map[reflect.Type]bool
}

// plainTypes remembers, per argument type, whether its values can never hold a []byte
// (then encoding/json alone encodes them): types do not change, and asking reflect again
// for every call costs more than the rest of the encoding.
var plainTypes sync.Map

func plainType(t reflect.Type) bool {
	if known, ok := plainTypes.Load(t); ok {
		return known.(bool)
	}
	plain := !(&converter{}).hasBytes(t)
	plainTypes.Store(t, plain)
	return plain
}

// encodeArgs returns the JSON array of args and the binary buffers it refers to.
func encodeArgs(args []any) ([]byte, [][]byte, error) {
	c := &converter{}
	text := make([]byte, 0, 64)
	text = append(text, '[')
	for i, a := range args {
		if i > 0 {
			text = append(text, ',')
		}
		var raw []byte
		var err error
		if a == nil || plainType(reflect.TypeOf(a)) {
			if raw, err = json.Marshal(a); err != nil {
				return nil, nil, newError("ENCODE", fmt.Sprintf("args[%d]: %v", i, err))
			}
		} else if raw, err = c.value(reflect.ValueOf(a), fmt.Sprintf("args[%d]", i)); err != nil {
			return nil, nil, err
		}
		// Every item is compact JSON as encoding/json writes it, so joining them gives
		// the bytes json.Marshal of the list would.
		text = append(text, raw...)
	}
	text = append(text, ']')
	if replacedInvalidUTF8(text) {
		return nil, nil, newError("INVALID_UTF8", "a string in the arguments is not valid UTF-8 (encoding/json would have replaced it with U+FFFD)")
	}
	return text, c.buffers, nil
}

// replacedInvalidUTF8 reports whether encoding/json replaced invalid UTF-8 in text: it
// writes the escape \ufffd for each invalid byte, and a real U+FFFD as its UTF-8 bytes.
// A backslash preceded by an odd number of backslashes is an escaped one, not an escape.
func replacedInvalidUTF8(text []byte) bool {
	for i := 0; ; {
		j := bytes.Index(text[i:], []byte(`\ufffd`))
		if j < 0 {
			return false
		}
		at := i + j
		backslashes := 0
		for k := at; k >= 0 && text[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 1 {
			return true
		}
		i = at + 1
	}
}

func isBytes(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 &&
		!t.Implements(marshalerType) && !reflect.PointerTo(t).Implements(marshalerType)
}

// hasBytes says whether values of t can hold a []byte somewhere (interfaces can).
func (c *converter) hasBytes(t reflect.Type) bool {
	if t.Implements(marshalerType) {
		return false
	}
	if isBytes(t) {
		return true
	}
	if done, ok := c.seen[t]; ok {
		return done
	}
	if c.seen == nil {
		c.seen = map[reflect.Type]bool{}
	}
	c.seen[t] = false // breaks recursive types
	found := false
	switch t.Kind() {
	case reflect.Interface:
		found = true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		found = c.hasBytes(t.Elem())
	case reflect.Map:
		found = c.hasBytes(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField() && !found; i++ {
			found = c.hasBytes(t.Field(i).Type)
		}
	}
	c.seen[t] = found
	return found
}

func (c *converter) plain(v reflect.Value, path string) (json.RawMessage, error) {
	raw, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, newError("ENCODE", fmt.Sprintf("%s: %v", path, err))
	}
	return raw, nil
}

func (c *converter) value(v reflect.Value, path string) (json.RawMessage, error) {
	if !v.IsValid() {
		return json.RawMessage("null"), nil
	}
	t := v.Type()
	if isBytes(t) {
		if v.IsNil() {
			return json.RawMessage("null"), nil
		}
		c.buffers = append(c.buffers, v.Bytes())
		return json.RawMessage(fmt.Sprintf(`{"$bin":%d}`, len(c.buffers)-1)), nil
	}
	if !c.hasBytes(t) {
		return c.plain(v, path)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return json.RawMessage("null"), nil
		}
		return c.value(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return json.RawMessage("null"), nil
		}
		items := make([]json.RawMessage, v.Len())
		for i := range items {
			raw, err := c.value(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			items[i] = raw
		}
		return json.Marshal(items)
	case reflect.Map:
		return c.mapValue(v, path)
	case reflect.Struct:
		return c.structValue(v, path)
	}
	return c.plain(v, path)
}

func (c *converter) mapValue(v reflect.Value, path string) (json.RawMessage, error) {
	if v.IsNil() {
		return json.RawMessage("null"), nil
	}
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		k := iter.Key()
		var name string
		switch {
		case k.Kind() == reflect.String:
			name = k.String()
		case k.Type().Implements(textType):
			b, err := k.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return nil, newError("ENCODE", fmt.Sprintf("%s: %v", path, err))
			}
			name = string(b)
		case k.CanInt():
			name = strconv.FormatInt(k.Int(), 10)
		case k.CanUint():
			name = strconv.FormatUint(k.Uint(), 10)
		default:
			return nil, newError("ENCODE", fmt.Sprintf("%s: unsupported map key type %s", path, k.Type()))
		}
		entries = append(entries, entry{name, iter.Value()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range entries {
		raw, err := c.value(e.val, fmt.Sprintf("%s[%q]", path, e.key))
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(e.key)
		b.Write(key)
		b.WriteByte(':')
		b.Write(raw)
	}
	b.WriteByte('}')
	return json.RawMessage(b.String()), nil
}

// structValue follows encoding/json's field rules for the common cases: exported fields,
// `json:"name,omitempty"`, `json:"-"`, and untagged embedded structs whose fields are
// promoted.
func (c *converter) structValue(v reflect.Value, path string) (json.RawMessage, error) {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	var walk func(v reflect.Value) error
	walk = func(v reflect.Value) error {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			fv := v.Field(i)
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue
					}
					fv, ft = fv.Elem(), ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					if err := walk(fv); err != nil {
						return err
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
			if strings.Contains(","+opts+",", ",omitempty,") && isEmpty(fv) {
				continue
			}
			raw, err := c.value(fv, path+"."+name)
			if err != nil {
				return err
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			key, _ := json.Marshal(name)
			b.Write(key)
			b.WriteByte(':')
			b.Write(raw)
		}
		return nil
	}
	if err := walk(v); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return json.RawMessage(b.String()), nil
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
