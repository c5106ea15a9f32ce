package githubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// ActionsBilling is GET {scope}/settings/billing/actions (retired on
// GitHub's hosted service; GitHub Enterprise Server and mirrors answer it).
type ActionsBilling struct {
	TotalMinutesUsed     float64 `json:"total_minutes_used"`
	TotalPaidMinutesUsed float64 `json:"total_paid_minutes_used"`
	IncludedMinutes      float64 `json:"included_minutes"`
	// MinutesUsedBreakdown is keyed by runner as GitHub sends it (UBUNTU,
	// MACOS, ubuntu_4_core, …); the key "total" is a sum, not a runner.
	MinutesUsedBreakdown RunnerMinutes `json:"minutes_used_breakdown"`
}

// RunnerMinutes is minutes_used_breakdown. A key that comes twice is summed,
// not overwritten: encoding/json turns every invalid UTF-8 byte of a key
// into U+FFFD, so two runner names that differ only in such bytes arrive as
// one key, and each of their minutes counts.
type RunnerMinutes map[string]float64

// UnmarshalJSON implements json.Unmarshaler.
func (r *RunnerMinutes) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*r = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if open, err := dec.Token(); err != nil {
		return err
	} else if open != json.Delim('{') {
		return fmt.Errorf("minutes_used_breakdown is %s, not an object", data[:min(len(data), 20)])
	}
	out := RunnerMinutes{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		var minutes float64
		if err := dec.Decode(&minutes); err != nil {
			return fmt.Errorf("minutes_used_breakdown[%q]: %w", key, err)
		}
		out[key.(string)] += minutes
	}
	*r = out
	return nil
}

// PackagesBilling is GET {scope}/settings/billing/packages (retired).
type PackagesBilling struct {
	TotalGigabytesBandwidthUsed     float64 `json:"total_gigabytes_bandwidth_used"`
	TotalPaidGigabytesBandwidthUsed float64 `json:"total_paid_gigabytes_bandwidth_used"`
	IncludedGigabytesBandwidth      float64 `json:"included_gigabytes_bandwidth"`
}

// SharedStorageBilling is GET {scope}/settings/billing/shared-storage (retired).
type SharedStorageBilling struct {
	DaysLeftInBillingCycle       float64 `json:"days_left_in_billing_cycle"`
	EstimatedPaidStorageForMonth float64 `json:"estimated_paid_storage_for_month"`
	EstimatedStorageForMonth     float64 `json:"estimated_storage_for_month"`
}

// The fields the schemas of the legacy answers require (API.md §4.1-4.3).
// An answer without one of them is not the account's billing data.
var (
	actionsRequired       = []string{"total_minutes_used", "total_paid_minutes_used", "included_minutes", "minutes_used_breakdown"}
	packagesRequired      = []string{"total_gigabytes_bandwidth_used", "total_paid_gigabytes_bandwidth_used", "included_gigabytes_bandwidth"}
	sharedStorageRequired = []string{"days_left_in_billing_cycle", "estimated_paid_storage_for_month", "estimated_storage_for_month"}
)

func legacyEndpoint(a Account, suffix string) endpoint {
	template, path := a.legacyPrefix()
	return endpoint{template: template + suffix, path: path + suffix}
}

// ActionsBilling fetches the Actions minutes of the current billing cycle.
func (c *Client) ActionsBilling(ctx context.Context, a Account) (*ActionsBilling, error) {
	var v ActionsBilling
	if err := c.getJSON(ctx, legacyEndpoint(a, "/settings/billing/actions"), &v, actionsRequired...); err != nil {
		return nil, err
	}
	return &v, nil
}

// PackagesBilling fetches the Packages bandwidth of the current billing cycle.
func (c *Client) PackagesBilling(ctx context.Context, a Account) (*PackagesBilling, error) {
	var v PackagesBilling
	if err := c.getJSON(ctx, legacyEndpoint(a, "/settings/billing/packages"), &v, packagesRequired...); err != nil {
		return nil, err
	}
	return &v, nil
}

// SharedStorageBilling fetches the estimated shared storage of the month.
func (c *Client) SharedStorageBilling(ctx context.Context, a Account) (*SharedStorageBilling, error) {
	var v SharedStorageBilling
	if err := c.getJSON(ctx, legacyEndpoint(a, "/settings/billing/shared-storage"), &v, sharedStorageRequired...); err != nil {
		return nil, err
	}
	return &v, nil
}
