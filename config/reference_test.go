package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eiglink/vigie/internal/reftest"
)

// TestReferenceNamesEveryKey: every key the decoder accepts (the raw
// types' yaml tags, walked by reflection) is in docs/reference.md, spelt
// as a path: storage.driver, forges[].token_env.
func TestReferenceNamesEveryKey(t *testing.T) {
	keys := yamlKeys("", reflect.TypeFor[rawConfig]())
	for _, want := range []string{"forges[].token_env", "smtp.port", "scoring.weights"} {
		if !slices.Contains(keys, want) {
			t.Fatalf("the walk of the raw types misses %s: %q", want, keys)
		}
	}
	reftest.Want(t, "configuration key", keys)
}

// yamlKeys lists the keys of struct type t under prefix: each field's own
// path, then, for a section (a struct or a list of structs), its keys.
func yamlKeys(prefix string, t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		keys = append(keys, key)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, yamlKeys(key+".", ft)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, yamlKeys(key+"[].", ft.Elem())...)
		}
	}
	return keys
}
