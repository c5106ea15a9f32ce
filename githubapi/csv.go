package githubapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvReader reads RFC 4180 records as a stream: comma-separated fields,
// double quotes around a field that holds a comma, a quote or a line break,
// quotes doubled inside. Every record must have the field count of the
// first. It holds one record at a time: the fields Read returns point into
// its buffers and are valid until the next Read.
//
// It is strict where encoding/csv's default is: a quote inside an unquoted
// field, text after a closing quote, and a quoted field the input ends in
// are errors. A byte-order mark before the first record is dropped.
type csvReader struct {
	r   io.Reader
	buf []byte // buf[start:end] is read and not yet consumed
	// start and end bound the unconsumed bytes of buf.
	start, end int
	eof        bool
	readErr    error
	// fields are the current record's fields; scratch holds the
	// unquoted text of quoted fields, and bounds its offsets into scratch
	// before the fields are sliced from it.
	fields  [][]byte
	scratch []byte
	bounds  []fieldBound
	// want is the field count every record must have (0: the first
	// record's).
	want   int
	line   int // the line the next record starts on, from 1
	record int // records read
}

// fieldBound is where a field is: in buf (from, to) or, when quoted, in
// scratch.
type fieldBound struct {
	from, to int
	quoted   bool
}

// maxCSVRecord bounds one record: a detailed usage row is a few hundred
// bytes, so a record that grows past this is a broken file, not data.
const maxCSVRecord = 1 << 20

// errCSVTruncated is a file that ends inside a record: inside a quoted
// field, or with fewer fields than the header.
var errCSVTruncated = errors.New("the file ends inside a record (cut short)")

// CSVError is a CSV file that does not parse, at a line.
type CSVError struct {
	Line int
	Err  error
}

func (e *CSVError) Error() string { return fmt.Sprintf("CSV line %d: %v", e.Line, e.Err) }
func (e *CSVError) Unwrap() error { return e.Err }

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: r, buf: make([]byte, 64<<10), line: 1}
}

// fill reads more input, moving the unconsumed bytes to the front and
// growing the buffer when a record fills it. It reports false at the end of
// the input or on a read error (c.readErr).
func (c *csvReader) fill() bool {
	if c.eof {
		return false
	}
	if c.start > 0 {
		n := copy(c.buf, c.buf[c.start:c.end])
		c.start, c.end = 0, n
	}
	if c.end == len(c.buf) {
		if len(c.buf) >= maxCSVRecord {
			c.readErr = fmt.Errorf("a record longer than %d bytes", maxCSVRecord)
			c.eof = true
			return false
		}
		grown := make([]byte, 2*len(c.buf))
		copy(grown, c.buf[:c.end])
		c.buf = grown
	}
	for {
		n, err := c.r.Read(c.buf[c.end:])
		c.end += n
		if err != nil {
			c.eof = true
			if err != io.EOF {
				c.readErr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// Read returns the next record, or io.EOF after the last. A blank line is
// no record.
func (c *csvReader) Read() ([][]byte, error) {
	for {
		if c.start == c.end && !c.fill() {
			if c.readErr != nil {
				return nil, &CSVError{Line: c.line, Err: c.readErr}
			}
			return nil, io.EOF
		}
		if c.record == 0 && c.start == 0 {
			// A byte-order mark may come in pieces: wait for three bytes.
			for c.end-c.start < 3 && c.fill() {
			}
			if bytes.HasPrefix(c.buf[c.start:c.end], utf8BOM) {
				c.start += len(utf8BOM)
			}
			if c.start == c.end {
				continue
			}
		}
		switch c.buf[c.start] {
		case '\n':
			c.start++
			c.line++
			continue
		case '\r':
			if c.start+1 < c.end && c.buf[c.start+1] == '\n' {
				c.start += 2
				c.line++
				continue
			}
		}
		break
	}
	fields, err := c.parse()
	if err != nil {
		return nil, err
	}
	c.record++
	return fields, nil
}

var (
	utf8BOM = []byte{0xEF, 0xBB, 0xBF}
	crlf    = []byte("\r\n")
)

// parse reads the record at c.start. The common record, a line without a
// quote, is split on commas in place; a line with a quote goes through
// parseQuoted.
func (c *csvReader) parse() ([][]byte, error) {
	for {
		rest := c.buf[c.start:c.end]
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 && !c.eof {
			if !c.fill() && c.readErr != nil {
				return nil, &CSVError{Line: c.line, Err: c.readErr}
			}
			continue
		}
		lineEnd := nl
		if nl < 0 {
			lineEnd = len(rest)
		}
		line := rest[:lineEnd]
		if bytes.IndexByte(line, '"') >= 0 {
			return c.parseQuoted()
		}
		next := c.start + lineEnd
		if nl >= 0 {
			next++
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		c.fields = c.fields[:0]
		for {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				c.fields = append(c.fields, line)
				break
			}
			c.fields = append(c.fields, line[:i])
			line = line[i+1:]
		}
		if err := c.checkCount(nl < 0); err != nil {
			return nil, err
		}
		c.start = next
		c.line++
		return c.fields, nil
	}
}

// checkCount holds the record to the first record's field count; atEOF
// says the record ended with the input, where too few fields are a file
// cut short.
func (c *csvReader) checkCount(atEOF bool) error {
	if c.want == 0 {
		c.want = len(c.fields)
		return nil
	}
	if len(c.fields) == c.want {
		return nil
	}
	if atEOF && len(c.fields) < c.want {
		return &CSVError{Line: c.line, Err: fmt.Errorf("%w: %d of %d fields", errCSVTruncated, len(c.fields), c.want)}
	}
	return &CSVError{Line: c.line, Err: fmt.Errorf("%d fields, the header has %d", len(c.fields), c.want)}
}

// parseQuoted reads a record with quoted fields byte by byte, reading more
// input while a quoted field spans lines or the buffer's end.
func (c *csvReader) parseQuoted() ([][]byte, error) {
	c.scratch = c.scratch[:0]
	c.bounds = c.bounds[:0]
	lines := 0
	for pos := c.start; ; {
		// One field starts at pos.
		if pos == c.end {
			shift := c.start
			if !c.fill() {
				if c.readErr != nil {
					return nil, &CSVError{Line: c.line, Err: c.readErr}
				}
				// The record ends with the input after a comma: an
				// empty last field.
				c.bounds = append(c.bounds, fieldBound{from: pos - shift, to: pos - shift})
				return c.finish(c.end, lines, true)
			}
			pos -= shift - c.start
		}
		if c.buf[pos] != '"' {
			// An unquoted field: up to the next comma or line end.
			from := pos
			for {
				for pos < c.end && c.buf[pos] != ',' && c.buf[pos] != '\n' && c.buf[pos] != '"' {
					pos++
				}
				if pos < c.end || c.eof {
					break
				}
				shift := c.start
				if !c.fill() {
					break
				}
				pos -= shift - c.start
				from -= shift - c.start
			}
			if pos < c.end && c.buf[pos] == '"' {
				return nil, &CSVError{Line: c.line + lines, Err: errors.New(`a quote inside an unquoted field`)}
			}
			to := pos
			if pos == c.end || c.buf[pos] == '\n' {
				if to > from && c.buf[to-1] == '\r' {
					to--
				}
			}
			c.bounds = append(c.bounds, fieldBound{from: from - c.start, to: to - c.start})
			if pos == c.end {
				return c.finish(pos, lines, true)
			}
			if c.buf[pos] == '\n' {
				return c.finish(pos+1, lines, false)
			}
			pos++ // the comma
			continue
		}
		// A quoted field: unquote it into scratch.
		pos++
		from := len(c.scratch)
		for {
			if pos == c.end {
				shift := c.start
				if !c.fill() {
					if c.readErr != nil {
						return nil, &CSVError{Line: c.line, Err: c.readErr}
					}
					return nil, &CSVError{Line: c.line, Err: fmt.Errorf("%w: a quoted field is not closed", errCSVTruncated)}
				}
				pos -= shift - c.start
			}
			i := bytes.IndexByte(c.buf[pos:c.end], '"')
			if i < 0 {
				lines += bytes.Count(c.buf[pos:c.end], []byte{'\n'})
				c.scratch = append(c.scratch, c.buf[pos:c.end]...)
				pos = c.end
				continue
			}
			lines += bytes.Count(c.buf[pos:pos+i], []byte{'\n'})
			c.scratch = append(c.scratch, c.buf[pos:pos+i]...)
			pos += i + 1
			if pos == c.end {
				shift := c.start
				if !c.fill() {
					if c.readErr != nil {
						return nil, &CSVError{Line: c.line, Err: c.readErr}
					}
					c.scratch = append(c.scratch[:from], bytes.ReplaceAll(c.scratch[from:], crlf, []byte{'\n'})...)
					c.bounds = append(c.bounds, fieldBound{from: from, to: len(c.scratch), quoted: true})
					return c.finish(c.end, lines, true)
				}
				pos -= shift - c.start
			}
			if c.buf[pos] == '"' {
				c.scratch = append(c.scratch, '"')
				pos++
				continue
			}
			break
		}
		// A line break inside a quoted field is \n, as encoding/csv reads it.
		if bytes.Contains(c.scratch[from:], crlf) {
			c.scratch = append(c.scratch[:from], bytes.ReplaceAll(c.scratch[from:], crlf, []byte{'\n'})...)
		}
		if len(c.scratch)-from > maxCSVRecord {
			return nil, &CSVError{Line: c.line, Err: fmt.Errorf("a field longer than %d bytes", maxCSVRecord)}
		}
		c.bounds = append(c.bounds, fieldBound{from: from, to: len(c.scratch), quoted: true})
		switch c.buf[pos] {
		case ',':
			pos++
		case '\n':
			return c.finish(pos+1, lines, false)
		case '\r':
			if pos+1 == c.end {
				shift := c.start
				c.fill()
				pos -= shift - c.start
			}
			if pos+1 < c.end && c.buf[pos+1] == '\n' {
				return c.finish(pos+2, lines, false)
			}
			if pos+1 == c.end {
				return c.finish(pos+1, lines, true)
			}
			return nil, &CSVError{Line: c.line + lines, Err: errors.New("text after a closing quote")}
		default:
			return nil, &CSVError{Line: c.line + lines, Err: errors.New("text after a closing quote")}
		}
	}
}

// finish slices the fields of a quoted record out of buf and scratch, ends
// the record at next and checks its field count.
func (c *csvReader) finish(next, lines int, atEOF bool) ([][]byte, error) {
	c.fields = c.fields[:0]
	for _, b := range c.bounds {
		if b.quoted {
			c.fields = append(c.fields, c.scratch[b.from:b.to])
		} else {
			c.fields = append(c.fields, c.buf[c.start+b.from:c.start+b.to])
		}
	}
	if err := c.checkCount(atEOF); err != nil {
		return nil, err
	}
	c.start = next
	c.line += 1 + lines
	return c.fields, nil
}
