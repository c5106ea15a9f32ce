package githubapi

import (
	"context"
	"errors"
	"net/url"
)

// Probe asks GitHub for one endpoint of a, once, and says only whether it
// answered: nil for a 2xx, an *APIError for any other answer (scrubbed of
// the credential like every error of the client), a *RateLimitError
// without a request while a rate limit blocks the credential, or the
// network error. suffix is the path after the account's prefix, the
// billing platform's (/organizations/{org}) when platform is set, else the
// per-product one (/orgs/{org}). Unlike the other calls it neither retries
// nor reads the body: the check command (internal/check) promises one
// request per account and collector, and a status is all it needs.
func (c *Client) Probe(ctx context.Context, a Account, suffix string, platform bool, query url.Values) error {
	e := legacyEndpoint(a, suffix)
	if platform {
		e = platformEndpoint(a, suffix)
	}
	e.query = query
	if err := c.limiter.check(c.now()); err != nil {
		return err
	}
	resp, err := c.attempt(ctx, e, c.url(e))
	if _, ok := errors.AsType[*DecodeError](err); ok {
		// A 2xx too long to read is an answer all the same.
		return nil
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
