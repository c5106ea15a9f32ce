package githubapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// This decoder of usage reports is written for their one shape, an object
// holding an array of flat objects, because encoding/json's Decoder spends
// several times the 1 µs per row that a million-row report can afford (see
// usage_bench_test.go). It reads through a fixed buffer, so memory does not
// grow with the body. It follows RFC 8259 as strictly as encoding/json:
// the same rows, the same string unescaping (invalid UTF-8 and lone
// surrogates become U+FFFD), case-insensitive field names, unknown fields of
// any type skipped, and malformed or truncated input rejected.

// usageSyntaxError is a usage report that is not valid JSON, or not the shape
// GitHub documents. Offset counts bytes from the start of the body.
type usageSyntaxError struct {
	Offset int64
	Msg    string
}

func (e *usageSyntaxError) Error() string {
	return fmt.Sprintf("%s (at byte %d)", e.Msg, e.Offset)
}

// usageField numbers the fields of UsageItem that the decoder fills.
type usageField int

const (
	fieldUnknown usageField = iota
	fieldDate
	fieldProduct
	fieldSKU
	fieldUnitType
	fieldOrganizationName
	fieldRepositoryName
	fieldQuantity
	fieldPricePerUnit
	fieldGrossAmount
	fieldDiscountAmount
	fieldNetAmount
	numUsageFields
)

var usageFieldNames = [numUsageFields]string{
	fieldDate:             "date",
	fieldProduct:          "product",
	fieldSKU:              "sku",
	fieldUnitType:         "unitType",
	fieldOrganizationName: "organizationName",
	fieldRepositoryName:   "repositoryName",
	fieldQuantity:         "quantity",
	fieldPricePerUnit:     "pricePerUnit",
	fieldGrossAmount:      "grossAmount",
	fieldDiscountAmount:   "discountAmount",
	fieldNetAmount:        "netAmount",
}

// rowStart indexes usageScanner.follows for the first field of a row.
const rowStart = numUsageFields

// usageFields is a set of fields, one bit each (bit f for field f).
type usageFields uint16

// usageRequired are the fields of a row that GitHub's schema requires and
// the exporter cannot do without: the date (which says the row belongs to
// what was asked) and every number. encoding/json leaves a missing or null
// number at 0, so a renamed field would turn every row into $0; a row
// without one of them fails the report instead. The names, SKUs and units
// are required too, but an empty label loses no money.
const usageRequired = 1<<fieldDate | 1<<fieldQuantity | 1<<fieldPricePerUnit |
	1<<fieldGrossAmount | 1<<fieldDiscountAmount | 1<<fieldNetAmount

// quotedUsageFieldNames are the field names as they appear in JSON without
// escapes.
var quotedUsageFieldNames = func() (q [numUsageFields]string) {
	for f := fieldDate; f < numUsageFields; f++ {
		q[f] = strconv.Quote(usageFieldNames[f])
	}
	return q
}()

func lookupUsageField(key []byte) usageField {
	switch string(key) { // no allocation: the compiler compares in place
	case "date":
		return fieldDate
	case "product":
		return fieldProduct
	case "sku":
		return fieldSKU
	case "unitType":
		return fieldUnitType
	case "organizationName":
		return fieldOrganizationName
	case "repositoryName":
		return fieldRepositoryName
	case "quantity":
		return fieldQuantity
	case "pricePerUnit":
		return fieldPricePerUnit
	case "grossAmount":
		return fieldGrossAmount
	case "discountAmount":
		return fieldDiscountAmount
	case "netAmount":
		return fieldNetAmount
	}
	// encoding/json matches field names regardless of case; so do we.
	for f := fieldDate; f < numUsageFields; f++ {
		if bytes.EqualFold(key, []byte(usageFieldNames[f])) {
			return f
		}
	}
	return fieldUnknown
}

const (
	usageBufferSize = 128 << 10
	// maxInterned bounds each field's table of distinct strings; beyond it
	// new values are allocated per row, so memory stays bounded whatever the
	// report holds.
	maxInterned = 16 << 10
	// maxNesting bounds the depth of skipped values, as encoding/json does.
	maxNesting = 10000
	// maxToken bounds one string or number the decoder keeps, so no body
	// can make it hold more than that: GitHub's values are a few dozen
	// bytes. Skipped strings may be of any length.
	maxToken = 16 << 20
)

// errTokenTooLong is a kept value longer than maxToken.
var errTokenTooLong = fmt.Errorf("a string or number is longer than %d MB", maxToken>>20)

type usageScanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte to read in buf
	end  int   // end of the data in buf
	base int64 // offset in the body of buf[0]
	rerr error // sticky error of r; io.EOF at the end

	each    func(*UsageItem) error
	item    UsageItem
	stopped error // what each returned, when it stopped the decoding
	// required are the fields every row must have non-null; rows counts
	// the rows read, for the error that names a row lacking one.
	required usageFields
	rows     int
	null     bool // the field just read was null

	scratch []byte // an unescaped string
	nesting []byte // open containers of a skipped value
	// follows is, per field (and rowStart), the field that came next in the
	// last row: a guess that spares scanning most keys.
	follows [numUsageFields + 1]usageField
	// last is each string field's previous value; lastPlain says that value
	// appears in JSON as is, between quotes, so raw bytes can be compared
	// with it.
	last      [numUsageFields]string
	lastPlain [numUsageFields]bool
	intern    [numUsageFields]map[string]string
	// recent are each string field's last distinct values, checked before
	// intern.
	recent     [numUsageFields][8]string
	recentNext [numUsageFields]int
}

// hasPrefix reports whether the buffered input at s.pos starts with p; it
// reads nothing, so a prefix cut by the buffer's end is a miss, and the
// caller then takes the general path.
func (s *usageScanner) hasPrefix(p string) bool {
	return s.end-s.pos >= len(p) && string(s.buf[s.pos:s.pos+len(p)]) == p
}

func newUsageScanner(r io.Reader, required usageFields, each func(*UsageItem) error) *usageScanner {
	return &usageScanner{r: r, buf: make([]byte, usageBufferSize), each: each, required: required}
}

// errStopped ends the decoding when each returned an error.
var errStopped = errors.New("stopped")

func (s *usageScanner) syntaxError(format string, args ...any) error {
	return &usageSyntaxError{Offset: s.base + int64(s.pos), Msg: fmt.Sprintf(format, args...)}
}

// more reads more of the body, keeping the unread bytes from buf[keep:]. It
// returns how far it moved the kept bytes to the front and whether any new
// bytes arrived; when none did, s.rerr says why.
func (s *usageScanner) more(keep int) (shift int, ok bool) {
	if s.rerr != nil {
		return 0, false
	}
	if keep > 0 {
		copy(s.buf, s.buf[keep:s.end])
		s.end -= keep
		s.pos -= keep
		s.base += int64(keep)
		shift = keep
	}
	if s.end == len(s.buf) { // one token fills the buffer
		if len(s.buf) >= maxToken {
			s.rerr = errTokenTooLong
			return shift, false
		}
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
		}
		if n > 0 {
			return shift, true
		}
		if err != nil {
			return shift, false
		}
	}
	s.rerr = io.ErrNoProgress
	return shift, false
}

// readError explains why the body ended where a token was expected.
func (s *usageScanner) readError() error {
	if errors.Is(s.rerr, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return s.rerr
}

// ensure makes n bytes from s.pos available, reporting false at the end of
// the body.
func (s *usageScanner) ensure(n int) bool {
	for s.end-s.pos < n {
		if _, ok := s.more(s.pos); !ok {
			return false
		}
	}
	return true
}

// peek skips white space and returns the next byte without consuming it.
func (s *usageScanner) peek() (byte, error) {
	if s.pos < s.end && s.buf[s.pos] > ' ' { // compact JSON: inlined
		return s.buf[s.pos], nil
	}
	return s.peekSlow()
}

func (s *usageScanner) peekSlow() (byte, error) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\n', '\r', '\t':
				s.pos++
			default:
				return c, nil
			}
		}
		if _, ok := s.more(s.pos); !ok {
			return 0, s.readError()
		}
	}
}

func (s *usageScanner) expect(want byte, what string) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != want {
		return s.syntaxError("invalid character %s %s", quoteChar(c), what)
	}
	s.pos++
	return nil
}

// open moves past the '{' or '[' at s.pos and returns the first byte of the
// first member, or empty when the container closes at once with closer.
func (s *usageScanner) open(closer byte) (c byte, empty bool, err error) {
	s.pos++
	if c, err = s.peek(); err != nil || c != closer {
		return c, false, err
	}
	s.pos++
	return c, true, nil
}

// next moves past what follows a member or element: a comma (it returns
// the first byte of the next one) or closer (done).
func (s *usageScanner) next(closer byte) (c byte, done bool, err error) {
	if c, err = s.peek(); err != nil {
		return c, false, err
	}
	switch c {
	case ',':
		s.pos++
		c, err = s.peek()
		return c, false, err
	case closer:
		s.pos++
		return c, true, nil
	}
	if closer == '}' {
		return c, false, s.syntaxError("invalid character %s after object key:value pair", quoteChar(c))
	}
	return c, false, s.syntaxError("invalid character %s after array element", quoteChar(c))
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	return strconv.QuoteRune(rune(c))
}

// literal consumes true, false or null.
func (s *usageScanner) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if !s.ensure(1) {
			return s.readError()
		}
		if s.buf[s.pos] != word[i] {
			return s.syntaxError("invalid character %s in literal %s (expecting %s)", quoteChar(s.buf[s.pos]), word, quoteChar(word[i]))
		}
		s.pos++
	}
	return nil
}

// document reads the whole body: an object whose "usageItems" member is the
// array of rows, then only white space.
func (s *usageScanner) document() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
	case '{':
		if err := s.report(); err != nil {
			return err
		}
	default:
		return s.syntaxError("invalid character %s: a usage report is a JSON object", quoteChar(c))
	}
	for {
		for ; s.pos < s.end; s.pos++ {
			switch s.buf[s.pos] {
			case ' ', '\n', '\r', '\t':
			default:
				return s.syntaxError("invalid character %s after top-level value", quoteChar(s.buf[s.pos]))
			}
		}
		if _, ok := s.more(s.pos); !ok {
			if errors.Is(s.rerr, io.EOF) {
				return nil
			}
			return s.rerr
		}
	}
}

// report reads the top-level object; s.pos is at its '{'.
func (s *usageScanner) report() error {
	c, empty, err := s.open('}')
	if empty || err != nil {
		return err
	}
	for {
		if c != '"' {
			return s.syntaxError("invalid character %s looking for beginning of object key string", quoteChar(c))
		}
		key, err := s.readString()
		if err != nil {
			return err
		}
		isItems := string(key) == "usageItems" || bytes.EqualFold(key, []byte("usageItems"))
		if err := s.expect(':', "after object key"); err != nil {
			return err
		}
		if isItems {
			err = s.items()
		} else {
			err = s.skipValue()
		}
		if err != nil {
			return err
		}
		var done bool
		if c, done, err = s.next('}'); done || err != nil {
			return err
		}
	}
}

// items reads the usageItems array, handing each row to s.each.
func (s *usageScanner) items() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return s.literal("null")
	case '[':
	default:
		return s.syntaxError("usageItems is not an array")
	}
	c, empty, err := s.open(']')
	if empty || err != nil {
		return err
	}
	for ; ; s.rows++ {
		switch c {
		case 'n': // a null row carries nothing; it lacks what is required
			if err := s.literal("null"); err != nil {
				return err
			}
			if s.required != 0 {
				return s.missing(0)
			}
		case '{':
			if err := s.row(); err != nil {
				return err
			}
			if err := s.each(&s.item); err != nil {
				s.stopped = err
				return errStopped
			}
		default:
			return s.syntaxError("usage item is not an object")
		}
		var done bool
		if c, done, err = s.next(']'); done || err != nil {
			return err
		}
	}
}

// missing is the error of a row that has only the fields in seen: it
// names the required fields it lacks, as decodeRequired does.
func (s *usageScanner) missing(seen usageFields) error {
	var fields []string
	for f := fieldDate; f < numUsageFields; f++ {
		if s.required&^seen&(1<<f) != 0 {
			fields = append(fields, "usageItems["+strconv.Itoa(s.rows)+"]."+usageFieldNames[f])
		}
	}
	return &MissingFieldError{Fields: fields}
}

// row reads one usage item into s.item; s.pos is at its '{'.
func (s *usageScanner) row() error {
	s.item = UsageItem{}
	c, empty, err := s.open('}')
	if err != nil {
		return err
	}
	// seen marks the fields read with a value other than null: one bit
	// each, so the check costs nothing next to reading the row.
	var seen usageFields
	if empty {
		return s.checkRequired(seen)
	}
	prev := rowStart
	for {
		if c != '"' {
			return s.syntaxError("invalid character %s looking for beginning of object key string", quoteChar(c))
		}
		// Rows list their fields in one order: try the field that followed
		// the previous one last time, as raw bytes, before scanning the key.
		f := s.follows[prev]
		if quoted := quotedUsageFieldNames[f]; f != fieldUnknown && s.hasPrefix(quoted) {
			s.pos += len(quoted)
		} else {
			key, err := s.readString()
			if err != nil {
				return err
			}
			f = lookupUsageField(key)
			s.follows[prev] = f
		}
		prev = f
		if err := s.expect(':', "after object key"); err != nil {
			return err
		}
		// A known field is marked seen; number and string set s.null
		// when its value is null, which unmarks it (the last of repeated
		// keys counts, as in encoding/json).
		seen |= 1 << f
		switch f {
		case fieldUnknown:
			err = s.skipValue()
		case fieldQuantity:
			err = s.number(f, &s.item.Quantity)
		case fieldPricePerUnit:
			err = s.number(f, &s.item.PricePerUnit)
		case fieldGrossAmount:
			err = s.number(f, &s.item.GrossAmount)
		case fieldDiscountAmount:
			err = s.number(f, &s.item.DiscountAmount)
		case fieldNetAmount:
			err = s.number(f, &s.item.NetAmount)
		case fieldDate:
			err = s.string(f, &s.item.Date)
		case fieldProduct:
			err = s.string(f, &s.item.Product)
		case fieldSKU:
			err = s.string(f, &s.item.SKU)
		case fieldUnitType:
			err = s.string(f, &s.item.UnitType)
		case fieldOrganizationName:
			err = s.string(f, &s.item.OrganizationName)
		case fieldRepositoryName:
			err = s.string(f, &s.item.RepositoryName)
		}
		if err != nil {
			return err
		}
		if s.null {
			seen &^= 1 << f
			s.null = false
		}
		var done bool
		if c, done, err = s.next('}'); err != nil {
			return err
		}
		if done {
			return s.checkRequired(seen)
		}
	}
}

// checkRequired refuses a row without every required field.
func (s *usageScanner) checkRequired(seen usageFields) error {
	if s.required&^seen != 0 {
		return s.missing(seen)
	}
	return nil
}

// string reads a string field into dst; null leaves dst as it is, as
// encoding/json does.
func (s *usageScanner) string(f usageField, dst *string) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		s.null = true
		return s.literal("null")
	case '"':
	default:
		return s.syntaxError("usage item field %s is not a string", usageFieldNames[f])
	}
	// Rows repeat the same few dates, products, SKUs and organizations:
	// first compare the raw bytes with the previous row's value.
	if last := s.last[f]; s.lastPlain[f] && s.end-s.pos >= len(last)+2 &&
		s.buf[s.pos+1+len(last)] == '"' && string(s.buf[s.pos+1:s.pos+1+len(last)]) == last {
		s.pos += len(last) + 2
		*dst = last
		return nil
	}
	b, err := s.readString()
	if err != nil {
		return err
	}
	// Sharing one string per value spares an allocation per field and row;
	// a few recent values are checked before the table.
	recent := &s.recent[f]
	for _, r := range recent {
		if string(b) == r {
			s.setLast(f, r)
			*dst = r
			return nil
		}
	}
	t := s.intern[f]
	if t == nil {
		t = map[string]string{}
		s.intern[f] = t
	}
	v, ok := t[string(b)]
	if !ok {
		v = string(b)
		if len(t) < maxInterned {
			t[v] = v
		}
	}
	recent[s.recentNext[f]%len(recent)] = v
	s.recentNext[f]++
	s.setLast(f, v)
	*dst = v
	return nil
}

func (s *usageScanner) setLast(f usageField, v string) {
	if len(v) != len(s.last[f]) || v != s.last[f] {
		s.last[f] = v
		s.lastPlain[f] = isPlainString(v)
	}
}

// isPlainString reports whether JSON carries v as is between quotes: no
// quote, backslash or control character would be escaped.
func isPlainString(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// number reads a number field into dst; null leaves dst as it is.
func (s *usageScanner) number(f usageField, dst *float64) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		s.null = true
		return s.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return s.syntaxError("usage item field %s is not a number", usageFieldNames[f])
	}
	if v, ok := s.simpleNumber(); ok {
		*dst = v
		return nil
	}
	start := s.pos
	b, err := s.scanNumber()
	if err != nil {
		return err
	}
	v, err := strconv.ParseFloat(string(b), 64) // no allocation: the string does not escape
	if err != nil {
		s.pos = start
		return s.syntaxError("usage item field %s: number %s out of range", usageFieldNames[f], b)
	}
	*dst = v
	return nil
}

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// simpleNumber converts the common case without strconv: a number already
// whole in the buffer, without exponent, whose digits form an integer below
// 2^53. Such an integer and the power of ten are exact float64s, so one
// division rounds correctly and the result equals strconv.ParseFloat's. It
// consumes nothing and reports false for anything else, which the general
// path then handles.
func (s *usageScanner) simpleNumber() (float64, bool) {
	buf := s.buf[:s.end]
	i := s.pos
	neg := buf[i] == '-'
	if neg {
		i++
	}
	var mantissa uint64
	digits, fraction := 0, 0
	if i < len(buf) && buf[i] == '0' {
		i++
	} else {
		for ; i < len(buf) && buf[i] >= '0' && buf[i] <= '9'; i++ {
			mantissa = mantissa*10 + uint64(buf[i]-'0')
			digits++
		}
		if digits == 0 {
			return 0, false
		}
	}
	if i < len(buf) && buf[i] == '.' {
		i++
		for ; i < len(buf) && buf[i] >= '0' && buf[i] <= '9'; i++ {
			mantissa = mantissa*10 + uint64(buf[i]-'0')
			digits++
			fraction++
		}
		if fraction == 0 {
			return 0, false
		}
	}
	// The number must visibly end here: more digits or an exponent may
	// follow in bytes not read yet.
	if i == len(buf) || buf[i] == 'e' || buf[i] == 'E' || digits > 19 || mantissa >= 1<<53 || fraction >= len(exactPow10) {
		return 0, false
	}
	v := float64(mantissa) / exactPow10[fraction]
	if neg {
		v = -v
	}
	s.pos = i
	return v, true
}

// scanNumber consumes a JSON number and returns its text, valid until the
// next read. s.pos is at its first byte.
func (s *usageScanner) scanNumber() ([]byte, error) {
	start, i := s.pos, s.pos
	// at returns the byte at i, or 0 at the end of the body.
	at := func() (byte, error) {
		if i == s.end {
			shift, ok := s.more(start)
			start -= shift
			i -= shift
			if !ok {
				if !errors.Is(s.rerr, io.EOF) {
					return 0, s.rerr
				}
				return 0, nil
			}
		}
		return s.buf[i], nil
	}
	digits := func() (int, error) {
		n := 0
		for {
			c, err := at()
			if err != nil {
				return n, err
			}
			if c < '0' || c > '9' {
				return n, nil
			}
			i++
			n++
		}
	}
	bad := func(what string) error {
		s.pos = i
		if i == s.end && errors.Is(s.rerr, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return s.syntaxError("invalid number: %s", what)
	}

	c, err := at()
	if err != nil {
		return nil, err
	}
	if c == '-' {
		i++
		if c, err = at(); err != nil {
			return nil, err
		}
	}
	switch {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		if _, err := digits(); err != nil {
			return nil, err
		}
	default:
		return nil, bad("no digits")
	}
	if c, err = at(); err != nil {
		return nil, err
	}
	if c == '.' {
		i++
		if n, err := digits(); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, bad("no digits after the decimal point")
		}
		if c, err = at(); err != nil {
			return nil, err
		}
	}
	if c == 'e' || c == 'E' {
		i++
		if c, err = at(); err != nil {
			return nil, err
		}
		if c == '+' || c == '-' {
			i++
		}
		if n, err := digits(); err != nil {
			return nil, err
		} else if n == 0 {
			return nil, bad("no digits in the exponent")
		}
	}
	s.pos = i
	return s.buf[start:i], nil
}

// plainStringByte marks the bytes a string holds as they are: not the
// closing quote, a backslash, a control character or the start of a
// multi-byte UTF-8 sequence.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// readString consumes a string and returns its unescaped, valid UTF-8
// content, valid until the next read. s.pos is at the opening quote.
func (s *usageScanner) readString() ([]byte, error) {
	s.pos++
	start, i := s.pos, s.pos
	ascii := true
	for {
		buf := s.buf[:s.end]
		for i < len(buf) && plainStringByte[buf[i]] {
			i++
		}
		if i < len(buf) {
			switch c := buf[i]; {
			case c == '"':
				s.pos = i + 1
				b := buf[start:i]
				if !ascii && !utf8.Valid(b) {
					s.scratch = appendValidUTF8(s.scratch[:0], b)
					return s.scratch, nil
				}
				return b, nil
			case c >= utf8.RuneSelf:
				ascii = false
				i++
				continue
			default: // an escape, or a control character to reject
				s.scratch = append(s.scratch[:0], buf[start:i]...)
				s.pos = i
				return s.readEscapedString(ascii)
			}
		}
		shift, ok := s.more(start)
		start -= shift
		i -= shift
		if !ok {
			s.pos = i
			return nil, s.readError()
		}
	}
}

// readEscapedString finishes a string with escapes into s.scratch.
func (s *usageScanner) readEscapedString(ascii bool) ([]byte, error) {
	for {
		if !s.ensure(1) {
			return nil, s.readError()
		}
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			if !ascii && !utf8.Valid(s.scratch) {
				return appendValidUTF8(nil, s.scratch), nil
			}
			return s.scratch, nil
		case c < 0x20:
			return nil, s.syntaxError("invalid character %s in string literal", quoteChar(c))
		case c != '\\':
			if c >= utf8.RuneSelf {
				ascii = false
			}
			s.scratch = append(s.scratch, c)
			s.pos++
			continue
		}
		if !s.ensure(2) {
			return nil, s.readError()
		}
		switch e := s.buf[s.pos+1]; e {
		case '"', '\\', '/':
			s.scratch = append(s.scratch, e)
		case 'b':
			s.scratch = append(s.scratch, '\b')
		case 'f':
			s.scratch = append(s.scratch, '\f')
		case 'n':
			s.scratch = append(s.scratch, '\n')
		case 'r':
			s.scratch = append(s.scratch, '\r')
		case 't':
			s.scratch = append(s.scratch, '\t')
		case 'u':
			r, err := s.hex4(s.pos + 2)
			if err != nil {
				return nil, err
			}
			s.pos += 6
			if r >= 0xD800 && r < 0xDC00 {
				// A high surrogate pairs with a following \u low surrogate;
				// alone, it is U+FFFD, as encoding/json decodes it.
				if s.ensure(6) && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' {
					if r2, err := s.hex4(s.pos + 2); err == nil && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						s.pos += 6
					}
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				r = utf8.RuneError
			}
			s.scratch = utf8.AppendRune(s.scratch, r)
			continue
		default:
			s.pos++
			return nil, s.syntaxError("invalid character %s in string escape code", quoteChar(e))
		}
		s.pos += 2
	}
}

// hex4 decodes the four hex digits at buf[i:].
func (s *usageScanner) hex4(i int) (rune, error) {
	off := i - s.pos
	if !s.ensure(off + 4) {
		// Find the first bad digit among those that did arrive.
		i = s.pos + off
		for ; i < s.end; i++ {
			if !isHex(s.buf[i]) {
				s.pos = i
				return 0, s.syntaxError("invalid character %s in \\u hexadecimal character escape", quoteChar(s.buf[i]))
			}
		}
		s.pos = s.end
		return 0, s.readError()
	}
	i = s.pos + off
	var r rune
	for _, c := range s.buf[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, s.syntaxError("invalid character %s in \\u hexadecimal character escape", quoteChar(c))
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// appendValidUTF8 appends b with every byte that is not part of valid UTF-8
// replaced by U+FFFD, as encoding/json does.
func appendValidUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:n]...)
		}
		b = b[n:]
	}
	return dst
}

// skipValue consumes one value of any type, checking its syntax.
func (s *usageScanner) skipValue() error {
	s.nesting = s.nesting[:0]
	for {
		// A value.
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch {
		case c == '{' || c == '[':
			s.pos++
			if len(s.nesting) >= maxNesting {
				return s.syntaxError("exceeded max depth")
			}
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			n, err := s.peek()
			if err != nil {
				return err
			}
			if n == closing {
				s.pos++
				break
			}
			s.nesting = append(s.nesting, c)
			if c == '{' {
				if err := s.objectKey(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case c == 't':
			err = s.literal("true")
		case c == 'f':
			err = s.literal("false")
		case c == 'n':
			err = s.literal("null")
		case c == '-' || c >= '0' && c <= '9':
			_, err = s.scanNumber()
		default:
			return s.syntaxError("invalid character %s looking for beginning of value", quoteChar(c))
		}
		if err != nil {
			return err
		}
		// After a value: close containers or move to the next member.
		for {
			if len(s.nesting) == 0 {
				return nil
			}
			c, err := s.peek()
			if err != nil {
				return err
			}
			open := s.nesting[len(s.nesting)-1]
			if c == ',' {
				s.pos++
				if open == '{' {
					if err := s.objectKey(); err != nil {
						return err
					}
				}
				break
			}
			if open == '{' && c == '}' || open == '[' && c == ']' {
				s.pos++
				s.nesting = s.nesting[:len(s.nesting)-1]
				continue
			}
			if open == '{' {
				return s.syntaxError("invalid character %s after object key:value pair", quoteChar(c))
			}
			return s.syntaxError("invalid character %s after array element", quoteChar(c))
		}
	}
}

// objectKey consumes a key of a skipped object and its colon.
func (s *usageScanner) objectKey() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '"' {
		return s.syntaxError("invalid character %s looking for beginning of object key string", quoteChar(c))
	}
	if err := s.skipString(); err != nil {
		return err
	}
	return s.expect(':', "after object key")
}

// skipString consumes a string without keeping it, however long it is.
func (s *usageScanner) skipString() error {
	s.pos++
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			switch {
			case c == '"':
				s.pos++
				return nil
			case c < 0x20:
				return s.syntaxError("invalid character %s in string literal", quoteChar(c))
			case c == '\\':
				if !s.ensure(2) {
					return s.readError()
				}
				switch e := s.buf[s.pos+1]; e {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					s.pos += 2
				case 'u':
					if _, err := s.hex4(s.pos + 2); err != nil {
						return err
					}
					s.pos += 6
				default:
					s.pos++
					return s.syntaxError("invalid character %s in string escape code", quoteChar(e))
				}
			default:
				s.pos++
			}
		}
		if _, ok := s.more(s.pos); !ok {
			return s.readError()
		}
	}
}
