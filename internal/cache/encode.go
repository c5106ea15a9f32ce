package cache

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
)

// The encoder renders a refresh's samples once, when the refresh succeeds,
// into the pieces of the lines a scrape writes. A warm scrape then copies
// bytes: it does not rebuild, sort, check and encode every sample again,
// which at hundreds of thousands of series took longer than Prometheus's
// scrape timeout.
//
// The pieces are stored once, as the text format writes them, and an
// OpenMetrics answer adds what it differs in as it copies them: ".0" after a
// whole-number value. A family through a registry whose samples differ in
// more than that (a counter whose name lacks _total, histograms, summaries)
// keeps an OpenMetrics form of its own.
//
// What the encoder knows of a billing family comes with its samples: each
// collector.Sample carries its collector.Desc (name, help, label names).
// The encoder works out a descInfo from it once per family and refresh, and
// keeps nothing between refreshes.

// Format is an exposition format that the cache can answer in.
type Format int

const (
	// FormatText is the Prometheus text format (0.0.4 and 1.0.0).
	FormatText Format = iota
	// FormatOpenMetrics is OpenMetrics 1.0 (and 0.0.1).
	FormatOpenMetrics
)

// encodedFamily is one metric family of one cache entry, ready to write.
// A family rendered from collector.Samples keeps its lines in parts: the
// label sets once (rows, which the families of one label set share, as the
// usage report's quantity and three amounts do) and the values; a scrape
// writes name, label set, a space and value for each line. Other families
// keep whole lines (lines).
//
// With tens of thousands of entries of a few small families each, the
// family's own size counts: what few families have sits behind pointers.
type encodedFamily struct {
	name    string
	headers *familyHeaders
	rows    []byte       // without lines: label sets (see rowsAppend)
	values  []byte       // without lines: one text-format value and '\n' per row
	lines   *sampleLines // whole lines, or nil
	series  int
}

// familyHeaders are a family's # HELP and # TYPE lines, per format.
type familyHeaders struct {
	text []byte // # HELP and # TYPE for the text format
	om   []byte // # HELP, # TYPE (and # UNIT) for OpenMetrics
}

// sampleLines are whole sample lines.
type sampleLines struct {
	text []byte // in the text format
	om   []byte // in OpenMetrics; nil when they follow from text
}

// A family's rows are the label sets of its lines, in order, each as the
// text format writes it between name and value ("{a=\"x\",b=\"y\"}", or
// nothing for a family without labels), after its length as a uvarint. A
// scrape reads them from the same allocation as the values (pack).

// rowsAppend appends a label set to rows.
func rowsAppend(rows, row []byte) []byte {
	rows = binary.AppendUvarint(rows, uint64(len(row)))
	return append(rows, row...)
}

// rowsNext splits the first label set off rows.
func rowsNext(rows []byte) (row, rest []byte) {
	// Label sets are shorter than 16 KB but in theory: one or two bytes.
	if n := int(rows[0]); n < 0x80 {
		return rows[1 : 1+n], rows[1+n:]
	} else if m := int(rows[1]); m < 0x80 {
		n = n&0x7f | m<<7
		return rows[2 : 2+n], rows[2+n:]
	}
	n, k := binary.Uvarint(rows)
	return rows[k : k+int(n)], rows[k+int(n):]
}

// sampleText is the family's sample lines in the text format.
func (f *encodedFamily) sampleText() []byte {
	if f.lines != nil {
		return f.lines.text
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	writeRows(bw, f.name, f.rows, f.values, false)
	bw.Flush()
	return buf.Bytes()
}

// descInfo is what the encoder needs of a billing descriptor.
type descInfo struct {
	name, help string
	labels     []string
	order      []int    // label indexes in label-name order, as the text format sorts them
	prefixes   [][]byte // per position of order: `{name="` or `,name="`
}

func newDescInfo(name, help string, labels []string) *descInfo {
	d := &descInfo{name: name, help: help, labels: labels}
	d.order = make([]int, len(labels))
	for i := range d.order {
		d.order[i] = i
	}
	slices.SortFunc(d.order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	for i, idx := range d.order {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		d.prefixes = append(d.prefixes, []byte(sep+labels[idx]+`="`))
	}
	return d
}

// appendRow appends the label set of values (in the order of d's label
// names) as the text format writes it between name and value.
func (d *descInfo) appendRow(row []byte, values []string) []byte {
	for j, idx := range d.order {
		row = append(row, d.prefixes[j]...)
		row = appendEscaped(row, values[idx])
		row = append(row, '"')
	}
	if len(d.order) > 0 {
		row = append(row, '}')
	}
	return row
}

// encodeMetrics sorts and renders a refresh's samples. The billing
// collectors' samples (collector.Sample, with label values already valid
// UTF-8) are rendered directly: for hundreds of thousands of series a
// registry's gather would rebuild every label pair and check every sample
// again. Anything else goes through a registry, so that the cache leaves out
// what a registry leaves out (duplicate series, inconsistent labels);
// problem says what that was. err is an encoding failure.
func encodeMetrics(metrics []prometheus.Metric) (fams []encodedFamily, series int, problem, err error) {
	byDesc := map[*collector.Desc][]*collector.Sample{}
	for _, m := range metrics {
		g, ok := m.(*collector.Sample)
		if !ok {
			return encodeThroughRegistry(metrics)
		}
		byDesc[g.Family()] = append(byDesc[g.Family()], g)
	}
	names := map[string]bool{}
	size := 0
	// Families of one label set share their samples' label values (the
	// usage report's four per row): sorted once, the order and the label
	// sets rendered are reused, one copy for all.
	shared := map[string]*sharedRows{}
	var scratch renderScratch
	for desc, samples := range byDesc {
		info := newDescInfo(desc.Name(), desc.Help(), desc.LabelNames())
		if names[info.name] {
			// Two descriptors of one name: let the registry judge.
			return encodeThroughRegistry(metrics)
		}
		names[info.name] = true
		signature := strings.Join(info.labels, "\xff")
		sh := shared[signature]
		if sh == nil {
			sh = &sharedRows{}
			shared[signature] = sh
		}
		f, dups, err := encodeGauges(info, samples, sh, &scratch)
		if err != nil {
			return nil, 0, nil, err
		}
		// f's values are scratch's until copied here; its rows are its own.
		f.values = bytes.Clone(f.values)
		if dups > 0 {
			problem = errors.Join(problem, fmt.Errorf("%s: %d samples repeat the labels of another, left out", info.name, dups))
		}
		series += f.series
		size += len(f.values) + len(f.rows)
		fams = append(fams, f)
	}
	slices.SortFunc(fams, func(a, b encodedFamily) int { return strings.Compare(a.name, b.name) })
	if size < packLimit {
		pack(fams)
	}
	return fams, series, problem, nil
}

// packLimit is the size of rows and values up to which an entry's families
// are packed. A larger entry has few large families, each already in one
// allocation; packing it would copy all of it again.
const packLimit = 1 << 20

// pack moves the label sets and values of an entry's families into one
// allocation, each family's label sets next to its values: a scrape reads an
// entry's small families from a few cache lines rather than three scattered
// allocations per family, and the heap holds one object per entry rather
// than several per family.
func pack(fams []encodedFamily) {
	size := 0
	packed := map[*byte][]byte{}
	for i := range fams {
		f := &fams[i]
		if f.lines != nil || len(f.rows) == 0 {
			continue
		}
		size += len(f.values)
		if _, ok := packed[&f.rows[0]]; !ok {
			packed[&f.rows[0]] = nil
			size += len(f.rows)
		}
	}
	buf := make([]byte, 0, size)
	for i := range fams {
		f := &fams[i]
		if f.lines != nil || len(f.rows) == 0 {
			continue
		}
		r := packed[&f.rows[0]]
		if r == nil {
			start := len(buf)
			buf = append(buf, f.rows...)
			r = buf[start:len(buf):len(buf)]
			packed[&f.rows[0]] = r
		}
		f.rows = r
		start := len(buf)
		buf = append(buf, f.values...)
		f.values = buf[start:len(buf):len(buf)]
	}
}

// sharedRows is what the families with one set of label names share: the
// sorted order of the first one that sorted (by the address of each
// sample's label values), and the label sets of the last one rendered.
type sharedRows struct {
	ranks map[*string]int32
	// rows are the label sets of the family ranks is the order of, when it
	// kept every sample; series is how many lines that is.
	rows   []byte
	series int
	// others are the label sets other families of these label names
	// rendered, for one copy of each.
	others [][]byte
}

// encodeGauges renders one family of gauges, sorted by their labels in
// label-name order. sh holds the sorted order of another family with the
// same label names, by the address of each sample's label values; when
// every sample shares its label values with that family, the order is taken
// from there instead of sorting again, and when the family has all of that
// family's samples, so are its label sets. When it sorted, encodeGauges
// keeps the order it found in sh.
func encodeGauges(info *descInfo, samples []*collector.Sample, sh *sharedRows, scratch *renderScratch) (encodedFamily, int, error) {
	// Labels with one value across the family (scope, account) decide
	// nothing: compare the others only.
	varying := make([]int, 0, len(info.order))
	for _, idx := range info.order {
		for _, g := range samples[min(1, len(samples)):] {
			if g.LabelValues()[idx] != samples[0].LabelValues()[idx] {
				varying = append(varying, idx)
				break
			}
		}
	}
	compare := func(a, b *collector.Sample) int {
		for _, idx := range varying {
			if c := strings.Compare(a.LabelValues()[idx], b.LabelValues()[idx]); c != 0 {
				return c
			}
		}
		return 0
	}
	var rows []byte
	sorted := false
	if placeByRank(samples, sh.ranks) {
		// The family that gave the order had these label sets, checked
		// for repeats already.
		compare = nil
		if sh.rows != nil && len(samples) == sh.series {
			rows = sh.rows
		}
	} else {
		slices.SortFunc(samples, compare)
		sorted = true
	}
	f, dups, err := renderGauges(info, samples, compare, rows, scratch)
	if err != nil {
		return f, dups, err
	}
	switch {
	case sorted && len(samples) >= 1000 && len(info.labels) > 0:
		sh.ranks = make(map[*string]int32, len(samples))
		for i, g := range samples {
			sh.ranks[&g.LabelValues()[0]] = int32(i)
		}
		sh.rows, sh.series = nil, 0
		if dups == 0 {
			sh.rows, sh.series = f.rows, f.series
		}
	case rows == nil:
		// One copy of label sets that another family rendered the same.
		for _, r := range sh.others {
			if bytes.Equal(r, f.rows) {
				f.rows = r
				return f, dups, nil
			}
		}
		sh.others = append(sh.others, f.rows)
	}
	return f, dups, nil
}

// placeByRank puts samples in the order ranks gives, when each sample's label
// values are in ranks and no two share them; it reports whether it did.
func placeByRank(samples []*collector.Sample, ranks map[*string]int32) bool {
	if len(ranks) == 0 || len(samples) > len(ranks) {
		return false
	}
	slots := make([]*collector.Sample, len(ranks))
	for _, g := range samples {
		labels := g.LabelValues()
		if len(labels) == 0 {
			return false
		}
		r, ok := ranks[&labels[0]]
		if !ok || slots[r] != nil {
			return false
		}
		slots[r] = g
	}
	i := 0
	for _, g := range slots {
		if g != nil {
			samples[i] = g
			i++
		}
	}
	return true
}

// renderScratch is where renderGauges puts a family's values, room that
// the families of one refresh reuse.
type renderScratch struct {
	values, row []byte
}

// renderGauges renders sorted gauges as rows and values, leaving out a
// sample whose labels repeat the one before (compare nil: none does). The
// rows are a new allocation of their exact size, or rows when given (the
// label sets of another family with these very samples' label values); the
// values are in scratch, which the family returned holds until the next
// call.
func renderGauges(info *descInfo, samples []*collector.Sample, compare func(a, b *collector.Sample) int, rows []byte, scratch *renderScratch) (encodedFamily, int, error) {
	f := encodedFamily{name: info.name}
	var err error
	if f.headers, err = gaugeHeaders(info.name, info.help); err != nil {
		return f, 0, err
	}
	render := rows == nil
	if render {
		// The exact size: a large family's label sets are most of what it
		// keeps, and rendering them into room to copy from would hold them
		// twice.
		size := 0
		for _, g := range samples {
			n := info.rowLen(g.LabelValues())
			size += uvarintLen(n) + n
		}
		rows = make([]byte, 0, size)
	}
	if cap(scratch.values) < 8*len(samples) {
		scratch.values = make([]byte, 0, 8*len(samples))
	}
	values, row := scratch.values[:0], scratch.row[:0]
	dups := 0
	for i, g := range samples {
		if i > 0 && compare != nil && compare(samples[i-1], g) == 0 {
			dups++
			continue
		}
		if render {
			row = info.appendRow(row[:0], g.LabelValues())
			rows = rowsAppend(rows, row)
		}
		values = appendTextFloat(values, g.Value())
		values = append(values, '\n')
		f.series++
	}
	f.rows, f.values = rows, values
	scratch.values, scratch.row = values, row
	return f, dups, nil
}

// rowLen is the length of the label set appendRow appends for values.
func (d *descInfo) rowLen(values []string) int {
	n := 0
	for j, idx := range d.order {
		n += len(d.prefixes[j]) + escapedLen(values[idx]) + 1
	}
	if len(d.order) > 0 {
		n++
	}
	return n
}

// uvarintLen is the length of n as a uvarint.
func uvarintLen(n int) int {
	k := 1
	for ; n >= 0x80; n >>= 7 {
		k++
	}
	return k
}

// gaugeHeaders are a gauge family's headers as expfmt writes them, from a
// family of one sample.
func gaugeHeaders(name, help string) (*familyHeaders, error) {
	value := 0.0
	mf := &dto.MetricFamily{Name: &name, Help: &help, Type: dto.MetricType_GAUGE.Enum(),
		Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: &value}}}}
	var buf bytes.Buffer
	if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
		return nil, err
	}
	textHeader, _ := splitHeader(buf.Bytes())
	textHeader = bytes.Clone(textHeader)
	buf.Reset()
	if _, err := expfmt.MetricFamilyToOpenMetrics(&buf, mf); err != nil {
		return nil, err
	}
	omHeader, _ := splitHeader(buf.Bytes())
	return internHeaders(textHeader, omHeader), nil
}

// escapedLen is the length of v as appendEscaped writes it.
func escapedLen(v string) int {
	n := len(v)
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\\' || c == '"' || c == '\n' {
			n++
		}
	}
	return n
}

// appendEscaped appends a label value as the text format quotes it.
func appendEscaped(buf []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '"':
			buf = append(buf, '\\', '"')
		case '\n':
			buf = append(buf, '\\', 'n')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// appendTextFloat appends a value as the text format writes it.
func appendTextFloat(buf []byte, f float64) []byte {
	switch {
	case f == 0:
		return append(buf, '0')
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, +1):
		return append(buf, "+Inf"...)
	case math.IsInf(f, -1):
		return append(buf, "-Inf"...)
	}
	return strconv.AppendFloat(buf, f, 'g', -1, 64)
}

// encodeThroughRegistry gathers metrics with a registry and renders them.
func encodeThroughRegistry(metrics []prometheus.Metric) (fams []encodedFamily, series int, problem, err error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(metricSlice(metrics)); err != nil {
		return nil, 0, nil, err
	}
	mfs, problem := reg.Gather()
	fams, series, err = encodeFamilies(mfs)
	return fams, series, problem, err
}

// encodeFamilies renders gathered families, in their (sorted) order.
func encodeFamilies(mfs []*dto.MetricFamily) ([]encodedFamily, int, error) {
	out := make([]encodedFamily, 0, len(mfs))
	total := 0
	var scratch bytes.Buffer
	for _, mf := range mfs {
		f, err := encodeFamily(mf, &scratch)
		if err != nil {
			return nil, 0, err
		}
		total += f.series
		out = append(out, f)
	}
	return out, total, nil
}

func encodeFamily(mf *dto.MetricFamily, scratch *bytes.Buffer) (encodedFamily, error) {
	f := encodedFamily{name: mf.GetName(), series: len(mf.GetMetric())}
	scratch.Reset()
	if _, err := expfmt.MetricFamilyToOpenMetrics(scratch, mf); err != nil {
		return f, fmt.Errorf("encode %s as OpenMetrics: %w", f.name, err)
	}
	omHeader, om := splitHeader(scratch.Bytes())
	omHeader = bytes.Clone(omHeader)
	f.lines = &sampleLines{}
	if !samplesShared(mf) {
		f.lines.om = bytes.Clone(om)
	}

	scratch.Reset()
	if _, err := expfmt.MetricFamilyToText(scratch, mf); err != nil {
		return f, fmt.Errorf("encode %s as text: %w", f.name, err)
	}
	textHeader, text := splitHeader(scratch.Bytes())
	f.headers, f.lines.text = internHeaders(textHeader, omHeader), bytes.Clone(text)
	return f, nil
}

// headers holds one copy of each family's headers the cache has encoded.
// Every account's entry of a collector has the same headers: with thousands
// of accounts, a copy per entry would cost more than the sample lines.
var headers = struct {
	sync.Mutex
	m map[string]*familyHeaders
}{m: map[string]*familyHeaders{}}

// internHeaders returns the one copy of the headers text and om, which
// callers never change.
func internHeaders(text, om []byte) *familyHeaders {
	key := string(text) + "\x00" + string(om)
	headers.Lock()
	defer headers.Unlock()
	if h, ok := headers.m[key]; ok {
		return h
	}
	h := &familyHeaders{text: bytes.Clone(text), om: bytes.Clone(om)}
	headers.m[key] = h
	return h
}

// samplesShared says whether a family's OpenMetrics sample lines are its
// text-format lines but for whole-number values.
func samplesShared(mf *dto.MetricFamily) bool {
	switch mf.GetType() {
	case dto.MetricType_GAUGE, dto.MetricType_UNTYPED:
		return true
	case dto.MetricType_COUNTER:
		return strings.HasSuffix(mf.GetName(), "_total")
	}
	return false
}

// splitHeader splits an encoded family into its leading comment lines and
// its sample lines.
func splitHeader(b []byte) (header, samples []byte) {
	i := 0
	for i < len(b) && b[i] == '#' {
		nl := bytes.IndexByte(b[i:], '\n')
		if nl < 0 {
			return b, nil
		}
		i += nl + 1
	}
	return b[:i], b[i:]
}

// metricSlice is a collector of fixed samples, for encoding them.
type metricSlice []prometheus.Metric

func (metricSlice) Describe(chan<- *prometheus.Desc) {}

func (s metricSlice) Collect(ch chan<- prometheus.Metric) {
	for _, m := range s {
		ch <- m
	}
}

// familyWriter merges families from cache entries and from live registries
// into one answer: each family once, with every series of every source, in
// name order.
type familyWriter struct {
	format Format
	names  []string
	// byName holds the families of this answer (those of generation gen)
	// and, from the answers the writer put together before, families
	// whose room is reused.
	byName map[string]*mergedFamily
	gen    uint64
	// touched sums the bytes loaded ahead of their use (touchBlock).
	touched byte
}

// touchBlock is how many families (or healths) the writer loads at once
// before it writes them.
//
// A scrape of tens of thousands of entries visits each entry's family of
// each name in turn: hundreds of thousands of small families, each in its
// entry's own allocation, which the processor's cache does not hold. Read
// one at a time, each waits for memory twice (the family, then its bytes),
// and the waiting is most of the scrape. Loaded in a block first, by loads
// that do not depend on each other, the memory brings a block's families in
// together; the sum of the bytes loaded is kept (touched) so that the
// compiler keeps the loads. In process, 5,000 organizations (220,000
// families, 275,000 health lines): a third less CPU a scrape.
const touchBlock = 32

// touchFamilies loads, for the block of fams from i, their rows (every 64
// bytes of the first kilobyte) and the first byte of their values, and the
// fields of the next block's families, so that those are at hand when the
// next block's bytes are loaded. The first block loads its own fields
// first.
func touchFamilies(fams []*encodedFamily, i int) byte {
	var t byte
	if i == 0 {
		t += touchFields(fams[:min(touchBlock, len(fams))])
	}
	if next := i + touchBlock; next < len(fams) {
		t += touchFields(fams[next:min(next+touchBlock, len(fams))])
	}
	for _, f := range fams[i:min(i+touchBlock, len(fams))] {
		// A large family's rows are read in order, which the processor
		// brings in ahead by itself: their start is enough.
		for k := 0; k < min(len(f.rows), 1024); k += 64 {
			t += f.rows[k]
		}
		if len(f.values) > 0 {
			t += f.values[0]
		}
	}
	return t
}

// touchFields loads the fields of fams.
func touchFields(fams []*encodedFamily) byte {
	var t byte
	for _, f := range fams {
		t += byte(len(f.rows) + len(f.values))
	}
	return t
}

// mergedFamily is one family of the answer: its header, the families of
// every source that have lines, and, for a health family, every entry's
// health. A scrape of tens of thousands of entries adds a million families
// or more: each is one pointer here.
type mergedFamily struct {
	gen          uint64 // the answer the family is part of
	header       []byte
	fams         []*encodedFamily
	health       []*health
	healthFamily int // with health: which family
}

// familyWriters are writers whose lists of families and sources are kept
// for the next answer: a scrape of tens of thousands of entries would
// otherwise allocate them anew, megabytes each time.
var familyWriters = sync.Pool{New: func() any { return &familyWriter{byName: map[string]*mergedFamily{}} }}

func newFamilyWriter(format Format) *familyWriter {
	w := familyWriters.Get().(*familyWriter)
	w.format = format
	w.gen++
	return w
}

// release hands w back for another answer. The sources it lists are
// cleared, so that it keeps no replaced cache data alive; the families
// this answer did not have are dropped.
func (w *familyWriter) release() {
	for name, m := range w.byName {
		if m.gen != w.gen {
			delete(w.byName, name)
			continue
		}
		clear(m.fams)
		m.fams, m.health, m.header = m.fams[:0], nil, nil
	}
	clear(w.names)
	w.names = w.names[:0]
	familyWriters.Put(w)
}

func (w *familyWriter) merged(name string, header []byte) *mergedFamily {
	m := w.byName[name]
	if m == nil {
		m = &mergedFamily{}
		w.byName[name] = m
	}
	if m.gen != w.gen {
		m.gen, m.header, m.healthFamily = w.gen, header, 0
		w.names = append(w.names, name)
	}
	return m
}

func (w *familyWriter) addFamily(f *encodedFamily) {
	header := f.headers.text
	if w.format == FormatOpenMetrics {
		header = f.headers.om
	}
	m := w.merged(f.name, header)
	if !f.empty() {
		m.fams = append(m.fams, f)
	}
}

// empty says whether the family has no lines.
func (f *encodedFamily) empty() bool {
	if f.lines == nil {
		return len(f.values) == 0
	}
	return len(f.lines.text) == 0 && len(f.lines.om) == 0
}

// addCached adds the families of one cache entry.
func (w *familyWriter) addCached(fams []encodedFamily) {
	for i := range fams {
		w.addFamily(&fams[i])
	}
}

// addHealth adds the health families of entries hs, in order.
func (w *familyWriter) addHealth(hs []*health) {
	headers := healthHeaders()[w.format]
	for i, f := range healthGauges {
		m := w.merged(f.name, headers[i])
		m.healthFamily = i
		for _, h := range hs {
			if h.lines[i] != nil {
				m.health = hs
				break
			}
		}
	}
}

// addGathered encodes families gathered now (the exporter's own metrics),
// which are few and change on every scrape.
func (w *familyWriter) addGathered(mfs []*dto.MetricFamily) error {
	var scratch bytes.Buffer
	for _, mf := range mfs {
		f, err := encodeFamily(mf, &scratch)
		if err != nil {
			return err
		}
		w.addFamily(&f)
	}
	return nil
}

// answerWriters are the buffers answers are put together in. An answer of
// hundreds of megabytes written 64 KB at a time spends more in system calls
// than in putting its lines together.
var answerWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 1<<20) }}

// writeTo writes the merged answer; w is not used after it.
func (w *familyWriter) writeTo(out io.Writer) error {
	slices.Sort(w.names)
	bw := answerWriters.Get().(*bufio.Writer)
	bw.Reset(out)
	defer func() {
		bw.Reset(nil)
		answerWriters.Put(bw)
		w.release()
	}()
	om := w.format == FormatOpenMetrics
	for _, name := range w.names {
		m := w.byName[name]
		if len(m.fams) == 0 && m.health == nil {
			continue
		}
		bw.Write(m.header)
		for i, f := range m.fams {
			if i%touchBlock == 0 {
				w.touched += touchFamilies(m.fams, i)
			}
			switch {
			case f.lines == nil:
				writeRows(bw, f.name, f.rows, f.values, om)
			case !om:
				bw.Write(f.lines.text)
			case f.lines.om != nil:
				bw.Write(f.lines.om)
			default:
				writeOpenMetricsLines(bw, f.lines.text)
			}
		}
		if m.health != nil {
			w.touched += writeHealth(bw, m.health, m.healthFamily, om)
		}
	}
	if w.format == FormatOpenMetrics {
		bw.WriteString("# EOF\n")
	}
	return bw.Flush()
}

// writeHealth writes health family i's lines of every entry of hs, with
// the ".0" that OpenMetrics writes after a whole-number value when om is set.
// touched is what it loaded ahead (touchHealth).
func writeHealth(w *bufio.Writer, hs []*health, i int, om bool) (touched byte) {
	name := healthGauges[i].name
	buf := w.AvailableBuffer()
	for k, h := range hs {
		if k%touchBlock == 0 {
			touched += touchHealth(hs, k, i)
		}
		value := h.lines[i]
		if value == nil {
			continue
		}
		if need := len(name) + len(h.row) + len(value) + 2; cap(buf)-len(buf) < need {
			buf = room(w, buf, need)
		}
		buf = append(buf, name...)
		buf = append(buf, h.row...)
		if om && wholeNumber(value[:len(value)-1]) {
			buf = append(buf, value[:len(value)-1]...)
			buf = append(buf, ".0\n"...)
		} else {
			buf = append(buf, value...)
		}
	}
	w.Write(buf)
	return touched
}

// touchHealth loads what writeHealth reads for health family i of the
// block of hs from k, as touchFamilies does for families.
func touchHealth(hs []*health, k, i int) byte {
	var t byte
	fields := func(hs []*health) {
		for _, h := range hs {
			t += byte(len(h.row) + len(h.lines[i]))
		}
	}
	if k == 0 {
		fields(hs[:min(touchBlock, len(hs))])
	}
	if next := k + touchBlock; next < len(hs) {
		fields(hs[next:min(next+touchBlock, len(hs))])
	}
	for _, h := range hs[k:min(k+touchBlock, len(hs))] {
		t += h.row[0]
		if len(h.lines[i]) > 0 {
			t += h.lines[i][0]
		}
	}
	return t
}

// writeRows writes the lines of a family kept as label rows and values: name,
// row, a space and value, with the ".0" that OpenMetrics writes after a
// whole-number value when om is set.
func writeRows(w *bufio.Writer, name string, rows, values []byte, om bool) {
	// Lines are put together in the writer's free space, not written a
	// piece at a time.
	buf := w.AvailableBuffer()
	var row []byte
	for len(rows) > 0 {
		row, rows = rowsNext(rows)
		nl := bytes.IndexByte(values, '\n')
		if need := len(name) + len(row) + nl + 4; cap(buf)-len(buf) < need {
			buf = room(w, buf, need)
		}
		buf = append(buf, name...)
		buf = append(buf, row...)
		buf = append(buf, ' ')
		if om && wholeNumber(values[:nl]) {
			buf = append(buf, values[:nl]...)
			buf = append(buf, ".0\n"...)
		} else {
			buf = append(buf, values[:nl+1]...)
		}
		values = values[nl+1:]
	}
	w.Write(buf)
}

// room writes buf, which lines were put together in, and returns w's free
// space, emptied first when it holds less than need bytes.
func room(w *bufio.Writer, buf []byte, need int) []byte {
	w.Write(buf)
	if w.Available() < need {
		w.Flush()
	}
	if buf = w.AvailableBuffer(); cap(buf) < need {
		// A line longer than the writer's buffer.
		return make([]byte, 0, need)
	}
	return buf
}

// writeOpenMetricsLines copies text-format sample lines, each
// "name{labels} value\n" without a timestamp, adding the ".0" that
// OpenMetrics writes after a whole-number value.
func writeOpenMetricsLines(w *bufio.Writer, text []byte) {
	// Lines that need nothing added are copied in runs, not one by one.
	start := 0
	for i := 0; i < len(text); {
		nl := bytes.IndexByte(text[i:], '\n')
		if nl < 0 {
			nl = len(text)
		} else {
			nl += i
		}
		line := text[i:nl]
		if wholeNumber(line[bytes.LastIndexByte(line, ' ')+1:]) {
			w.Write(text[start:nl])
			w.WriteString(".0")
			start = nl
		}
		i = nl + 1
	}
	w.Write(text[start:])
	if len(text) > 0 && text[len(text)-1] != '\n' {
		w.WriteByte('\n')
	}
}

// wholeNumber says whether a text-format value is written as digits alone.
func wholeNumber(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseCached turns cached families back into protobuf families, for the
// formats the cache does not hold (protobuf) and for tests.
func parseCached(fams []encodedFamily) ([]*dto.MetricFamily, error) {
	out := make([]*dto.MetricFamily, 0, len(fams))
	for i := range fams {
		f := &fams[i]
		var buf bytes.Buffer
		text := f.sampleText()
		buf.Grow(len(f.headers.text) + len(text))
		buf.Write(f.headers.text)
		buf.Write(text)
		parser := expfmt.NewTextParser(model.UTF8Validation)
		parsed, err := parser.TextToMetricFamilies(&buf)
		if err != nil {
			return nil, fmt.Errorf("parse cached %s: %w", f.name, err)
		}
		if mf := parsed[f.name]; mf != nil {
			out = append(out, mf)
		}
	}
	return out, nil
}
