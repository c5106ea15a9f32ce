package githubapi

import "io"

// DecodeUsageStream exposes the usage report decoder to the external tests
// and benchmarks, which cannot be in this package because they use the fake
// GitHub (fakegithub imports githubapi).
func DecodeUsageStream(r io.Reader, each func(*UsageItem) error) error {
	return decodeUsage(testUsageEndpoint, r, usageRequired, each)
}

// DecodeUsageSyntax is the decoder without the check of required fields:
// the tests that compare its reading of any JSON with encoding/json's.
func DecodeUsageSyntax(r io.Reader, each func(*UsageItem) error) error {
	return decodeUsage(testUsageEndpoint, r, 0, each)
}

var testUsageEndpoint = endpoint{template: "/test/settings/billing/usage", path: "/test/settings/billing/usage"}
