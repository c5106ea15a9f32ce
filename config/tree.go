package config

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v4"
)

// place is a value in the file: its node, its key's node (nil for a list
// item), the Go type it decodes into (nil where Config has no such key),
// its dotted path, the line of its key or list item, and whether a secret
// key holds it.
type place struct {
	node, key *yaml.Node
	t         reflect.Type
	path      string
	line      int
	secret    bool
}

// places are the values of the document doc, outer before inner and in the
// file's order. Aliases are not followed: a value is where its anchor is.
func places(doc *yaml.Node) []place {
	var all []place
	var visit func(p place)
	visit = func(p place) {
		for p.t != nil && p.t.Kind() == reflect.Pointer {
			p.t = p.t.Elem()
		}
		all = append(all, p)
		for i, n := range p.node.Content {
			child := place{node: n, t: typeOf(p.t, ""), path: fmt.Sprintf("%s[%d]", p.path, i), line: n.Line, secret: p.secret}
			if p.node.Kind == yaml.MappingNode {
				if i%2 == 0 {
					continue
				}
				k := p.node.Content[i-1]
				child = place{n, k, typeOf(p.t, k.Value), strings.TrimPrefix(p.path+"."+k.Value, "."), k.Line, p.secret || secretKeys[k.Value]}
			}
			visit(child)
		}
	}
	if doc != nil && len(doc.Content) == 1 {
		visit(place{node: doc.Content[0], t: reflect.TypeFor[Config](), line: doc.Content[0].Line})
	}
	return all
}

// typeOf is the type of key in a value of type t, or of its items.
func typeOf(t reflect.Type, key string) reflect.Type {
	if t != nil && (t.Kind() == reflect.Map || t.Kind() == reflect.Slice) {
		return t.Elem()
	}
	for i := 0; t != nil && t.Kind() == reflect.Struct && i < t.NumField(); i++ {
		f := t.Field(i)
		switch name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ","); {
		case opts == "inline":
			if inline := typeOf(f.Type, key); inline != nil {
				return inline
			}
		case f.IsExported() && cmp.Or(name, strings.ToLower(f.Name)) == key:
			return f.Type
		}
	}
	return nil
}
