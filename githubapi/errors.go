package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Sentinel errors an *APIError matches with errors.Is.
var (
	ErrBadRequest   = errors.New("bad request")            // 400: GitHub refused the parameters
	ErrUnauthorized = errors.New("unauthorized")           // 401: bad or expired credential
	ErrForbidden    = errors.New("forbidden")              // 403: usually a missing scope or permission
	ErrNotFound     = errors.New("not found")              // 404: unknown account, or no access to it
	ErrRetired      = errors.New("endpoint retired")       // 410: GitHub retired the endpoint
	ErrServer       = errors.New("GitHub server error")    // 5xx
	ErrRateLimited  = errors.New("rate limited by GitHub") // 403/429 from a primary or secondary limit
)

// ErrNotAsked is an answer that holds what was not asked for: a row of
// another day or month, or a timePeriod or filter echo that is not the
// request's. GitHub did not apply the query, so nothing of the answer is
// counted. It comes wrapped in a *DecodeError.
var ErrNotAsked = errors.New("the answer is not for what was asked")

// APIError is an answer from GitHub outside 2xx. It carries GitHub's own
// message; it never carries request headers, so no credential can leak
// through it.
type APIError struct {
	StatusCode int
	// Endpoint is the path template, Path the concrete path requested.
	Endpoint         string
	Path             string
	Message          string
	DocumentationURL string
	// AcceptedPermissions is X-Accepted-GitHub-Permissions: the fine-grained
	// permission the endpoint wants, which is what a 403 usually lacks.
	AcceptedPermissions string
	// RateLimited is set for a 403 or 429 caused by a primary or secondary
	// rate limit.
	RateLimited bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s: %d %s", e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.AcceptedPermissions != "" {
		fmt.Fprintf(&b, " (accepted permissions: %s)", e.AcceptedPermissions)
	}
	return b.String()
}

// Is matches the sentinel errors by status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden && !e.RateLimited
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRetired:
		return e.StatusCode == http.StatusGone
	case ErrServer:
		return e.StatusCode >= 500
	case ErrRateLimited:
		return e.RateLimited
	}
	return false
}

// maxErrorBody bounds how much of an error answer is read for its message.
const maxErrorBody = 64 << 10

func newAPIError(template, path string, resp *http.Response) *APIError {
	e := &APIError{
		StatusCode:          resp.StatusCode,
		Endpoint:            template,
		Path:                path,
		AcceptedPermissions: resp.Header.Get("X-Accepted-GitHub-Permissions"),
	}
	var body struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if json.Unmarshal(raw, &body) == nil {
		e.Message, e.DocumentationURL = body.Message, body.DocumentationURL
	}
	switch e.StatusCode {
	case http.StatusTooManyRequests:
		// 429 means too many requests whatever the headers say.
		e.RateLimited = true
	case http.StatusForbidden:
		e.RateLimited = resp.Header.Get("X-Ratelimit-Remaining") == "0" ||
			resp.Header.Get("Retry-After") != "" ||
			strings.Contains(strings.ToLower(e.Message), "rate limit")
	}
	return e
}

// DecodeError is a 2xx answer whose body is not the JSON document expected.
type DecodeError struct {
	Endpoint string
	Path     string
	Err      error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("GET %s: decode response: %v", e.Path, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// TooLargeError is an answer longer than the configured cap.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds the limit of %d bytes", e.Limit)
}

// Reason names the class of a failed request, for a person deciding what to
// do about it: "rate limited", "token refused" (401), "missing permission"
// (403), "not found" (404), "retired" (410), "GitHub server error" (5xx),
// "refused by GitHub" (another status), "answer refused" (an answer the
// client would not count: a broken body, a missing required field, rows not
// for what was asked), "timed out", "network" (no answer at all), or
// "failed" (anything else: the log says what).
func Reason(err error) string {
	var apiErr *APIError
	var decodeErr *DecodeError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrRateLimited):
		return "rate limited"
	case errors.As(err, &apiErr):
		switch {
		case errors.Is(err, ErrUnauthorized):
			return "token refused"
		case errors.Is(err, ErrForbidden):
			return "missing permission"
		case errors.Is(err, ErrNotFound):
			return "not found"
		case errors.Is(err, ErrRetired):
			return "retired"
		case errors.Is(err, ErrServer):
			return "GitHub server error"
		}
		return "refused by GitHub"
	case errors.As(err, &decodeErr), errors.Is(err, ErrNotAsked):
		return "answer refused"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, new(net.Error)):
		return "network"
	}
	return "failed"
}
