package benchdata

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// DetailedExport describes a synthetic detailed usage report export (the
// CSV of report_type detailed, API.md §15.2) of any size: Rows rows dated
// in Year/Month over Repositories repositories, Workflows workflow files
// and Users users, quoted as GitHub quotes (a field with a comma or a
// quote in double quotes, quotes doubled). About one workflow path in
// fifty holds a comma and quotes, one cost center name in four a comma,
// and Copilot rows leave repository and workflow_path empty. The same
// description always writes the same bytes.
type DetailedExport struct {
	Rows  int
	Year  int
	Month time.Month
	// Repositories, Workflows and Users default to 2,000, 20,000 and
	// 10,000.
	Repositories, Workflows, Users int
	// Days is how many days from the 1st the rows spread over (default 28).
	Days int
}

// DetailedHeader is the detailed layout's header as GitHub writes it.
const DetailedHeader = "date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,username,organization,repository,workflow_path,cost_center_name"

type detailedGenSKU struct {
	product, sku, unit string
	price              float64
	workflow           bool // a row of a workflow run (Actions), else Copilot
}

var detailedGenSKUs = []detailedGenSKU{
	{"actions", "actions_linux", "minutes", 0.006, true},
	{"actions", "actions_linux", "minutes", 0.006, true},
	{"actions", "actions_linux_4_core", "minutes", 0.012, true},
	{"actions", "actions_windows", "minutes", 0.01, true},
	{"actions", "actions_macos", "minutes", 0.062, true},
	{"copilot", "copilot_ai_credit", "ai-credits", 0.01, false},
}

// WriteTo writes the export, header first.
func (d DetailedExport) WriteTo(w io.Writer) (int64, error) {
	return d.WritePart(w, 0, d.Rows)
}

func (d DetailedExport) defaults() DetailedExport {
	if d.Repositories <= 0 {
		d.Repositories = 2000
	}
	if d.Workflows <= 0 {
		d.Workflows = 20000
	}
	if d.Users <= 0 {
		d.Users = 10000
	}
	if d.Days <= 0 {
		d.Days = 28
	}
	return d
}

// WritePart writes the header and rows from to to (excluded): a part of
// an export split as GitHub splits one, each part repeating the header.
func (d DetailedExport) WritePart(w io.Writer, from, to int) (int64, error) {
	d = d.defaults()
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := &countWriter{w: bw}
	io.WriteString(cw, DetailedHeader+"\n") //nolint:errcheck // the error is bufio's, returned by Flush
	orgs := []string{"octo-platform", "octo-mobile", "octo-labs", "octo-data", "octo-web", "octo-infra", "octo-sec", "octo-ml"}
	centers := []string{"Platform Engineering", "\"Mobile, iOS\"", "Data", ""}
	dates := make([]string, d.Days)
	for i := range dates {
		dates[i] = time.Date(d.Year, d.Month, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	}
	var line []byte
	for i := from; i < to; i++ {
		// A row's user, repository and workflow follow from i by
		// strides coprime with the counts, so every one of them occurs.
		sku := detailedGenSKUs[i%len(detailedGenSKUs)]
		user := (i * 7919) % d.Users
		wf := (i * 104729) % d.Workflows
		repo := wf % d.Repositories
		org := orgs[repo%len(orgs)]
		quantity := float64(1+(i*31)%997) / 4 // quarter minutes: 0.25 to 249.25
		gross := quantity * sku.price
		discount := 0.0
		switch i % 5 {
		case 0:
			discount = gross // included minutes
		case 1:
			discount = gross / 2
		}
		line = line[:0]
		line = append(line, dates[i%d.Days]...)
		line = append(line, ',')
		line = append(line, sku.product...)
		line = append(line, ',')
		line = append(line, sku.sku...)
		line = append(line, ',')
		line = strconv.AppendFloat(line, quantity, 'f', -1, 64)
		line = append(line, ',')
		line = append(line, sku.unit...)
		line = append(line, ',')
		line = strconv.AppendFloat(line, sku.price, 'f', -1, 64)
		line = append(line, ',')
		line = strconv.AppendFloat(line, round8(gross), 'f', -1, 64)
		line = append(line, ',')
		line = strconv.AppendFloat(line, round8(discount), 'f', -1, 64)
		line = append(line, ',')
		line = strconv.AppendFloat(line, round8(gross)-round8(discount), 'f', 8, 64)
		line = append(line, ',')
		line = append(line, "user-"...)
		line = appendPadded(line, user, 5)
		line = append(line, ',')
		line = append(line, org...)
		line = append(line, ',')
		if sku.workflow {
			line = append(line, org...)
			line = append(line, "/repo-"...)
			line = appendPadded(line, repo, 4)
			line = append(line, ',')
			line = appendWorkflow(line, wf)
		} else {
			line = append(line, ',')
		}
		line = append(line, ',')
		line = append(line, centers[repo%len(centers)]...)
		line = append(line, '\n')
		if _, err := cw.Write(line); err != nil {
			return cw.n, err
		}
	}
	err := bw.Flush()
	return cw.n, err
}

// appendWorkflow writes workflow wf's path, quoted when it holds a comma
// and quotes.
func appendWorkflow(line []byte, wf int) []byte {
	if wf%50 == 7 {
		line = append(line, "\".github/workflows/deploy-"...)
		line = strconv.AppendInt(line, int64(wf), 10)
		return append(line, ", \"\"prod\"\".yml\""...)
	}
	line = append(line, ".github/workflows/wf-"...)
	line = strconv.AppendInt(line, int64(wf), 10)
	return append(line, ".yml"...)
}

// appendPadded appends n with leading zeros to width digits.
func appendPadded(line []byte, n, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		line = append(line, '0')
	}
	return append(line, s...)
}

// round8 rounds to 8 decimals, as GitHub writes amounts.
func round8(x float64) float64 {
	return math.Round(x*1e8) / 1e8
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// DetailedWorkflowPath is the path the generator gives workflow wf, unquoted.
func DetailedWorkflowPath(wf int) string {
	if wf%50 == 7 {
		return fmt.Sprintf(".github/workflows/deploy-%d, \"prod\".yml", wf)
	}
	return ".github/workflows/wf-" + strconv.Itoa(wf) + ".yml"
}
