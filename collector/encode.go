package collector

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The encoder renders a refresh's samples once, when the refresh succeeds,
// into the bytes a scrape writes. A warm scrape then copies bytes: it does
// not rebuild, sort, check and encode every sample again, which at hundreds
// of thousands of series took longer than Prometheus's scrape timeout.
//
// The sample lines are stored once, as the text format writes them, and an
// OpenMetrics answer rewrites them as it copies them: the two differ only in
// whole-number values, which OpenMetrics writes with ".0". A family whose
// samples differ in more than that (a counter whose name lacks _total,
// histograms, summaries) keeps an OpenMetrics form of its own.

// Format is an exposition format that the cache can answer in.
type Format int

const (
	// FormatText is the Prometheus text format (0.0.4 and 1.0.0).
	FormatText Format = iota
	// FormatOpenMetrics is OpenMetrics 1.0 (and 0.0.1).
	FormatOpenMetrics
)

// encodedFamily is one metric family of one cache entry, ready to write.
type encodedFamily struct {
	name       string
	textHeader []byte // # HELP and # TYPE for the text format
	omHeader   []byte // # HELP, # TYPE (and # UNIT) for OpenMetrics
	text       []byte // sample lines in the text format
	om         []byte // sample lines in OpenMetrics; nil when they follow from text
	series     int
}

func (f *encodedFamily) header(format Format) []byte {
	if format == FormatOpenMetrics {
		return f.omHeader
	}
	return f.textHeader
}

// encodeMetrics checks, sorts and renders a refresh's samples. It goes
// through a registry, as every scrape used to, so that the cache leaves out
// what the registry would have left out (duplicate series, inconsistent
// labels); problem says what that was. err is an encoding failure.
func encodeMetrics(metrics []prometheus.Metric) (fams []encodedFamily, series int, problem, err error) {
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
	f.omHeader = bytes.Clone(omHeader)
	if !samplesShared(mf) {
		f.om = bytes.Clone(om)
	}

	scratch.Reset()
	if _, err := expfmt.MetricFamilyToText(scratch, mf); err != nil {
		return f, fmt.Errorf("encode %s as text: %w", f.name, err)
	}
	textHeader, text := splitHeader(scratch.Bytes())
	f.textHeader, f.text = bytes.Clone(textHeader), bytes.Clone(text)
	return f, nil
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
	byName map[string]*mergedFamily
}

type mergedFamily struct {
	header []byte
	parts  []part
}

// part is one source's sample lines of a family.
type part struct {
	samples []byte
	toOM    bool // text-format lines to rewrite for OpenMetrics
}

func newFamilyWriter(format Format) *familyWriter {
	return &familyWriter{format: format, byName: map[string]*mergedFamily{}}
}

func (w *familyWriter) add(name string, header []byte, p part) {
	m := w.byName[name]
	if m == nil {
		m = &mergedFamily{header: header}
		w.byName[name] = m
		w.names = append(w.names, name)
	}
	if len(p.samples) > 0 {
		m.parts = append(m.parts, p)
	}
}

func (w *familyWriter) addFamily(f *encodedFamily) {
	switch {
	case w.format != FormatOpenMetrics:
		w.add(f.name, f.textHeader, part{samples: f.text})
	case f.om != nil:
		w.add(f.name, f.omHeader, part{samples: f.om})
	default:
		w.add(f.name, f.omHeader, part{samples: f.text, toOM: true})
	}
}

// addCached adds the families of one cache entry.
func (w *familyWriter) addCached(fams []encodedFamily) {
	for i := range fams {
		w.addFamily(&fams[i])
	}
}

// addGathered encodes families gathered now (the exporter's own metrics and
// the collectors' health), which are few and change on every scrape.
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

// writeTo writes the merged answer.
func (w *familyWriter) writeTo(out io.Writer) error {
	slices.Sort(w.names)
	bw := bufio.NewWriterSize(out, 64<<10)
	for _, name := range w.names {
		m := w.byName[name]
		if len(m.parts) == 0 {
			continue
		}
		bw.Write(m.header)
		for _, p := range m.parts {
			if p.toOM {
				writeOpenMetricsLines(bw, p.samples)
			} else {
				bw.Write(p.samples)
			}
		}
	}
	if w.format == FormatOpenMetrics {
		bw.WriteString("# EOF\n")
	}
	return bw.Flush()
}

// writeOpenMetricsLines copies text-format sample lines, each
// "name{labels} value\n" without a timestamp, adding the ".0" that
// OpenMetrics writes after a whole-number value.
func writeOpenMetricsLines(w *bufio.Writer, text []byte) {
	for len(text) > 0 {
		nl := bytes.IndexByte(text, '\n')
		if nl < 0 {
			nl = len(text)
		}
		line := text[:nl]
		value := line[bytes.LastIndexByte(line, ' ')+1:]
		w.Write(line)
		if wholeNumber(value) {
			w.WriteString(".0")
		}
		w.WriteByte('\n')
		if nl == len(text) {
			break
		}
		text = text[nl+1:]
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
		buf.Grow(len(f.textHeader) + len(f.text))
		buf.Write(f.textHeader)
		buf.Write(f.text)
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
