package githubapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// sharedExamples is the project's shared API reference, checked out beside
// the repository (../shared) in CI.
const sharedExamples = "../../shared/githubapi/examples"

// The examples under testdata are copies of the shared ones: same files,
// same bytes.
func TestExamplesMatchShared(t *testing.T) {
	local := listJSON(t, "testdata/examples")
	if len(local) == 0 {
		t.Fatal("no examples under testdata/examples")
	}
	// Every example is one JSON document, whatever else is available.
	for _, name := range local {
		body, err := os.ReadFile(filepath.Join("testdata/examples", name))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&v); err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
			continue
		}
		if dec.More() {
			t.Errorf("%s: more than one JSON document", name)
		}
	}

	st, err := os.Stat(sharedExamples)
	if errors.Is(err, os.ErrNotExist) {
		t.Logf("%s does not exist; compared nothing with it", sharedExamples)
		return
	}
	if err != nil || !st.IsDir() {
		t.Fatalf("%s: %v (directory %v)", sharedExamples, err, st != nil && st.IsDir())
	}
	shared := listJSON(t, sharedExamples)
	if strings.Join(local, "\n") != strings.Join(shared, "\n") {
		t.Errorf("file lists differ:\ntestdata/examples: %v\n%s: %v", local, sharedExamples, shared)
	}
	sharedSet := map[string]bool{}
	for _, name := range shared {
		sharedSet[name] = true
	}
	for _, name := range local {
		if !sharedSet[name] {
			continue
		}
		a, err := os.ReadFile(filepath.Join("testdata/examples", name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(sharedExamples, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("testdata/examples/%s differs from %s/%s", name, sharedExamples, name)
		}
	}
}

func listJSON(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	return names
}

// The legacy examples decode strictly into the client's types: no field of
// GitHub's body is left unread.
func TestLegacyExamplesDecodeStrictly(t *testing.T) {
	for _, tc := range []struct {
		suffix string
		v      func() any
	}{
		{"-actions.json", func() any { return new(githubapi.ActionsBilling) }},
		{"-packages.json", func() any { return new(githubapi.PackagesBilling) }},
		{"-shared-storage.json", func() any { return new(githubapi.SharedStorageBilling) }},
		{"-advanced-security.json", func() any { return new(githubapi.AdvancedSecurityCommitters) }},
	} {
		for _, scope := range []string{"enterprise", "org", "user"} {
			name := filepath.Join("testdata/examples", scope+tc.suffix)
			body, err := os.ReadFile(name)
			if errors.Is(err, os.ErrNotExist) && scope == "user" && tc.suffix == "-advanced-security.json" {
				continue // no user variant
			}
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(tc.v()); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
