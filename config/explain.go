package config

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v4"
)

// syntaxError puts a YAML syntax error on the line of the mistake and says
// what YAML wanted where its own words stump a newcomer: for a tab in the
// indentation and a list item out of line with its list.
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
	if strings.Contains(indent, "\t") {
		ce.Reason = "indented with a tab: YAML indents with spaces only"
	} else if column := len(indent) + 1; text == "-" || strings.HasPrefix(text, "- ") {
		if list, ok := openList(lines[:line-1], column); ok {
			ce.Key = list.path
			ce.Reason = fmt.Sprintf(`list item indented wrongly: YAML wants each "-" of this list in column %d, as on line %d, and this one is in column %d`, list.node.Column, list.node.Line, column)
		}
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
	all := places(&docs[len(docs)-1])
	distance := func(p place) int { return max(p.node.Column-column, column-p.node.Column) }
	for _, p := range all { // open: the last value is inside it
		if p.node.Kind == yaml.SequenceNode && p.node.Style&yaml.FlowStyle == 0 && p.node.Column != column &&
			strings.HasPrefix(all[len(all)-1].path, p.path+"[") && (!ok || distance(p) <= distance(list)) {
			list, ok = p, true
		}
	}
	return list, ok
}

// unclear refuses what yaml v4 decodes without a word although a reader
// may take it otherwise: yes, no, on, off, y and n in a boolean key (YAML
// 1.1 booleans, YAML 1.2 strings, still booleans to yaml v4), and a value
// whose key is empty or null (which yaml v4 drops).
func unclear(doc *yaml.Node) error {
	for _, p := range places(doc) {
		n := p.node
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch {
		case p.key != nil && p.key.ShortTag() == "!!null":
			return &Error{Key: strings.TrimSuffix(strings.TrimSuffix(p.path, p.key.Value), "."), Line: p.line, Reason: "a value without a key"}
		case p.t == reflect.TypeFor[bool]() && n.ShortTag() == "!!str" && slices.Contains([]string{"yes", "no", "on", "off", "y", "n"}, strings.ToLower(n.Value)):
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
		reflect.TypeFor[[]commoncfg.Secret]():   "a list of strings",
		reflect.TypeFor[int64]():                "a whole number",
		reflect.TypeFor[float64]():              "a number",
		reflect.TypeFor[bool]():                 "true or false",
	}
	// kinds names the kind of value the file has (never the value) by its
	// tag.
	kinds = map[string]string{"!!map": "a mapping", "!!seq": "a list", "!!str": "a string", "!!int": "a whole number",
		"!!float": "a decimal number", "!!bool": "a boolean", "!!null": "nothing", "!!timestamp": "a date"}
)

func want(t reflect.Type) string {
	return cmp.Or(wants[t], map[reflect.Kind]string{reflect.String: "a string", reflect.Slice: "a list"}[t.Kind()], "a mapping")
}
