package githubapi

import "io"

// DecodeUsageStream exposes the usage report decoder to the external tests
// and benchmarks, which cannot be in this package because they use the fake
// GitHub (fakegithub imports githubapi).
func DecodeUsageStream(r io.Reader, each func(*UsageItem) error) error {
	return decodeUsage(endpoint{template: "/test/settings/billing/usage", path: "/test/settings/billing/usage"}, r, each)
}
