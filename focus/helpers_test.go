package focus_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

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

// readParquet reads a Parquet file a run wrote back into text form with
// parquet-go's row reader, each value decoded from the file's own schema
// (a decimal's scale, a timestamp's unit), not from the writer's column
// table; the files of testdata are also read with Apache Arrow's reader
// (./focus/internal/conformance).
func readParquet(t *testing.T, path string) *conformance.Dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	fields := pf.Schema().Fields()
	d := &conformance.Dataset{}
	for _, field := range fields {
		d.Header = append(d.Header, field.Name())
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	buf := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			out := make([]*string, len(fields))
			for _, v := range row {
				if v.IsNull() {
					continue
				}
				text := parquetText(t, fields[v.Column()], v)
				out[v.Column()] = &text
			}
			d.Rows = append(d.Rows, out)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// parquetText is a value of field in focus.Record's text form: a decimal
// (a big-endian two's complement integer scaled by its logical type's
// scale) exact, a timestamp in UTC with Z, a string as it is.
func parquetText(t *testing.T, field parquet.Field, v parquet.Value) string {
	t.Helper()
	var logical format.LogicalTypeValue
	if lt := field.Type().LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch lt := logical.(type) {
	case *format.DecimalType:
		b := v.ByteArray()
		n := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(lt.Scale)), nil)
		return conformance.Decimal(new(big.Rat).SetFrac(n, scale))
	case *format.TimestampType:
		unit := lt.Unit.Value.Duration()
		return time.Unix(0, v.Int64()*int64(unit)).UTC().Format("2006-01-02T15:04:05Z")
	}
	switch {
	case slices.Contains([]parquet.Kind{parquet.ByteArray, parquet.FixedLenByteArray}, field.Type().Kind()):
		return string(v.ByteArray())
	}
	t.Fatalf("%s: unexpected Parquet type %s", field.Name(), field.Type())
	return ""
}
