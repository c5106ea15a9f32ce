package config

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v2"
)

// Error is a configuration problem: the file, the line and the key (where
// the file has them) and the reason.
type Error struct {
	File string
	// Line is 1-based; 0 when the problem has no place in the file, such as
	// a key that is missing altogether.
	Line int
	// Key is the dotted path of the key, with [i] for list items, such as
	// "organizations[1].github.token_file".
	Key    string
	Reason string
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(": line %d", e.Line)
	}
	if e.Key != "" {
		s += ": " + e.Key
	}
	return s + ": " + e.Reason
}

// describe turns an error met while parsing content into the *Error that
// Parse returns: with the file, the key and line of the problem, and without
// any secret the file holds. It reads the file a second time, which only a
// bad file pays for.
func describe(file string, content []byte, err error) *Error {
	var root *node
	// The probe decodes each value several times; a plain decode first lets
	// yaml.v2's alias limit refuse a document that expands without end.
	if yaml.Unmarshal(content, new(any)) == nil {
		_ = yaml.Unmarshal(content, &root)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		// A decoding error: yaml.v2 gives a line without the key, and the
		// UnmarshalYAML methods of prometheus/common give neither.
		if ce = locate(root, reflect.TypeFor[Config](), "", root.lineOrZero()); ce == nil {
			ce = &Error{Line: errorLine(err), Reason: decodeReason(err)}
		}
	} else if ce.Line == 0 {
		ce.Line = root.lineOf(ce.Key)
	}
	secrets := root.secrets()
	ce.File = file
	ce.Key = redact(ce.Key, secrets)
	ce.Reason = redact(ce.Reason, secrets)
	return ce
}

// node is what the error messages need to know of one YAML value: its line,
// its entries or items, and its text. yaml.v2 has no node API, so
// UnmarshalYAML learns the line from the type error yaml.v2 gives when it
// cannot decode the value into a func (the error's text is dropped).
type node struct {
	line    int
	entries []entry // a mapping's, in the file's order
	items   []*node // a sequence's
	value   any     // a scalar, decoded
	text    string  // a scalar, as written
}

type entry struct {
	key   string
	line  int
	value *node // nil for a null value
}

// entryKey is a mapping key and its line.
type entryKey struct {
	name string
	line int
}

func (k *entryKey) UnmarshalYAML(unmarshal func(any) error) error {
	k.line = errorLine(unmarshal(new(func())))
	_ = unmarshal(&k.name)
	return nil
}

func (n *node) UnmarshalYAML(unmarshal func(any) error) error {
	n.line = errorLine(unmarshal(new(func())))
	var mapping map[entryKey]*node
	if unmarshal(&mapping) == nil {
		n.entries = make([]entry, 0, len(mapping)) // {} too is a mapping
		for k, v := range mapping {
			n.entries = append(n.entries, entry{key: k.name, line: k.line, value: v})
		}
		slices.SortFunc(n.entries, func(a, b entry) int {
			return cmp.Or(cmp.Compare(a.line, b.line), strings.Compare(a.key, b.key))
		})
		return nil
	}
	var items []*node
	if unmarshal(&items) == nil {
		n.items = items
		return nil
	}
	_ = unmarshal(&n.value)
	_ = unmarshal(&n.text)
	return nil
}

func (n *node) lineOrZero() int {
	if n == nil {
		return 0
	}
	return n.line
}

// lineOf is the line of the key at path, or of the nearest enclosing key the
// file has (an account without a name: the account's line).
func (n *node) lineOf(path string) int {
	line := 0
	if path == "" {
		return line
	}
	for _, part := range strings.Split(path, ".") {
		name, index, indexed := strings.Cut(part, "[")
		e := n.entry(name)
		if e == nil {
			return line
		}
		line, n = e.line, e.value
		if indexed {
			i, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
			if err != nil || n == nil || i < 0 || i >= len(n.items) || n.items[i] == nil {
				return line
			}
			n = n.items[i]
			line = n.line
		}
	}
	return line
}

// entry is the last entry named key, the one yaml.v2 decodes.
func (n *node) entry(key string) *entry {
	if n == nil {
		return nil
	}
	for i := len(n.entries) - 1; i >= 0; i-- {
		if n.entries[i].key == key {
			return &n.entries[i]
		}
	}
	return nil
}

// plain is the value n was decoded from, for decoding it again on its own.
func (n *node) plain() any {
	switch {
	case n == nil:
		return nil
	case n.entries != nil:
		m := make(yaml.MapSlice, len(n.entries))
		for i, e := range n.entries {
			m[i] = yaml.MapItem{Key: e.key, Value: e.value.plain()}
		}
		return m
	case n.items != nil:
		s := make([]any, len(n.items))
		for i, item := range n.items {
			s[i] = item.plain()
		}
		return s
	}
	return n.value
}

// locate finds why n, the value at path (on line), does not decode into t:
// the innermost value that does not decode on its own, or an unknown or
// repeated key. It returns nil when n decodes.
func locate(n *node, t reflect.Type, path string, line int) *Error {
	if n == nil {
		return nil
	}
	out, err := yaml.Marshal(n.plain())
	if err == nil {
		err = yaml.UnmarshalStrict(out, reflect.New(t).Interface())
	}
	if err == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.entries != nil && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		seen := map[string]int{}
		for _, e := range n.entries {
			key := joinKey(path, e.key)
			if first, dup := seen[e.key]; dup {
				return &Error{Key: key, Line: e.line, Reason: fmt.Sprintf("is set twice (first on line %d)", first)}
			}
			seen[e.key] = e.line
			ft, known := fields[e.key]
			if !known {
				return &Error{Key: key, Line: e.line, Reason: fmt.Sprintf("unknown key %q", e.key)}
			}
			if ce := locate(e.value, ft, key, e.line); ce != nil {
				return ce
			}
		}
	case n.items != nil && t.Kind() == reflect.Slice:
		for i, item := range n.items {
			if ce := locate(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), item.lineOrZero()); ce != nil {
				return ce
			}
		}
	}
	// prometheus/common decodes through local types named plain.
	reason := strings.ReplaceAll(decodeReason(err), "config.plain", t.String())
	return &Error{Key: path, Line: line, Reason: reason}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the keys of a struct, inlined structs included, to their
// types, as yaml.v2 names them.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported() || tag == "-":
		case strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct:
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
		case name == "":
			fields[strings.ToLower(f.Name)] = f.Type
		default:
			fields[name] = f.Type
		}
	}
	return fields
}

var (
	errorLinePattern = regexp.MustCompile(`line (\d+): `)
	unknownField     = regexp.MustCompile(`field (\S+) not found in type \S+`)
	// yaml.v2 quotes the start of a scalar it cannot decode, which may be a
	// secret put where it does not belong; the key and line say enough.
	quotedValue = regexp.MustCompile("(?s)(cannot unmarshal \\S+) `.*` into ")
)

// errorLine is the first line a yaml.v2 error names, or 0.
func errorLine(err error) int {
	if err == nil {
		return 0
	}
	m := errorLinePattern.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	line, _ := strconv.Atoi(m[1])
	return line
}

// decodeReason is the first problem of a decoding error, without the line
// (the Error has it) and without the value.
func decodeReason(err error) string {
	reason := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		reason = te.Errors[0]
	}
	reason = strings.TrimPrefix(reason, "yaml: ")
	reason = errorLinePattern.ReplaceAllString(reason, "")
	reason = quotedValue.ReplaceAllString(reason, "$1 into ")
	return unknownField.ReplaceAllString(reason, `unknown key "$1"`)
}

// secretKeys hold credentials, whatever is nested under them.
var secretKeys = map[string]bool{
	"token": true, "password": true, "credentials": true, "client_secret": true,
	"key": true, "proxy_connect_header": true,
}

// minSecretLen: a shorter value is left to the URL and token patterns;
// replacing every "one" in a message would garble it.
const minSecretLen = 6

// secrets are the values the file sets under secret keys and the user info
// of the URLs it holds.
func (n *node) secrets() []string {
	var out []string
	var walk func(n *node, secret bool)
	walk = func(n *node, secret bool) {
		if n == nil {
			return
		}
		if secret && n.text != "" {
			out = append(out, n.text)
		}
		if _, rest, ok := strings.Cut(n.text, "://"); ok {
			if at := strings.LastIndex(rest, "@"); at > 0 {
				out = append(out, rest[:at])
			}
		}
		for _, e := range n.entries {
			walk(e.value, secret || secretKeys[e.key])
		}
		for _, item := range n.items {
			walk(item, secret)
		}
	}
	walk(n, false)
	// The longest first, so that a secret inside another goes with it.
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return out
}

var (
	// urlUserinfo is the user info of a URL in a message, up to the last
	// "@" before a space or a quote: url.Parse quotes a URL it refuses
	// whole, password included.
	urlUserinfo = regexp.MustCompile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s\"'`]*@")
	// githubToken is a GitHub token wherever it was written, even as a key.
	githubToken = regexp.MustCompile(`\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}`)
)

// redact replaces secrets, URL user info and GitHub tokens in s by
// <secret>.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) >= minSecretLen {
			s = strings.ReplaceAll(s, secret, "<secret>")
		}
	}
	s = urlUserinfo.ReplaceAllString(s, "${1}<secret>@")
	return githubToken.ReplaceAllString(s, "<secret>")
}
