package focus

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/parquet-go/parquet-go"
)

// FocusVersion is the FOCUS version the dataset follows.
const FocusVersion = "1.2"

// dataGenerator names who produced the data, as FOCUS's metadata asks.
const dataGenerator = "github-billing-exporter"

// Metadata is what the Parquet file's key-value metadata says of the
// dataset (FOCUS's data generator and schema metadata).
type Metadata struct {
	// GeneratorVersion is the exporter's version.
	GeneratorVersion string
	// CreationDate is when the dataset was started: a run that continues
	// an interrupted one keeps the first run's, so both write one file.
	CreationDate time.Time
}

// schemaID names the columns of Columns: it changes whenever they do.
const schemaID = "github-billing-exporter-focus-1.2-usage-v1"

// recordWriter writes records in one format.
type recordWriter interface {
	write(Record) error
	close() error
}

func newRecordWriter(format string, w io.Writer, md Metadata) (recordWriter, error) {
	switch format {
	case FormatCSV:
		return newCSVWriter(w)
	case FormatParquet:
		return newParquetWriter(w, md), nil
	}
	return nil, fmt.Errorf("format %q: want csv or parquet", format)
}

// csvWriter writes RFC 4180 CSV with a header line: a null is an empty
// cell (the dataset never holds an empty string).
type csvWriter struct{ w *csv.Writer }

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	c := &csvWriter{csv.NewWriter(w)}
	header := make([]string, len(Columns))
	for i, col := range Columns {
		header[i] = col.Name
	}
	return c, c.w.Write(header)
}

func (c *csvWriter) write(r Record) error {
	cells := make([]string, len(r))
	for i, v := range r {
		if v != nil {
			cells[i] = *v
		}
	}
	return c.w.Write(cells)
}

func (c *csvWriter) close() error {
	c.w.Flush()
	return c.w.Error()
}

// decimalBytes is the width of a DECIMAL(38, 18): 16 bytes, big-endian
// two's complement.
const decimalBytes = 16

// parquetSchema is Columns as a Parquet schema: strings as UTF-8 strings,
// decimals as DECIMAL(38, 18), date/times as UTC timestamps in
// milliseconds; nullable columns optional, the rest required.
func parquetSchema() *parquet.Schema {
	group := parquet.Group{}
	for _, c := range Columns {
		var n parquet.Node
		switch c.Kind {
		case Decimal:
			n = parquet.Decimal(decimalScale, 38, parquet.FixedLenByteArrayType(decimalBytes))
		case DateTime:
			n = parquet.Timestamp(parquet.Millisecond)
		default:
			n = parquet.String()
		}
		if c.Nullable {
			n = parquet.Optional(n)
		}
		group[c.Name] = n
	}
	return parquet.NewSchema("focus", group)
}

type parquetWriter struct {
	w    *parquet.GenericWriter[any]
	rows []parquet.Row
}

func newParquetWriter(w io.Writer, md Metadata) *parquetWriter {
	return &parquetWriter{w: parquet.NewGenericWriter[any](w, parquetSchema(),
		parquet.Compression(&parquet.Snappy),
		parquet.CreatedBy(dataGenerator, md.GeneratorVersion, ""),
		parquet.KeyValueMetadata("FocusVersion", FocusVersion),
		parquet.KeyValueMetadata("DataGenerator", dataGenerator),
		parquet.KeyValueMetadata("DataGeneratorVersion", md.GeneratorVersion),
		parquet.KeyValueMetadata("SchemaId", schemaID),
		parquet.KeyValueMetadata("CreationDate", timeText(md.CreationDate)),
	)}
}

func (p *parquetWriter) write(r Record) error {
	row := make(parquet.Row, len(Columns))
	for i, c := range Columns {
		def := 0
		if c.Nullable {
			def = 1
		}
		v := r[i]
		if v == nil {
			if !c.Nullable {
				return fmt.Errorf("%s is null", c.Name)
			}
			row[i] = parquet.NullValue().Level(0, 0, i)
			continue
		}
		switch c.Kind {
		case Decimal:
			b, err := decimalBinary(*v)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			row[i] = parquet.FixedLenByteArrayValue(b).Level(0, def, i)
		case DateTime:
			t, err := time.Parse(time.RFC3339, *v)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			row[i] = parquet.Int64Value(t.UnixMilli()).Level(0, def, i)
		default:
			row[i] = parquet.ByteArrayValue([]byte(*v)).Level(0, def, i)
		}
	}
	p.rows = append(p.rows, row)
	if len(p.rows) >= 1024 {
		return p.flushRows()
	}
	return nil
}

func (p *parquetWriter) flushRows() error {
	_, err := p.w.WriteRows(p.rows)
	p.rows = p.rows[:0]
	return err
}

func (p *parquetWriter) close() error {
	if err := p.flushRows(); err != nil {
		return err
	}
	return p.w.Close()
}

// decimalBinary is decimal text as the unscaled 16-byte big-endian two's
// complement of a DECIMAL(38, 18).
func decimalBinary(text string) ([]byte, error) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal", text)
	}
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(decimalScale), nil)))
	if !scaled.IsInt() {
		return nil, fmt.Errorf("%s has more than %d decimal places", text, decimalScale)
	}
	n := scaled.Num()
	if n.CmpAbs(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)) >= 0 {
		return nil, fmt.Errorf("%s does not fit DECIMAL(38, %d)", text, decimalScale)
	}
	if n.Sign() < 0 {
		n = new(big.Int).Add(n, new(big.Int).Lsh(big.NewInt(1), 8*decimalBytes))
	}
	b := make([]byte, decimalBytes)
	n.FillBytes(b)
	return b, nil
}
