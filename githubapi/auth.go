package githubapi

import (
	"net/http"
	"strings"

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
// apiURL and renews it before it expires.
func AppTransport(base http.RoundTripper, apiURL string, appID, installationID int64, privateKeyPEM []byte) (http.RoundTripper, error) {
	tr, err := ghinstallation.New(base, appID, installationID, privateKeyPEM)
	if err != nil {
		return nil, err
	}
	tr.BaseURL = strings.TrimRight(apiURL, "/")
	return tr, nil
}

// HostOnly sends requests to host through auth and every other request
// (a redirect to another host, say) through plain, so the credential never
// leaves the configured API host.
func HostOnly(host string, auth, plain http.RoundTripper) http.RoundTripper {
	return &hostOnly{host: host, auth: auth, plain: plain}
}

type hostOnly struct {
	host        string
	auth, plain http.RoundTripper
}

func (h *hostOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == h.host {
		return h.auth.RoundTrip(req)
	}
	return h.plain.RoundTrip(req)
}
