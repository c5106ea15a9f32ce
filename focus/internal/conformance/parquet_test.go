package conformance

import (
	"bytes"
	"context"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// testdata holds the files package focus's tests hold a run's output to
// (`go test ./focus -update` writes them): NAME.csv and NAME.parquet are
// the CSV and the Parquet file of one run.
const testdata = "../../testdata"

// runs are the runs of testdata: focus's TestCSVAndParquetConform (its
// fixture, October 2026).
var runs = []string{"fixture-2026-10"}

// The CSV and the Parquet file of each run of testdata hold the same rows,
// the Parquet file as Apache Arrow's reader reads it (not the writer's
// library); both keep every FOCUS rule the dataset's columns have, and the
// Parquet columns have FOCUS's types.
func TestTestdataConforms(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !slices.Contains(runs, strings.TrimSuffix(filepath.Base(f), ".parquet")) {
			t.Errorf("%s is not in runs: this test does not check it", f)
		}
	}
	for _, run := range runs {
		t.Run(run, func(t *testing.T) {
			c := ReadCSV(t, filepath.Join(testdata, run+".csv"))
			p, types := readParquet(t, filepath.Join(testdata, run+".parquet"))
			SameRows(t, c, p)
			Check(t, run+".csv", c)
			Check(t, run+".parquet", p)
			checkParquetTypes(t, p, types)
		})
	}
}

// parquetTypes are each column's Arrow type and nullability as the
// independent reader sees them.
type parquetTypes struct {
	types    []arrow.DataType
	nullable []bool
}

// readParquet reads a Parquet dataset with Apache Arrow's reader, not the
// writer's library.
func readParquet(t *testing.T, path string) (*Dataset, parquetTypes) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := file.NewParquetReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	d := &Dataset{Meta: map[string]string{}}
	for _, kv := range pr.MetaData().KeyValueMetadata() {
		if kv.Value != nil {
			d.Meta[kv.Key] = *kv.Value
		}
	}
	pr.Close()
	table, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(raw), parquet.NewReaderProperties(memory.DefaultAllocator), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer table.Release()
	var pt parquetTypes
	n := int(table.NumRows())
	d.Rows = make([][]*string, n)
	for i := range d.Rows {
		d.Rows[i] = make([]*string, table.NumCols())
	}
	for c := 0; c < int(table.NumCols()); c++ {
		field := table.Schema().Field(c)
		d.Header = append(d.Header, field.Name)
		pt.types = append(pt.types, field.Type)
		pt.nullable = append(pt.nullable, field.Nullable)
		row := 0
		for _, chunk := range table.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				if !chunk.IsNull(i) {
					v := arrowText(t, chunk, i)
					d.Rows[row][c] = &v
				}
				row++
			}
		}
	}
	return d, pt
}

// arrowText is an Arrow value in focus.Record's text form.
func arrowText(t *testing.T, a arrow.Array, i int) string {
	t.Helper()
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return Decimal(new(big.Rat).SetFrac(a.Value(i).BigInt(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format("2006-01-02T15:04:05Z")
	}
	t.Fatalf("unexpected Arrow type %s", a.DataType())
	return ""
}

// checkParquetTypes checks each column's Parquet type as Arrow reads it:
// decimals as DECIMAL, date/times as UTC timestamps, strings as UTF-8;
// the never-null columns required.
func checkParquetTypes(t *testing.T, d *Dataset, pt parquetTypes) {
	t.Helper()
	for i, h := range d.Header {
		typ := pt.types[i]
		switch {
		case slices.Contains(decimalColumns, h):
			if dt, ok := typ.(*arrow.Decimal128Type); !ok || dt.Scale != 18 {
				t.Errorf("%s is %s, want a decimal of scale 18", h, typ)
			}
		case slices.Contains(dateTimeColumns, h):
			if ts, ok := typ.(*arrow.TimestampType); !ok || ts.TimeZone != "UTC" {
				t.Errorf("%s is %s, want a UTC timestamp", h, typ)
			}
		default:
			if typ.ID() != arrow.STRING {
				t.Errorf("%s is %s, want a string", h, typ)
			}
		}
		if slices.Contains(neverNull, h) && pt.nullable[i] {
			t.Errorf("%s is optional in the Parquet schema, want required", h)
		}
	}
}
