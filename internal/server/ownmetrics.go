package server

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// clashingGoGauge is the Go collector's gauge whose name is, once
// OpenMetrics strips a counter's _total, the name of its counter
// go_memstats_alloc_bytes_total: two families of one name, which Prometheus
// takes and strict OpenMetrics parsers (Python's prometheus_client among
// them) refuse (client_golang issue 829). It holds the same figure as
// go_memstats_heap_alloc_bytes: both are the runtime's
// /memory/classes/heap/objects:bytes.
const clashingGoGauge = "go_memstats_alloc_bytes"

// ownMetrics gathers the exporter's own registry without clashingGoGauge,
// in every format, so each format answers with the same families. The rest
// of the Go collector stays as client_golang and other exporters serve it
// (go_memstats_*, go_gc_*, go_goroutines): the names dashboards and
// runbooks know.
type ownMetrics struct{ prometheus.Gatherer }

func (g ownMetrics) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := g.Gatherer.Gather()
	// On error Gather still returns what it gathered (ContinueOnError).
	return slices.DeleteFunc(mfs, func(mf *dto.MetricFamily) bool {
		return mf.GetName() == clashingGoGauge && mf.GetType() == dto.MetricType_GAUGE
	}), err
}
