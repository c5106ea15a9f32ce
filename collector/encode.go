package collector

import (
	"bytes"
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
)

// This file renders a refresh's samples into the exposition format once, so
// that a scrape only copies bytes. The engine (exporter.go) decides what is
// cached and served; this file knows how it looks on the wire.
//
// The cache keeps one form: text format 0.0.4 sample lines. OpenMetrics 1.0
// differs for a gauge only in how a whole number is written ("3.0", not
// "3"), so a scrape asking for OpenMetrics gets the same lines with ".0"
// added where needed, and each family's HELP/TYPE header in both forms.
// Samples that are not the collectors' own gauges (none today) are encoded
// by expfmt in both forms.

// descInfo is what the encoder needs of a billing descriptor, which
// prometheus.Desc does not show: name, help and label names.
type descInfo struct {
	name, help string
	labels     []string
	// order lists the label indexes sorted by label name, the order in
	// which the registry writes label pairs.
	order []int
}

// descInfos maps each billing descriptor made by newDesc to its descInfo.
var descInfos sync.Map // *prometheus.Desc → *descInfo

func registerDesc(d *prometheus.Desc, name, help string, labels []string) {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	descInfos.Store(d, &descInfo{name: name, help: help, labels: labels, order: order})
}

func lookupDesc(d *prometheus.Desc) *descInfo {
	if v, ok := descInfos.Load(d); ok {
		return v.(*descInfo)
	}
	return nil
}

// encodedFamily is one metric family of one cache entry in exposition form.
type encodedFamily struct {
	name string
	// textHeader and omHeader are the HELP and TYPE lines in text 0.0.4
	// and OpenMetrics 1.0.
	textHeader, omHeader []byte
	// samples are the sample lines in text 0.0.4, sorted by label values.
	samples []byte
	// omSamples are the OpenMetrics sample lines of a family that is not a
	// gauge; nil for a gauge, whose OpenMetrics lines follow from samples.
	omSamples []byte
	series    int
}

// encoded is one refresh's samples, families sorted by name.
type encoded struct {
	families []encodedFamily
	series   int
}

// encode renders metrics into their exposition form. Samples with the same
// name and labels are kept once (the first) and reported in the error, as
// the registry would refuse them; the rest is still encoded.
func encode(metrics []prometheus.Metric) (*encoded, error) {
	byName := map[string][]*gaugeSample{}
	infos := map[string]*descInfo{}
	var other []prometheus.Metric
	for _, m := range metrics {
		g, ok := m.(*gaugeSample)
		var info *descInfo
		if ok {
			info = lookupDesc(g.desc)
		}
		if info == nil {
			other = append(other, m)
			continue
		}
		if prev := infos[info.name]; prev != nil && prev != info && !slices.Equal(prev.labels, info.labels) {
			other = append(other, m) // same name, other labels: let the registry judge
			continue
		}
		infos[info.name] = info
		byName[info.name] = append(byName[info.name], g)
	}
	enc := &encoded{}
	var errs []error
	for name, samples := range byName {
		f, err := encodeGauges(infos[name], samples)
		if err != nil {
			errs = append(errs, err)
		}
		enc.families = append(enc.families, f)
	}
	if len(other) > 0 {
		fams, err := encodeOther(other)
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range fams {
			if _, clash := byName[f.name]; clash {
				errs = append(errs, fmt.Errorf("metric family %s mixes gauges with other metrics; dropped the others", f.name))
				continue
			}
			enc.families = append(enc.families, f)
		}
	}
	slices.SortFunc(enc.families, func(a, b encodedFamily) int { return strings.Compare(a.name, b.name) })
	for _, f := range enc.families {
		enc.series += f.series
	}
	return enc, errors.Join(errs...)
}

// encodeGauges renders one family of the collectors' gauges: sorted by
// label values, duplicates dropped, into one buffer of exactly the size
// the lines take.
func encodeGauges(info *descInfo, samples []*gaugeSample) (encodedFamily, error) {
	compare := func(a, b *gaugeSample) int {
		for _, i := range info.order {
			if c := strings.Compare(a.labels[i], b.labels[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	// Collectors that can hand their samples over sorted (usage does) spare
	// the sort: one pass checks the order and finds the duplicates.
	sorted := true
	for i := 1; i < len(samples) && sorted; i++ {
		sorted = compare(samples[i-1], samples[i]) <= 0
	}
	if !sorted {
		slices.SortFunc(samples, compare)
	}
	dup := make([]bool, len(samples))
	dups := 0
	size := 0
	var scratch []byte
	for i, g := range samples {
		if i > 0 && compare(samples[i-1], g) == 0 {
			dup[i] = true
			dups++
			continue
		}
		scratch = appendGaugeLine(scratch[:0], info, g)
		size += len(scratch)
	}
	buf := make([]byte, 0, size)
	for i, g := range samples {
		if !dup[i] {
			buf = appendGaugeLine(buf, info, g)
		}
	}
	f := encodedFamily{
		name:       info.name,
		textHeader: header(info.name, info.help, "gauge", false),
		omHeader:   header(info.name, info.help, "gauge", true),
		samples:    buf,
		series:     len(samples) - dups,
	}
	if dups > 0 {
		return f, fmt.Errorf("%s: %d samples repeat another's labels; kept the first of each", info.name, dups)
	}
	return f, nil
}

func appendGaugeLine(b []byte, info *descInfo, g *gaugeSample) []byte {
	b = append(b, info.name...)
	if len(info.order) > 0 {
		b = append(b, '{')
		for n, i := range info.order {
			if n > 0 {
				b = append(b, ',')
			}
			b = append(b, info.labels[i]...)
			b = append(b, '=', '"')
			b = appendLabelValue(b, g.labels[i])
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendTextFloat(b, g.value)
	return append(b, '\n')
}

// appendLabelValue escapes a label value as both formats do: backslash,
// double quote and line feed.
func appendLabelValue(b []byte, v string) []byte {
	if !strings.ContainsAny(v, "\\\"\n") {
		return append(b, v...)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendTextFloat writes a value as the text format does.
func appendTextFloat(b []byte, f float64) []byte {
	switch {
	case f == 0:
		return append(b, '0')
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, +1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// header is a family's HELP and TYPE lines. The text format escapes
// backslash and line feed in HELP; OpenMetrics escapes the double quote too.
func header(name, help, typ string, om bool) []byte {
	var b []byte
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	for i := 0; i < len(help); i++ {
		switch c := help[i]; {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '"' && om:
			b = append(b, '\\', '"')
		default:
			b = append(b, c)
		}
	}
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// encodeOther renders metrics that are not the collectors' gauges through
// a registry and expfmt, in both formats.
func encodeOther(metrics []prometheus.Metric) ([]encodedFamily, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(metricList(metrics)); err != nil {
		return nil, err
	}
	mfs, gatherErr := reg.Gather()
	var out []encodedFamily
	for _, mf := range mfs {
		var text, om bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&text, mf); err != nil {
			return out, err
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(&om, mf); err != nil {
			return out, err
		}
		th, ts := splitHeader(text.Bytes())
		oh, os := splitHeader(om.Bytes())
		out = append(out, encodedFamily{
			name: mf.GetName(), textHeader: th, omHeader: oh,
			samples: ts, omSamples: os, series: len(mf.Metric),
		})
	}
	return out, gatherErr
}

// splitHeader cuts a family's exposition into its comment lines and its
// sample lines.
func splitHeader(b []byte) (head, samples []byte) {
	i := 0
	for i < len(b) && b[i] == '#' {
		n := bytes.IndexByte(b[i:], '\n')
		if n < 0 {
			return b, nil
		}
		i += n + 1
	}
	return bytes.Clone(b[:i]), bytes.Clone(b[i:])
}

// metricList is a fixed list of metrics as an unchecked collector.
type metricList []prometheus.Metric

func (metricList) Describe(chan<- *prometheus.Desc) {}

func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l {
		ch <- m
	}
}

// writeFamilies writes the families of the cache entries: each family once,
// its header from the first entry that has it, then its samples from every
// entry in turn. It allocates per entry, never per series.
func writeFamilies(w io.Writer, encs []*encoded, om bool) error {
	next := make([]int, len(encs)) // per entry, the index of its next family
	for {
		name, found := "", false
		for i, enc := range encs {
			if enc == nil || next[i] >= len(enc.families) {
				continue
			}
			if n := enc.families[next[i]].name; !found || n < name {
				name, found = n, true
			}
		}
		if !found {
			return nil
		}
		first := true
		for i, enc := range encs {
			if enc == nil || next[i] >= len(enc.families) || enc.families[next[i]].name != name {
				continue
			}
			f := &enc.families[next[i]]
			next[i]++
			if first {
				first = false
				h := f.textHeader
				if om {
					h = f.omHeader
				}
				if _, err := w.Write(h); err != nil {
					return err
				}
			}
			var err error
			switch {
			case !om:
				_, err = w.Write(f.samples)
			case f.omSamples != nil:
				_, err = w.Write(f.omSamples)
			default:
				err = writeOpenMetricsGauges(w, f.samples)
			}
			if err != nil {
				return err
			}
		}
	}
}

// writeOpenMetricsGauges writes text-format gauge lines as OpenMetrics:
// a whole-number value gets ".0" (OpenMetrics writes 3 as "3.0"). Lines
// that need nothing are written in runs, as they are.
func writeOpenMetricsGauges(w io.Writer, b []byte) error {
	start := 0
	for pos := 0; pos < len(b); {
		nl := bytes.IndexByte(b[pos:], '\n')
		if nl < 0 {
			break
		}
		end := pos + nl
		sp := bytes.LastIndexByte(b[pos:end], ' ')
		if sp >= 0 && wholeNumber(b[pos+sp+1:end]) {
			if _, err := w.Write(b[start:end]); err != nil {
				return err
			}
			if _, err := io.WriteString(w, ".0"); err != nil {
				return err
			}
			start = end
		}
		pos = end + 1
	}
	_, err := w.Write(b[start:])
	return err
}

// wholeNumber says whether a text-format value has neither a fraction, an
// exponent nor a name (NaN, Inf): OpenMetrics adds ".0" to those.
func wholeNumber(v []byte) bool {
	return len(v) > 0 && !bytes.ContainsAny(v, ".eIN")
}

// decode turns an entry's encoded families back into metrics, for the
// scrapes that cannot be served from the bytes (protobuf).
func (enc *encoded) decode() ([]prometheus.Metric, error) {
	var out []prometheus.Metric
	var buf bytes.Buffer
	for _, f := range enc.families {
		buf.Reset()
		buf.Write(f.textHeader)
		buf.Write(f.samples)
		p := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := p.TextToMetricFamilies(&buf)
		if err != nil {
			return out, fmt.Errorf("decode %s: %w", f.name, err)
		}
		for _, mf := range mfs {
			desc := prometheus.NewDesc(mf.GetName(), mf.GetHelp(), nil, nil)
			for _, m := range mf.Metric {
				out = append(out, decodedMetric{desc: desc, m: m})
			}
		}
	}
	return out, nil
}

// decodedMetric is a sample parsed back from the cache.
type decodedMetric struct {
	desc *prometheus.Desc
	m    *dto.Metric
}

func (d decodedMetric) Desc() *prometheus.Desc { return d.desc }

func (d decodedMetric) Write(out *dto.Metric) error {
	out.Label, out.Gauge, out.Counter, out.Untyped = d.m.Label, d.m.Gauge, d.m.Counter, d.m.Untyped
	out.Summary, out.Histogram, out.TimestampMs = d.m.Summary, d.m.Histogram, d.m.TimestampMs
	return nil
}
