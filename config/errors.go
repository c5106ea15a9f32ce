package config

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"regexp"
	"slices"
	"strings"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v4"
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

var (
	unknownKey = regexp.MustCompile(`^field (.*) not found in type \S+$`)
	setTwice   = regexp.MustCompile(`^mapping key .* already defined at line (\d+)$`)
	// yaml quotes the start of a value it cannot decode, which may be a
	// secret put where it does not belong; the key and line say enough.
	quotedValue = regexp.MustCompile("(?s) `.*` into ")
)

// describe turns an error met while parsing the document doc (nil when
// there is none) into the *Error that Parse returns: with the file, the key
// and the key's line, in the configuration's terms rather than Go's, and
// without any secret the file holds.
func describe(file string, doc *yaml.Node, err error) *Error {
	var ce *Error
	var le *yaml.LoadError
	switch {
	case errors.As(err, &ce):
		line := 0 // of the key, or of the nearest enclosing key the file has
		for p := range places(doc) {
			if p.path != "" && (ce.Key == p.path || strings.HasPrefix(ce.Key, p.path+".") || strings.HasPrefix(ce.Key, p.path+"[")) {
				line = p.line
			}
		}
		ce.Line = cmp.Or(ce.Line, line)
	case errors.As(err, &le):
		ce = explain(doc, le)
	default:
		ce = &Error{Reason: err.Error()}
	}
	var secrets []string
	for p := range places(doc) {
		if v := p.node.Value; p.node.Kind == yaml.ScalarNode {
			if p.secret {
				secrets = append(secrets, v)
			}
			if _, rest, ok := strings.Cut(v, "://"); ok && strings.Contains(rest, "@") {
				secrets = append(secrets, rest[:strings.LastIndex(rest, "@")]) // a URL's user info
			}
		}
	}
	ce.File, ce.Key, ce.Reason = file, redact(ce.Key, secrets), redact(ce.Reason, secrets)
	return ce
}

// explain finds the key of a decoding error, from the line and column yaml
// gives, and words the error in the configuration's terms.
func explain(doc *yaml.Node, le *yaml.LoadError) *Error {
	ce := &Error{Line: le.Mark.Line, Reason: quotedValue.ReplaceAllString(le.Message, " into ")}
	unknown, twice := unknownKey.FindStringSubmatch(le.Message), setTwice.FindStringSubmatch(le.Message)
	if unknown != nil {
		ce.Reason = fmt.Sprintf("unknown key %q", unknown[1])
	} else if twice != nil {
		ce.Reason = fmt.Sprintf("is set twice (first on line %s)", twice[1])
	}
	for p := range places(doc) {
		n := p.node
		if unknown != nil || twice != nil {
			n = p.key // these two mark the key, the others the value
		}
		if n != nil && n.Line == le.Mark.Line && n.Column == le.Mark.Column {
			ce.Key, ce.Line = p.path, p.line
			if strings.HasPrefix(le.Message, "cannot construct ") && p.t != nil {
				ce.Reason = fmt.Sprintf("want %s, got %s", want(p.t), cmp.Or(tags[p.node.ShortTag()], "a "+p.node.ShortTag()))
			}
			break
		}
	}
	return ce
}

// syntaxError puts a YAML syntax error on the line of the mistake and says
// what YAML wanted where its wording does not: a tab in the indentation, a
// list item out of line with its list.
func syntaxError(content []byte, err error) error {
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		return err
	}
	lines := strings.Split(string(content), "\n")
	line := le.Mark.Line // at the end of the file: past the last line with text
	for line > 1 && (line > len(lines) || strings.TrimSpace(lines[line-1]) == "") {
		line--
	}
	ce := &Error{Line: line, Reason: le.Message}
	if line < 1 {
		return ce
	}
	text := strings.TrimLeft(lines[line-1], " \t")
	indent := lines[line-1][:len(lines[line-1])-len(text)]
	column := len(indent) + 1
	if strings.Contains(indent, "\t") {
		ce.Reason = "indented with a tab: YAML indents with spaces only"
	} else if list, ok := openList(lines[:line-1], column); ok && (text == "-" || strings.HasPrefix(text, "- ")) {
		ce.Key = list.path
		ce.Reason = fmt.Sprintf(`list item indented wrongly: YAML wants each "-" of this list in column %d, as on line %d, and this one is in column %d`, list.node.Column, list.node.Line, column)
	}
	return ce
}

// openList is, of the block lists still open at the end of lines, the one
// whose "-" column is nearest column (the innermost on a tie): the list an
// item in that column on the next line was most likely meant for.
func openList(lines []string, column int) (list place, ok bool) {
	var docs []yaml.Node
	if yaml.Load([]byte(strings.Join(lines, "\n")), &docs, yaml.WithAllDocuments()) != nil || len(docs) == 0 {
		return list, false
	}
	var all []place
	for p := range places(&docs[len(docs)-1]) {
		all = append(all, p)
	}
	for _, p := range all { // a list is open if the last value is inside it
		distance := func(p place) int { return max(p.node.Column-column, column-p.node.Column) }
		if p.node.Kind == yaml.SequenceNode && p.node.Style&yaml.FlowStyle == 0 && p.node.Column != column &&
			strings.HasPrefix(all[len(all)-1].path, p.path+"[") && (!ok || distance(p) <= distance(list)) {
			list, ok = p, true
		}
	}
	return list, ok
}

// spelledBool refuses yes, no, on, off, y and n in a boolean key: booleans
// in YAML 1.1, strings in YAML 1.2, and still booleans to yaml v4. The file
// then means the same to every YAML tool.
func spelledBool(doc *yaml.Node) error {
	for p := range places(doc) {
		if n := p.node; p.t == reflect.TypeFor[bool]() && n.ShortTag() == "!!str" && slices.Contains([]string{"yes", "no", "on", "off", "y", "n"}, strings.ToLower(n.Value)) {
			return &Error{Key: p.path, Line: p.line, Reason: fmt.Sprintf("want true or false, got %q: YAML 1.2 reads yes, no, on and off as strings", n.Value)}
		}
	}
	return nil
}

var (
	// wants says what a key of a type wants, in the configuration's terms.
	wants = map[reflect.Type]string{
		reflect.TypeFor[Config]():               "a mapping with keys such as github and organizations",
		reflect.TypeFor[GitHub]():               "a mapping with keys such as token and api_url",
		reflect.TypeFor[App]():                  "a mapping with app_id, installation_id and private_key_file",
		reflect.TypeFor[Account]():              "an account (a mapping such as name: acme)",
		reflect.TypeFor[[]Account]():            "a list of accounts",
		reflect.TypeFor[model.Duration]():       "a duration such as 30m",
		reflect.TypeFor[commoncfg.URL]():        "a URL",
		reflect.TypeFor[commoncfg.TLSVersion](): "a TLS version such as TLS12",
		reflect.TypeFor[int64]():                "a whole number",
		reflect.TypeFor[bool]():                 "true or false",
	}
	// tags names the kind of value the file has (never the value).
	tags = map[string]string{"!!map": "a mapping", "!!seq": "a list", "!!str": "a string", "!!int": "a whole number",
		"!!float": "a decimal number", "!!bool": "a boolean", "!!null": "nothing", "!!timestamp": "a date"}
)

func want(t reflect.Type) string {
	switch {
	case wants[t] != "":
		return wants[t]
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Slice:
		return "a list"
	}
	return "a mapping"
}

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
// file's order. Aliases are not followed: the values are where the anchors
// stand.
func places(doc *yaml.Node) iter.Seq[place] {
	return func(yield func(place) bool) {
		if doc != nil && len(doc.Content) == 1 {
			visit(place{node: doc.Content[0], t: reflect.TypeFor[Config](), line: doc.Content[0].Line}, yield)
		}
	}
}

func visit(p place, yield func(place) bool) bool {
	for p.t != nil && p.t.Kind() == reflect.Pointer {
		p.t = p.t.Elem()
	}
	if !yield(p) {
		return false
	}
	for i, n := range p.node.Content {
		child := place{node: n, t: typeOf(p.t, ""), path: fmt.Sprintf("%s[%d]", p.path, i), line: n.Line, secret: p.secret}
		if k := p.node.Content[max(i-1, 0)]; p.node.Kind == yaml.MappingNode {
			if i%2 == 0 {
				continue
			}
			child.key, child.t, child.path, child.line = k, typeOf(p.t, k.Value), strings.TrimPrefix(p.path+"."+k.Value, "."), k.Line
			child.secret = p.secret || secretKeys[k.Value]
		}
		if !visit(child, yield) {
			return false
		}
	}
	return true
}

// typeOf is the type of key in a value of type t (of its items for a list).
func typeOf(t reflect.Type, key string) reflect.Type {
	switch {
	case t == nil:
	case t.Kind() == reflect.Map || t.Kind() == reflect.Slice:
		return t.Elem()
	case t.Kind() == reflect.Struct:
		for f := range t.Fields() {
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if inline := opts == "inline" && f.Type.Kind() == reflect.Struct; inline && typeOf(f.Type, key) != nil {
				return typeOf(f.Type, key)
			} else if !inline && f.IsExported() && cmp.Or(name, strings.ToLower(f.Name)) == key {
				return f.Type
			}
		}
	}
	return nil
}

// secretKeys hold credentials, whatever is nested under them.
var secretKeys = map[string]bool{
	"token": true, "password": true, "credentials": true, "client_secret": true,
	"key": true, "proxy_connect_header": true,
}

var (
	// urlUserinfo is the user info of a URL in a message, up to the last
	// "@" before a space or a quote: url.Parse quotes a URL it refuses
	// whole, password included.
	urlUserinfo = regexp.MustCompile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s\"'`]*@")
	// githubToken is a GitHub token wherever it was written, even as a key.
	githubToken = regexp.MustCompile(`\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}`)
)

// redact replaces in s the secrets (the longest first, so that a secret
// inside another goes with it), URL user info and GitHub tokens by
// <secret>. A secret shorter than 6 characters is left to the patterns:
// replacing every "one" in a message would garble it.
func redact(s string, secrets []string) string {
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, secret := range secrets {
		if len(secret) >= 6 {
			s = strings.ReplaceAll(s, secret, "<secret>")
		}
	}
	s = urlUserinfo.ReplaceAllString(s, "${1}<secret>@")
	return githubToken.ReplaceAllString(s, "<secret>")
}
