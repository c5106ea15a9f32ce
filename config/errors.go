package config

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

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
	all := places(doc)
	var ce *Error
	if le := (*yaml.LoadError)(nil); !errors.As(err, &ce) && errors.As(err, &le) {
		ce = explain(all, le)
	} else if ce == nil {
		ce = &Error{Reason: err.Error()}
	}
	line, secrets := 0, []string{}
	for _, p := range all {
		// An error of resolve's names a key: its line is the key's, or the
		// nearest enclosing key's the file has.
		if p.path != "" && (strings.HasPrefix(ce.Key+".", p.path+".") || strings.HasPrefix(ce.Key, p.path+"[")) {
			line = p.line
		}
		if v := p.node.Value; p.node.Kind == yaml.ScalarNode && p.secret {
			secrets = append(secrets, v)
		} else if _, rest, ok := strings.Cut(v, "://"); ok && strings.Contains(rest, "@") {
			secrets = append(secrets, rest[:strings.LastIndex(rest, "@")]) // a URL's user info
		}
	}
	ce.File, ce.Line = file, cmp.Or(ce.Line, line)
	ce.Key, ce.Reason = redact(ce.Key, secrets), redact(ce.Reason, secrets)
	return ce
}

// explain finds the key of a decoding error at the line and column yaml
// gives, and words the error in the configuration's terms.
func explain(all []place, le *yaml.LoadError) *Error {
	ce := &Error{Line: le.Mark.Line, Reason: quotedValue.ReplaceAllString(le.Message, " into ")}
	unknown, twice := unknownKey.FindStringSubmatch(le.Message), setTwice.FindStringSubmatch(le.Message)
	if unknown != nil {
		ce.Reason = fmt.Sprintf("unknown key %q", unknown[1])
	} else if twice != nil {
		ce.Reason = fmt.Sprintf("is set twice (first on line %s)", twice[1])
	}
	for _, p := range all {
		n := p.node
		if unknown != nil || twice != nil {
			n = p.key // these two mark the key, the others the value
		}
		if n != nil && n.Line == le.Mark.Line && n.Column == le.Mark.Column {
			ce.Key, ce.Line = p.path, p.line
			if strings.HasPrefix(le.Message, "cannot construct ") && p.t != nil {
				ce.Reason = fmt.Sprintf("want %s, got %s", want(p.t), cmp.Or(kinds[p.node.ShortTag()], "a "+p.node.ShortTag()))
			}
			break
		}
	}
	return ce
}

// secretKeys hold credentials, whatever is nested under them.
var secretKeys = map[string]bool{"token": true, "password": true, "credentials": true, "client_secret": true,
	"key": true, "proxy_connect_header": true}

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
