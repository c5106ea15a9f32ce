package focus

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// dataset is a file read back: its header and rows, nil for null, in the
// text form of Record (decimals exact, date/times with Z).
type dataset struct {
	header []string
	rows   [][]*string
	// types are, for Parquet, each column's Arrow type and nullability as
	// the independent reader sees them.
	types    []arrow.DataType
	nullable []bool
	// meta is the Parquet file's key-value metadata.
	meta map[string]string
}

// col is the index of column name in d, or fails the test.
func (d *dataset) col(t *testing.T, name string) int {
	t.Helper()
	for i, h := range d.header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %s", name)
	return -1
}

// readCSV reads a CSV dataset: an empty cell is null.
func readCSV(t *testing.T, path string) *dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("empty CSV")
	}
	d := &dataset{header: all[0]}
	for _, rec := range all[1:] {
		row := make([]*string, len(rec))
		for i, v := range rec {
			if v != "" {
				row[i] = &v
			}
		}
		d.rows = append(d.rows, row)
	}
	return d
}

// readParquet reads a Parquet dataset with Apache Arrow's reader, not the
// writer's library.
func readParquet(t *testing.T, path string) *dataset {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := file.NewParquetReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	d := &dataset{meta: map[string]string{}}
	for _, kv := range pr.MetaData().KeyValueMetadata() {
		if kv.Value != nil {
			d.meta[kv.Key] = *kv.Value
		}
	}
	pr.Close()
	table, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(raw), parquet.NewReaderProperties(memory.DefaultAllocator), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer table.Release()
	n := int(table.NumRows())
	d.rows = make([][]*string, n)
	for i := range d.rows {
		d.rows[i] = make([]*string, table.NumCols())
	}
	for c := 0; c < int(table.NumCols()); c++ {
		field := table.Schema().Field(c)
		d.header = append(d.header, field.Name)
		d.types = append(d.types, field.Type)
		d.nullable = append(d.nullable, field.Nullable)
		row := 0
		for _, chunk := range table.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				if !chunk.IsNull(i) {
					v := arrowText(t, chunk, i)
					d.rows[row][c] = &v
				}
				row++
			}
		}
	}
	return d
}

// arrowText is an Arrow value in Record's text form.
func arrowText(t *testing.T, a arrow.Array, i int) string {
	t.Helper()
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		r := new(big.Rat).SetFrac(a.Value(i).BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
		s, err := decimalText(r)
		if err != nil {
			t.Fatal(err)
		}
		return s
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format("2006-01-02T15:04:05Z")
	}
	t.Fatalf("unexpected Arrow type %s", a.DataType())
	return ""
}

// runOn runs a focus plan of flags at now against fake for accounts, with
// output in out; cancelAfter, when positive, cancels the run after that
// many requests. It returns stderr and Run's error.
func runOn(t *testing.T, fake *fakegithub.Server, now time.Time, f Flags, cancelAfter int, accounts ...githubapi.Account) (string, error) {
	t.Helper()
	if f.Settle == 0 {
		f.Settle = 1
	}
	plan, err := NewPlan(f, now)
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
	err = Run(ctx, Config{Plan: plan, Targets: targets, Counter: counter, Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return now }, Version: "test"})
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
func sumBy(t *testing.T, d *dataset, column string, keys ...string) map[string]*big.Rat {
	t.Helper()
	ci := d.col(t, column)
	var ki []int
	for _, k := range keys {
		ki = append(ki, d.col(t, k))
	}
	out := map[string]*big.Rat{}
	for _, r := range d.rows {
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
func ratText(r *big.Rat) string {
	if r == nil {
		return "<none>"
	}
	s, err := decimalText(r)
	if err != nil {
		return fmt.Sprint(r)
	}
	return s
}
