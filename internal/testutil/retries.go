package testutil

import (
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// FastRetries is the retry policy of tests that make GitHub fail with a 5xx
// or a dropped connection: as many retries as githubapi.DefaultRetryPolicy,
// with millisecond backoffs instead of its 0.5 s, 1 s and 2 s, so a failing
// request costs milliseconds and not seconds of the test run.
var FastRetries = githubapi.RetryPolicy{
	Max:  githubapi.DefaultRetryPolicy.Max,
	Base: time.Millisecond,
	Cap:  4 * time.Millisecond,
}
