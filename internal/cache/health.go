package cache

import (
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// The collectors' health: five gauges per cache entry, labelled collector,
// scope and account. An entry encodes its lines once and keeps them until a
// value changes (at a refresh, or when its data passes max_age), so that a
// scrape of tens of thousands of entries copies bytes rather than build,
// sort and encode a registry's worth of metrics.

// healthFamily is one of the health gauges.
type healthFamily struct {
	desc       *prometheus.Desc
	name, help string
}

func newHealthFamily(name, help string) healthFamily {
	name = namespace + "_" + name
	return healthFamily{desc: prometheus.NewDesc(name, help, healthLabels.labels, nil), name: name, help: help}
}

// healthLabels are the health families' label names.
var healthLabels = newDescInfo("", "", []string{"collector", "scope", "account"})

// The health families, in the order of healthValues' fields that set them.
const (
	healthSuccess = iota
	healthDuration
	healthLastSuccess
	healthRefreshInterval
	healthRetired
	healthFamilyCount
)

var healthGauges = [healthFamilyCount]healthFamily{
	healthSuccess: newHealthFamily("scrape_collector_success",
		"1 when the last refresh of the collector for the account worked."),
	healthDuration: newHealthFamily("scrape_collector_duration_seconds",
		"How long the last refresh of the collector for the account took."),
	healthLastSuccess: newHealthFamily("collector_last_success_timestamp_seconds",
		"When the data served for the collector and account was fetched."),
	healthRefreshInterval: newHealthFamily("collector_refresh_interval_seconds",
		"How old the collector's data may get before a scrape refreshes it (refresh_interval), for alerts on stale data."),
	healthRetired: newHealthFamily("endpoint_retired",
		"1 when GitHub answered 410 Gone: the endpoint is retired for the account."),
}

// healthHeaders are the families' # HELP and # TYPE lines as expfmt writes
// them, per format.
var healthHeaders = sync.OnceValue(func() [2][healthFamilyCount][]byte {
	var out [2][healthFamilyCount][]byte
	for i, f := range healthGauges {
		h, err := gaugeHeaders(f.name, f.help)
		if err != nil {
			panic(err)
		}
		out[FormatText][i], out[FormatOpenMetrics][i] = h.text, h.om
	}
	return out
})

// healthValues are an entry's health values; duration is served when
// attempted, lastSuccess when fetched.
type healthValues struct {
	success, duration, lastSuccess, interval, retired float64
	attempted, fetched                                bool
}

// health is an entry's health as a scrape serves it. It does not change once
// made: a scrape may be writing it while the entry makes the next.
//
// What a scrape reads comes first, and row and lines are one allocation: a
// scrape reads the health of every entry once per family, from memory the
// processor's cache does not hold, and each cache line less is a wait less.
type health struct {
	// row is the label set of every family's line with the space after
	// it, as the text format writes them between name and value.
	row []byte
	// lines holds each family's text-format value and '\n', nil when the
	// family has no sample for the entry.
	lines  [healthFamilyCount][]byte
	labels [3]string // collector, scope, account
	values healthValues
}

func newHealth(labels [3]string, v healthValues) *health {
	h := &health{labels: labels, values: v}
	var scratch [healthFamilyCount * 26]byte
	lines, ends := scratch[:0], [healthFamilyCount]int{}
	values := h.valueSlots()
	for i := range healthGauges {
		if values[i] != nil {
			lines = appendTextFloat(lines, *values[i])
			lines = append(lines, '\n')
		}
		ends[i] = len(lines)
	}
	rowLen := len(`{account="",collector="",scope=""} `) + escapedLen(labels[0]) + escapedLen(labels[1]) + escapedLen(labels[2])
	buf := make([]byte, 0, rowLen+len(lines))
	buf = append(healthLabels.appendRow(buf, labels[:]), ' ')
	h.row = slices.Clip(buf)
	buf = append(buf, lines...)
	start := len(h.row)
	for i := range healthGauges {
		if values[i] != nil {
			end := len(h.row) + ends[i]
			h.lines[i] = buf[start:end:end]
			start = end
		}
	}
	return h
}

// valueSlots points at each family's value, nil when the family has no
// sample for the entry.
func (h *health) valueSlots() [healthFamilyCount]*float64 {
	v := &h.values
	slots := [healthFamilyCount]*float64{
		healthSuccess:         &v.success,
		healthRefreshInterval: &v.interval,
		healthRetired:         &v.retired,
	}
	if v.attempted {
		slots[healthDuration] = &v.duration
	}
	if v.fetched {
		slots[healthLastSuccess] = &v.lastSuccess
	}
	return slots
}

// healthMetrics are the health of hs as const metrics, for a registry.
func healthMetrics(hs []*health) []prometheus.Metric {
	var out []prometheus.Metric
	for _, h := range hs {
		for i, v := range h.valueSlots() {
			if v != nil {
				out = append(out, prometheus.MustNewConstMetric(healthGauges[i].desc, prometheus.GaugeValue, *v, h.labels[:]...))
			}
		}
	}
	return out
}
