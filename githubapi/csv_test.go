package githubapi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads every record with the streaming reader, copying the fields.
func readAll(t *testing.T, r io.Reader) ([][]string, error) {
	t.Helper()
	cr := newCSVReader(r)
	var out [][]string
	for {
		f, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rec := make([]string, len(f))
		for i, b := range f {
			rec[i] = string(b)
		}
		out = append(out, rec)
	}
}

// The reader agrees with encoding/csv on files encoding/csv's writer made
// from random fields with commas, quotes, CR and LF in them, read whole
// and one byte at a time (every field crossing a buffer boundary).
func TestCSVReaderAgreesWithEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", ",", `"`, " ", "\n", "é", "x", "0", "."}
	for round := range 200 {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = round%3 == 0
		cols := 1 + rng.IntN(6)
		var want [][]string
		for r := 0; r < 1+rng.IntN(20); r++ {
			rec := make([]string, cols)
			for i := range rec {
				var sb strings.Builder
				for range rng.IntN(8) {
					sb.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				rec[i] = sb.String()
			}
			// encoding/csv's reader skips a record of one empty field
			// (a blank line), as ours does: leave such records out.
			if cols == 1 && rec[0] == "" {
				continue
			}
			want = append(want, rec)
		}
		if err := w.WriteAll(want); err != nil {
			t.Fatal(err)
		}
		// encoding/csv turns \r\n inside quoted fields into \n; compare
		// with its reading, not with what was written.
		ref, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatalf("round %d: encoding/csv: %v", round, err)
		}
		for _, r := range []io.Reader{bytes.NewReader(buf.Bytes()), iotest.OneByteReader(bytes.NewReader(buf.Bytes()))} {
			got, err := readAll(t, r)
			if err != nil {
				t.Fatalf("round %d: %v\n%q", round, err, buf.String())
			}
			if len(ref) == 0 {
				ref = nil
			}
			if !reflect.DeepEqual(got, ref) {
				t.Fatalf("round %d:\n got %q\nwant %q\nfile %q", round, got, ref, buf.String())
			}
		}
	}
}

// The constructed detailed export: a byte-order mark, a workflow path with
// a comma and doubled quotes, empty fields, and no newline at the end.
func TestCSVReaderQuotingAndBOM(t *testing.T) {
	in := "\xEF\xBB\xBFa,b,c\r\n1,\".github/workflows/deploy, \"\"prod\"\".yml\",\r\n,,x"
	got, err := readAll(t, iotest.HalfReader(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "b", "c"}, {"1", `.github/workflows/deploy, "prod".yml`, ""}, {"", "", "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCSVReaderErrors(t *testing.T) {
	for _, c := range []struct {
		name, in  string
		truncated bool
		line      int
	}{
		{"a quoted field the file ends in", "a,b\n1,\"two", true, 2},
		{"a row cut short at the end", "a,b,c\n1,2,3\n4,5", true, 3},
		{"a row cut short after a quoted field", "a,b,c\n1,\"2\"", true, 2},
		{"too many fields", "a,b\n1,2,3\n", false, 2},
		{"too few fields, not at the end", "a,b\n1\n2,3\n", false, 2},
		{"a bare quote", "a,b\n1,x\"y\n", false, 2},
		{"text after a closing quote", "a,b\n1,\"x\"y\n", false, 2},
	} {
		_, err := readAll(t, strings.NewReader(c.in))
		var ce *CSVError
		if !errors.As(err, &ce) {
			t.Errorf("%s: error %v, want a *CSVError", c.name, err)
			continue
		}
		if errors.Is(err, errCSVTruncated) != c.truncated {
			t.Errorf("%s: %v; truncated %v, want %v", c.name, err, !c.truncated, c.truncated)
		}
		if ce.Line != c.line {
			t.Errorf("%s: %v at line %d, want %d", c.name, err, ce.Line, c.line)
		}
	}
}

// A record longer than maxCSVRecord is an error, not a buffer that grows
// without bound.
func TestCSVReaderBoundsARecord(t *testing.T) {
	in := "a\n\"" + strings.Repeat("x", maxCSVRecord+10) + "\"\n"
	if _, err := readAll(t, strings.NewReader(in)); err == nil {
		t.Error("no error for a record past the bound")
	}
}

func TestCSVNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"412", 412, true}, {"95.5", 95.5, true}, {"4.212603", 4.212603, true}, {"0.00842", 0.00842, true},
		{"-1.5", -1.5, true}, {"1e3", 1000, true}, {"12345678901234567.5", 12345678901234567.5, true},
		{"", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"1,5", 0, false}, {"$1", 0, false}, {".", 0, false},
	} {
		got, err := csvNumber([]byte(c.in), "quantity")
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("csvNumber(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}
