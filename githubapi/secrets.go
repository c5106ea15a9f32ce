package githubapi

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Secrets are the credentials the exporter sends: tokens, App installation
// tokens and JWTs, proxy passwords. Text from upstream (an error message, a
// proxy's answer) is scrubbed of them before it is logged or served, since
// an upstream may echo what it was sent.
type Secrets struct {
	mu   sync.RWMutex
	list []string // most recently added last
}

// maxSecrets bounds the set: App installation tokens change every hour, and
// the oldest are dropped first.
const maxSecrets = 256

// minSecretLen is the shortest string scrubbed; replacing a two-letter
// password everywhere would garble every message without hiding anything.
const minSecretLen = 6

// redacted replaces a secret in scrubbed text.
const redacted = "<secret>"

// NewSecrets returns an empty set.
func NewSecrets() *Secrets { return &Secrets{} }

// Add remembers secrets; short and empty ones are ignored.
func (s *Secrets) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) < minSecretLen {
			continue
		}
		if i := indexOf(s.list, v); i >= 0 {
			if i == len(s.list)-1 {
				continue
			}
			s.list = append(s.list[:i], s.list[i+1:]...)
		}
		s.list = append(s.list, v)
		if len(s.list) > maxSecrets {
			s.list = s.list[len(s.list)-maxSecrets:]
		}
	}
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// AddURL remembers the password of a URL's user info, alone and as a
// Basic-auth header would carry it.
func (s *Secrets) AddURL(u *url.URL) {
	if u == nil || u.User == nil {
		return
	}
	if pass, ok := u.User.Password(); ok {
		s.Add(pass, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}
}

// addHeader remembers the credential of an Authorization or
// Proxy-Authorization header value ("Bearer X", "token X", "Basic B64").
func (s *Secrets) addHeader(v string) {
	if v == "" {
		return
	}
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		s.Add(v)
		return
	}
	cred = strings.TrimSpace(cred)
	s.Add(cred)
	if strings.EqualFold(scheme, "basic") {
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, pass, ok := strings.Cut(string(raw), ":"); ok {
				s.Add(pass, string(raw))
			}
		}
	}
}

// scrub replaces every known secret in text by redacted.
func (s *Secrets) scrub(text string) string {
	if s == nil || text == "" {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Longest first would matter only for secrets that contain each
	// other; replacing in order of addition hides both either way.
	for _, v := range s.list {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, redacted)
		}
	}
	return text
}

// scrubError returns err, or an error with the same chain whose text is
// scrubbed when err's text holds a secret.
func (s *Secrets) scrubError(err error) error {
	if s == nil || err == nil {
		return err
	}
	msg := err.Error()
	if clean := s.scrub(msg); clean != msg {
		return &scrubbedError{msg: clean, err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// Record returns a transport that remembers the credential of every request
// it carries (the Authorization header that the authenticating transport
// above it set) before handing the request to next. Put it between the
// authenticating transport and the network: then whatever token is sent,
// an App's installation token included, is known before any answer arrives.
func (s *Secrets) Record(next http.RoundTripper) http.RoundTripper {
	return &recordSecrets{secrets: s, next: next}
}

type recordSecrets struct {
	secrets *Secrets
	next    http.RoundTripper
}

func (r *recordSecrets) RoundTrip(req *http.Request) (*http.Response, error) {
	r.secrets.addHeader(req.Header.Get("Authorization"))
	r.secrets.addHeader(req.Header.Get("Proxy-Authorization"))
	return r.next.RoundTrip(req)
}

// ScrubHandler wraps a log handler so that no known secret reaches the log,
// whatever the message or attribute it came in: the last guard behind the
// scrubbing the client does where upstream text enters.
func ScrubHandler(next slog.Handler, s *Secrets) slog.Handler {
	return &scrubHandler{next: next, secrets: s}
}

type scrubHandler struct {
	next    slog.Handler
	secrets *Secrets
}

func (h *scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.secrets.scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.scrubAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *scrubHandler) scrubAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.secrets.scrub(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		clean := make([]any, len(attrs))
		for i, g := range attrs {
			clean[i] = h.scrubAttr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.Any(a.Key, h.secrets.scrubError(x))
		case interface{ String() string }:
			return slog.String(a.Key, h.secrets.scrub(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h *scrubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.scrubAttr(a)
	}
	return &scrubHandler{next: h.next.WithAttrs(clean), secrets: h.secrets}
}

func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{next: h.next.WithGroup(name), secrets: h.secrets}
}
