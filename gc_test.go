package main

import "testing"

// TestDefaultGCPercent: the exporter sets its garbage collector's target
// (50) only when the environment sets neither GOGC nor GOMEMLIMIT; a value
// the user set, even empty, governs.
func TestDefaultGCPercent(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		percent int
		set     bool
	}{
		{env: map[string]string{}, percent: 50, set: true},
		{env: map[string]string{"GOGC": "200"}},
		{env: map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}},
		{env: map[string]string{"GOMEMLIMIT": "512MiB"}},
		{env: map[string]string{"GOGC": ""}},
		{env: map[string]string{"HOME": "/root"}, percent: 50, set: true},
	} {
		lookup := func(name string) (string, bool) { v, ok := tc.env[name]; return v, ok }
		if percent, set := defaultGCPercent(lookup); percent != tc.percent || set != tc.set {
			t.Errorf("environment %v: got %d, %v; want %d, %v", tc.env, percent, set, tc.percent, tc.set)
		}
	}
}
