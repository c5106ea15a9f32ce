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

// Every example under testdata is one JSON document. They are copies of
// the project's shared examples (../shared/githubapi/examples), which make
// check-shared compares with them.
func TestExamplesAreOneJSONDocument(t *testing.T) {
	local := listJSON(t, "testdata/examples")
	if len(local) == 0 {
		t.Fatal("no examples under testdata/examples")
	}
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
