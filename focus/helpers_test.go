package focus_test

import (
	"bytes"
	"context"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/focus"
	"github.com/github-billing-exporter/github-billing-exporter/focus/internal/conformance"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// runOn runs a focus plan of flags at now against fake for accounts, with
// output in out; cancelAfter, when positive, cancels the run after that
// many requests. It returns stderr and Run's error.
func runOn(t *testing.T, fake *fakegithub.Server, now time.Time, f focus.Flags, cancelAfter int, accounts ...githubapi.Account) (string, error) {
	t.Helper()
	if f.Settle == 0 {
		f.Settle = 1
	}
	plan, err := focus.NewPlan(f, now)
	if err != nil {
		t.Fatalf("NewPlan(%+v): %v", f, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	counter := &backfill.Counter{}
	var obs githubapi.Observer = counter
	if cancelAfter > 0 {
		obs = cancelling{counter, cancelAfter, cancel}
	}
	client := fakegithubtest.Client(t, fake, githubapi.Options{Observer: obs, Retries: githubapi.RetryPolicy{Max: 1, Base: time.Millisecond, Cap: time.Millisecond}})
	var targets []collector.Target
	for _, a := range accounts {
		targets = append(targets, collector.Target{Account: a, Client: client})
	}
	var stdout, stderr bytes.Buffer
	err = focus.Run(ctx, focus.Config{Plan: plan, Targets: targets, Counter: counter, Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return now }, Version: "test"})
	return stderr.String(), err
}

// cancelling counts requests and cancels the run once it has seen after
// of them: the next request fails, as an interrupted run's would.
type cancelling struct {
	*backfill.Counter
	after  int
	cancel context.CancelFunc
}

func (c cancelling) ObserveRequest(endpoint string, code int, d time.Duration) {
	c.Counter.ObserveRequest(endpoint, code, d)
	if c.Requests() >= int64(c.after) {
		c.cancel()
	}
}

// sumBy adds the decimal column of d's rows by the values of the key
// columns, exactly.
func sumBy(t *testing.T, d *conformance.Dataset, column string, keys ...string) map[string]*big.Rat {
	t.Helper()
	ci := d.Col(t, column)
	var ki []int
	for _, k := range keys {
		ki = append(ki, d.Col(t, k))
	}
	out := map[string]*big.Rat{}
	for _, r := range d.Rows {
		key := ""
		for _, k := range ki {
			if r[k] != nil {
				key += *r[k]
			}
			key += " "
		}
		v, ok := new(big.Rat).SetString(*r[ci])
		if !ok {
			t.Fatalf("%s %q is not a decimal", column, *r[ci])
		}
		if out[key] == nil {
			out[key] = new(big.Rat)
		}
		out[key].Add(out[key], v)
	}
	return out
}

// ratText is a decimal's text, for messages and comparisons.
func ratText(r *big.Rat) string { return conformance.Decimal(r) }

// update makes the tests that hold a run's output to a file of testdata
// write that file instead: `go test ./focus -update`.
var update = flag.Bool("update", false, "write the files of testdata that the tests hold a run's output to")

// sameAsTestdata fails unless the file at got is testdata/name byte for
// byte, or writes it there with -update. The test of
// ./focus/internal/conformance reads those files, the Parquet ones with
// Apache Arrow's reader, and checks them against FOCUS's rules.
func sameAsTestdata(t *testing.T, got, name string) {
	t.Helper()
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: `go test ./focus -update` writes it", err)
	}
	if !bytes.Equal(b, want) {
		at := 0
		for at < min(len(b), len(want)) && b[at] == want[at] {
			at++
		}
		t.Errorf("the run's file differs from %s from byte %d on (%d bytes, want %d): if the change is meant, `go test ./focus -update` rewrites the files of testdata, and `go test ./focus/internal/conformance` checks the new ones with Apache Arrow's reader", path, at, len(b), len(want))
	}
}
