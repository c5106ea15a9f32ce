package testutil

import (
	"reflect"
	"testing"
)

// The clash check finds the families a strict parser refuses, written by
// hand here: client_golang's go_memstats_alloc_bytes pair, and a gauge
// named like a counter's _created sample.
func TestOpenMetricsNameClashes(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"distinct families", "# TYPE a gauge\na 1\n# TYPE b counter\nb_total 2\n# TYPE c histogram\nc_bucket{le=\"+Inf\"} 1\nc_sum 1\nc_count 1\n# EOF\n", nil},
		{"gauge and counter of one name", "# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 1\n# TYPE go_memstats_alloc_bytes counter\ngo_memstats_alloc_bytes_total 2\n# EOF\n",
			[]string{"go_memstats_alloc_bytes: go_memstats_alloc_bytes (gauge) and go_memstats_alloc_bytes (counter)"}},
		{"a gauge named as a counter's sample", "# TYPE foo counter\nfoo_total 1\n# TYPE foo_created gauge\nfoo_created 2\n# EOF\n",
			[]string{"foo_created: foo (counter) and foo_created (gauge)"}},
		{"a histogram's _count beside a gauge", "# TYPE req_count gauge\nreq_count 1\n# TYPE req histogram\nreq_count 1\n# EOF\n",
			[]string{"req_count: req_count (gauge) and req (histogram)"}},
	} {
		if got := OpenMetricsNameClashes(c.body); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: clashes %q, want %q", c.name, got, c.want)
		}
	}
}
