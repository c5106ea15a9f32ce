package githubapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// TokenTransport adds a bearer token to every request. The token lives only
// in this struct and in the outgoing header; it is never formatted.
type TokenTransport struct {
	Token string
	Base  http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *TokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+t.Token)
	return t.base().RoundTrip(req)
}

func (t *TokenTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// String keeps the token out of any %v of the transport.
func (t *TokenTransport) String() string { return "TokenTransport{Token: <secret>}" }

// AppTransport authenticates as a GitHub App installation: ghinstallation
// signs a JWT with the private key, exchanges it for an installation token at
// apiURL and renews it before it expires. An exchange that GitHub refuses
// with a 4xx (a wrong App ID, installation or key) is not tried again for
// tokenRefusalHold: every request in that time fails with the same
// *tokenExchangeError, which the client does not retry, so a refresh round
// costs one POST per credential, not one per request and retry.
func AppTransport(base http.RoundTripper, apiURL string, appID, installationID int64, privateKeyPEM []byte) (http.RoundTripper, error) {
	tr, err := ghinstallation.New(base, appID, installationID, privateKeyPEM)
	if err != nil {
		return nil, err
	}
	tr.BaseURL = strings.TrimRight(apiURL, "/")
	return &appTransport{tr: tr}, nil
}

// tokenRefusalHold is how long a refused installation-token exchange is
// remembered: longer than one refresh round takes, shorter than the
// shortest refresh interval worth configuring.
const tokenRefusalHold = time.Minute

type appTransport struct {
	tr *ghinstallation.Transport

	mu      sync.Mutex
	refused *tokenExchangeError
	until   time.Time
}

func (a *appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := a.token(req.Context()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return a.tr.RoundTrip(req)
}

// token makes sure the installation token is there, asking GitHub at most
// once while a refusal holds. ghinstallation keeps a good token until it
// nearly expires, so the later Token call in RoundTrip sends nothing.
func (a *appTransport) token(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.refused != nil && time.Now().Before(a.until) {
		return a.refused
	}
	a.refused = nil
	_, err := a.tr.Token(ctx)
	var he *ghinstallation.HTTPError
	if err != nil && errors.As(err, &he) && he.Response != nil &&
		he.Response.StatusCode >= 400 && he.Response.StatusCode < 500 && he.Response.StatusCode != http.StatusTooManyRequests {
		a.refused = &tokenExchangeError{Status: he.Response.StatusCode, err: err}
		a.until = time.Now().Add(tokenRefusalHold)
		return a.refused
	}
	return err
}

// tokenExchangeError is an App installation-token exchange that GitHub
// refused with Status: sending it again gets the same answer.
type tokenExchangeError struct {
	Status int
	err    error
}

func (e *tokenExchangeError) Error() string   { return e.err.Error() }
func (e *tokenExchangeError) Unwrap() error   { return e.err }
func (e *tokenExchangeError) permanent() bool { return true }

// OriginOnly sends requests to the origin of api (its scheme, host and
// port) through auth and every other request through plain: a redirect to
// another host, another port, or from https:// to http:// on the same host
// goes without the credential, so it never leaves the configured API and
// never travels in the clear when the API is reached over TLS.
func OriginOnly(api *url.URL, auth, plain http.RoundTripper) http.RoundTripper {
	return &originOnly{api: api, auth: auth, plain: plain}
}

type originOnly struct {
	api         *url.URL
	auth, plain http.RoundTripper
}

func (o *originOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if sameOrigin(req.URL, o.api) {
		return o.auth.RoundTrip(req)
	}
	return o.plain.RoundTrip(req)
}

// sameOrigin compares the scheme, host and port of two URLs as RFC 6454
// does: case-insensitively, with an absent port meaning the scheme's default.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}
