// Package benchdata generates the data the benchmarks measure against: a
// usage report of any size (UsageReport) and a backfill's history of many
// organizations (History). Benchmarks and scripts/bench import it; the
// exporter binary does not.
package benchdata

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// UsageReport describes a synthetic /usage report of any size, for
// benchmarks: Rows rows dated in Year/Month that share a handful of products,
// SKUs and organizations and spread over many repositories, about 245 bytes
// each, as GitHub's compact JSON. The same description always writes the same
// bytes.
type UsageReport struct {
	Rows  int
	Year  int
	Month time.Month
	// Repositories is how many distinct repositories the rows spread over
	// (default 20,000).
	Repositories int
	// OneSKUPerRepository gives each repository one SKU (row i goes to
	// repository i mod Repositories), so that split by repository the
	// series number about the repositories, not eight times them.
	OneSKUPerRepository bool
}

// usageGenSKU is one product/SKU of the synthetic report.
type usageGenSKU struct {
	product, sku, unitType, price string
	priceValue                    float64
}

var usageGenSKUs = []usageGenSKU{
	{"actions", "actions_linux", "minutes", "0.008", 0.008},
	{"actions", "actions_windows", "minutes", "0.016", 0.016},
	{"actions", "actions_macos", "minutes", "0.08", 0.08},
	{"Actions", "Actions Linux 4-core", "minutes", "0.016", 0.016},
	{"actions", "actions_storage", "GigabyteHours", "0.00033602", 0.00033602},
	{"packages", "packages_storage", "GigabyteHours", "0.00033602", 0.00033602},
	{"packages", "packages_data_transfer", "gigabytes", "0.5", 0.5},
	{"copilot", "copilot_premium_request", "requests", "0.04", 0.04},
}

// usageGenQuantities is how many precomputed quantities the rows cycle
// through; formatting numbers per row would make the generator, not the
// decoder, the cost of a benchmark.
const usageGenQuantities = 997

// usageGenNumbers holds, per SKU and quantity, the number fields of a row as
// JSON text: quantity, gross, discount and net amount.
type usageGenNumbers struct {
	quantity, gross, discount, net string
}

// usageGenTable is built at the first report, not at package
// initialisation: a test binary that imports the package without writing a
// report does not pay for the table.
var usageGenTable = sync.OnceValue(func() [][]usageGenNumbers {
	table := make([][]usageGenNumbers, len(usageGenSKUs))
	for s, sku := range usageGenSKUs {
		table[s] = make([]usageGenNumbers, usageGenQuantities)
		for q := range usageGenQuantities {
			// Fractional quantities and amounts, as GitHub sends them.
			quantity := float64((q*7919)%25000+1) / 100
			gross := math.Round(quantity*sku.priceValue*1e4) / 1e4
			discount := 0.0
			if q%3 == 0 { // a third of the rows are covered by included usage
				discount = gross
			}
			table[s][q] = usageGenNumbers{
				quantity: strconv.FormatFloat(quantity, 'f', -1, 64),
				gross:    strconv.FormatFloat(gross, 'f', -1, 64),
				discount: strconv.FormatFloat(discount, 'f', -1, 64),
				net:      strconv.FormatFloat(gross-discount, 'f', -1, 64),
			}
		}
	}
	return table
})

// usageGenOrganizations are the synthetic report's organizations.
var usageGenOrganizations = []string{
	"acme-01", "acme-02", "acme-03", "acme-04", "acme-05", "acme-06",
	"acme-07", "acme-08", "acme-09", "acme-10", "acme-11", "acme-12",
}

// WriteTo writes the report as JSON to w. It writes through its own buffer
// in chunks, so piping it into a decoder keeps memory flat.
func (u UsageReport) WriteTo(w io.Writer) (int64, error) {
	repos := u.Repositories
	if repos <= 0 {
		repos = 20000
	}
	year, month := u.Year, u.Month
	if year == 0 {
		year, month = 2026, time.November
	}
	days := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	dates := make([]string, days)
	for d := range dates {
		dates[d] = time.Date(year, month, d+1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	table := usageGenTable()
	repoNames := make([]string, repos)
	for r := range repoNames {
		repoNames[r] = fmt.Sprintf("%s/repo-%05d", usageGenOrganizations[r%len(usageGenOrganizations)], r)
	}

	// Rows are appended to one chunk written when full: the generator must
	// cost little next to the decoder it feeds.
	const chunkSize = 64 << 10
	chunk := make([]byte, 0, chunkSize+1024)
	var written int64
	flush := func() error {
		n, err := w.Write(chunk)
		written += int64(n)
		chunk = chunk[:0]
		return err
	}
	chunk = append(chunk, `{"usageItems":[`...)
	for i := range u.Rows {
		if i > 0 {
			chunk = append(chunk, ',')
		}
		s := i % len(usageGenSKUs)
		repo := (i / len(usageGenSKUs)) % repos
		if u.OneSKUPerRepository {
			repo = i % repos
			s = repo % len(usageGenSKUs)
		}
		sku := &usageGenSKUs[s]
		n := &table[s][(i/len(usageGenSKUs))%usageGenQuantities]
		chunk = append(chunk, `{"date":"`...)
		chunk = append(chunk, dates[(i/(len(usageGenSKUs)*repos))%days]...)
		chunk = append(chunk, `","product":"`...)
		chunk = append(chunk, sku.product...)
		chunk = append(chunk, `","sku":"`...)
		chunk = append(chunk, sku.sku...)
		chunk = append(chunk, `","quantity":`...)
		chunk = append(chunk, n.quantity...)
		chunk = append(chunk, `,"unitType":"`...)
		chunk = append(chunk, sku.unitType...)
		chunk = append(chunk, `","pricePerUnit":`...)
		chunk = append(chunk, sku.price...)
		chunk = append(chunk, `,"grossAmount":`...)
		chunk = append(chunk, n.gross...)
		chunk = append(chunk, `,"discountAmount":`...)
		chunk = append(chunk, n.discount...)
		chunk = append(chunk, `,"netAmount":`...)
		chunk = append(chunk, n.net...)
		chunk = append(chunk, `,"organizationName":"`...)
		chunk = append(chunk, usageGenOrganizations[repo%len(usageGenOrganizations)]...)
		chunk = append(chunk, `","repositoryName":"`...)
		chunk = append(chunk, repoNames[repo]...)
		chunk = append(chunk, `"}`...)
		if len(chunk) >= chunkSize {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
	chunk = append(chunk, "]}\n"...)
	err := flush()
	return written, err
}

// Handler serves the report on any request, ignoring the query, so a
// benchmark can point the real client at a report of any size over loopback.
func (u UsageReport) Handler() http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		u.WriteTo(w) //nolint:errcheck // the client hung up
	}
}
