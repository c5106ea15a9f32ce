// Package conformance holds the FOCUS 1.2 rules the focus command's
// datasets are held to, written from the specification as the project's
// shared FOCUS.md (../shared/FOCUS.md beside the clone) paraphrases it (§2
// dataset-wide attributes, §3 mandatory columns, §4 the recommended and
// conditional columns written, §5.3 the row rules). No FOCUS validator can
// be installed here; Check is its subset for these columns.
//
// Package focus's tests check the CSV files a run writes with it, and that
// a run writes the files of focus/testdata byte for byte. This package's
// own test reads those files, the Parquet ones with Apache Arrow's reader
// (not the library that writes them), and checks both formats hold the
// same rows and keep these rules; it does not depend on the focus command,
// so Go's test cache answers it until a file of focus/testdata changes.
package conformance

import (
	"encoding/csv"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Dataset is a file read back: its header and rows, nil for null, in the
// text form of focus.Record (decimals exact, date/times with Z).
type Dataset struct {
	Header []string
	Rows   [][]*string
	// Meta is a Parquet file's key-value metadata, nil for a CSV file.
	Meta map[string]string
}

// Col is the index of column name in d, or fails the test.
func (d *Dataset) Col(t testing.TB, name string) int {
	t.Helper()
	if i := slices.Index(d.Header, name); i >= 0 {
		return i
	}
	t.Fatalf("no column %s", name)
	return -1
}

// Get is column name of row r of d, and whether it is there and not null.
func (d *Dataset) Get(r []*string, name string) (string, bool) {
	i := slices.Index(d.Header, name)
	if i < 0 || r[i] == nil {
		return "", false
	}
	return *r[i], true
}

// ReadCSV reads a CSV dataset: an empty cell is null.
func ReadCSV(t testing.TB, path string) *Dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatalf("%s: empty CSV", path)
	}
	d := &Dataset{Header: all[0]}
	for _, rec := range all[1:] {
		row := make([]*string, len(rec))
		for i, v := range rec {
			if v != "" {
				row[i] = &v
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

// SameRows fails unless a and b have the same header and rows, in order.
func SameRows(t testing.TB, a, b *Dataset) {
	t.Helper()
	if strings.Join(a.Header, ",") != strings.Join(b.Header, ",") {
		t.Fatalf("headers differ:\n%v\n%v", a.Header, b.Header)
	}
	if len(a.Rows) != len(b.Rows) {
		t.Fatalf("%d rows and %d rows", len(a.Rows), len(b.Rows))
	}
	for i := range a.Rows {
		for j := range a.Header {
			x, y := a.Rows[i][j], b.Rows[i][j]
			if (x == nil) != (y == nil) || x != nil && *x != *y {
				t.Fatalf("row %d, %s: %v and %v", i, a.Header[j], deref(x), deref(y))
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// Decimal is r as the dataset writes a decimal: exact, without trailing
// zeros; "<none>" for nil, a fraction for r with more than 18 places.
func Decimal(r *big.Rat) string {
	if r == nil {
		return "<none>"
	}
	s := r.FloatString(18)
	if back, _ := new(big.Rat).SetString(s); back.Cmp(r) != 0 {
		return r.String()
	}
	s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// mandatoryColumns are FOCUS 1.2's 21 mandatory columns (§3).
var mandatoryColumns = []string{"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
	"ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
	"InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName"}

// conditionalColumns are the recommended and conditional columns GitHub's
// features call for (§4): sub accounts (organizations), resources
// (repositories), SKUs and list prices, measured usage, several account
// kinds.
var conditionalColumns = []string{"BillingAccountType", "ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "ContractedUnitPrice", "ListUnitPrice",
	"ResourceId", "ResourceName", "ResourceType", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceId", "SubAccountId", "SubAccountName"}

// neverNull are the columns whose "Allows nulls" is false, and those a rule
// makes non-null for every row this dataset has (Usage rows that are no
// correction: PricingQuantity, PricingUnit, SkuId, SkuPriceId,
// ListUnitPrice, ContractedUnitPrice, ConsumedQuantity, ConsumedUnit; a
// named billing account: BillingAccountName, BillingAccountType).
var neverNull = []string{"BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency", "BillingPeriodEnd",
	"BillingPeriodStart", "ChargeCategory", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "ConsumedQuantity",
	"ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingQuantity",
	"PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceId"}

var decimalColumns = []string{"BilledCost", "ConsumedQuantity", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity", "x_DiscountAmount"}

var dateTimeColumns = []string{"BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"}

// FOCUS's allowed values.
var (
	chargeCategories  = []string{"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
	chargeFrequencies = []string{"One-Time", "Recurring", "Usage-Based"}
	// subcategories are the ServiceSubcategory values of each
	// ServiceCategory (the ones §4 lists, and each category's "Other").
	subcategories = map[string][]string{
		"AI and Machine Learning": {"AI Platforms", "Bots", "Generative AI", "Machine Learning", "Natural Language Processing", "Other (AI and Machine Learning)"},
		"Developer Tools":         {"Developer Platforms", "Continuous Integration and Deployment", "Development Environments", "Source Code Management", "Quality Assurance", "Other (Developer Tools)"},
		"Security":                {"Secret Management", "Security Posture Management", "Threat Detection and Response", "Other (Security)"},
		"Compute":                 {"Containers", "End User Computing", "Quantum Compute", "Serverless Compute", "Virtual Machines", "Other (Compute)"},
		"Storage":                 {"Backup", "Block", "File", "Object Storage", "Storage Platforms", "Other (Storage)"},
		"Other":                   {"Other (Other)"},
	}
	serviceCategories = []string{"AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools", "Multicloud",
		"Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security", "Storage", "Web", "Other"}
)

var (
	// numeric format: an integer, decimal or E-notation, "-" for negatives,
	// no "+", no thousands separators, "." as the decimal mark.
	numericFormat = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE]-?[0-9]+)?$`)
	// date/time format: UTC, YYYY-MM-DDTHH:mm:ssZ.
	dateTimeFormat = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`)
	// currency format: ISO 4217, three capital letters.
	currencyFormat = regexp.MustCompile(`^[A-Z]{3}$`)
	// unit format: <plural-units>, <singular-unit>-<plural-time-units> or
	// <plural-units>/<singular-time-unit>, optionally after a whole
	// quantity; capitalized words.
	unitFormat = regexp.MustCompile(`^([0-9]+ )?[A-Z][A-Za-z]*(-(Years|Months|Days|Hours|Minutes|Seconds)|/(Year|Month|Day|Hour|Minute|Second))?$`)
	// custom column names: x_, then alphanumeric PascalCase.
	customName = regexp.MustCompile(`^x_[A-Z][A-Za-z0-9]*$`)
)

// Check fails t for every FOCUS rule d breaks (at most 20 messages); name
// says which file d is.
func Check(t testing.TB, name string, d *Dataset) {
	t.Helper()
	errs := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if errs < 20 {
			t.Errorf(name+": "+format, args...)
		}
		errs++
	}
	// Presence, names and order.
	for _, c := range append(slices.Clone(mandatoryColumns), conditionalColumns...) {
		if !slices.Contains(d.Header, c) {
			fail("column %s is missing", c)
		}
	}
	custom := false
	for _, h := range d.Header {
		isFocus := slices.Contains(mandatoryColumns, h) || slices.Contains(conditionalColumns, h)
		switch {
		case customName.MatchString(h):
			custom = true
		case !isFocus:
			fail("column %s is neither a FOCUS column written here nor an x_ custom column", h)
		case custom:
			fail("FOCUS column %s comes after a custom column", h)
		}
	}
	if len(d.Rows) == 0 {
		t.Fatalf("%s: no rows", name)
	}
	serviceCategory, serviceSubcategory := map[string]string{}, map[string]string{}
	for i, r := range d.Rows {
		v := func(c string) (string, bool) { return d.Get(r, c) }
		for j, h := range d.Header {
			if r[j] != nil && strings.TrimSpace(*r[j]) == "" {
				fail("row %d: %s is an empty string, not null", i, h)
			}
		}
		for _, c := range neverNull {
			if _, ok := v(c); !ok {
				fail("row %d: %s is null", i, c)
			}
		}
		dec := map[string]*big.Rat{}
		for _, c := range decimalColumns {
			s, ok := v(c)
			if !ok {
				continue
			}
			if !numericFormat.MatchString(s) {
				fail("row %d: %s %q is not in FOCUS's numeric format", i, c, s)
				continue
			}
			dec[c], _ = new(big.Rat).SetString(s)
		}
		times := map[string]time.Time{}
		for _, c := range dateTimeColumns {
			s, _ := v(c)
			tm, err := time.Parse(time.RFC3339, s)
			if !dateTimeFormat.MatchString(s) || err != nil {
				fail("row %d: %s %q is not YYYY-MM-DDTHH:mm:ssZ", i, c, s)
			}
			times[c] = tm
		}
		// Allowed values.
		category, _ := v("ChargeCategory")
		if !slices.Contains(chargeCategories, category) {
			fail("row %d: ChargeCategory %q", i, category)
		}
		if class, ok := v("ChargeClass"); ok && class != "Correction" {
			fail("row %d: ChargeClass %q, want Correction or null", i, class)
		}
		freq, _ := v("ChargeFrequency")
		if !slices.Contains(chargeFrequencies, freq) || category == "Purchase" && freq == "Usage-Based" {
			fail("row %d: ChargeFrequency %q on a %s row", i, freq, category)
		}
		sc, _ := v("ServiceCategory")
		sub, _ := v("ServiceSubcategory")
		if !slices.Contains(serviceCategories, sc) || !slices.Contains(subcategories[sc], sub) {
			fail("row %d: ServiceCategory %q / ServiceSubcategory %q", i, sc, sub)
		}
		svc, _ := v("ServiceName")
		if prev, ok := serviceCategory[svc]; ok && (prev != sc || serviceSubcategory[svc] != sub) {
			fail("row %d: ServiceName %q has two categories: %s/%s and %s/%s", i, svc, prev, serviceSubcategory[svc], sc, sub)
		}
		serviceCategory[svc], serviceSubcategory[svc] = sc, sub
		if cur, _ := v("BillingCurrency"); !currencyFormat.MatchString(cur) || cur != "USD" {
			fail("row %d: BillingCurrency %q, want USD (ISO 4217)", i, cur)
		}
		for _, c := range []string{"PricingUnit", "ConsumedUnit"} {
			if u, ok := v(c); ok && !unitFormat.MatchString(u) {
				fail("row %d: %s %q is not in FOCUS's unit format", i, c, u)
			}
		}
		for _, c := range []string{"ProviderName", "PublisherName", "InvoiceIssuerName"} {
			if s, _ := v(c); s != "GitHub" {
				fail("row %d: %s %q", i, c, s)
			}
		}
		// Pairs that are null together.
		for _, pair := range [][2]string{{"PricingQuantity", "PricingUnit"}, {"ConsumedQuantity", "ConsumedUnit"}, {"SubAccountId", "SubAccountName"},
			{"ResourceId", "ResourceType"}, {"SkuId", "SkuMeter"}, {"BillingAccountId", "BillingAccountType"}} {
			_, a := v(pair[0])
			_, b := v(pair[1])
			if a != b {
				fail("row %d: %s and %s are not null together", i, pair[0], pair[1])
			}
		}
		if _, id := v("ResourceId"); !id {
			if _, n := v("ResourceName"); n {
				fail("row %d: ResourceName without ResourceId", i)
			}
		} else if id, _ := v("ResourceId"); id != "" {
			if n, _ := v("ResourceName"); n == id && strings.Contains(id, "/") {
				fail("row %d: ResourceName repeats ResourceId %q", i, id)
			}
		}
		// Periods: the billing period is a calendar month in UTC, the
		// charge period a day within it, each end exclusive.
		bs, be, cs, ce := times["BillingPeriodStart"], times["BillingPeriodEnd"], times["ChargePeriodStart"], times["ChargePeriodEnd"]
		if bs.Day() != 1 || bs.Hour() != 0 || !be.Equal(bs.AddDate(0, 1, 0)) {
			fail("row %d: billing period %s … %s is not a calendar month", i, bs, be)
		}
		if !cs.Before(ce) || !ce.Equal(cs.AddDate(0, 0, 1)) || cs.Before(bs) || ce.After(be) {
			fail("row %d: charge period %s … %s is not a day within %s … %s", i, cs, ce, bs, be)
		}
		// Costs and prices.
		for _, c := range decimalColumns {
			if x := dec[c]; x != nil && x.Sign() < 0 {
				fail("row %d: %s %s is negative", i, c, Decimal(x))
			}
		}
		if dec["BilledCost"] != nil && dec["ListCost"] != nil && dec["BilledCost"].Cmp(dec["ListCost"]) > 0 {
			fail("row %d: BilledCost %s above ListCost %s", i, Decimal(dec["BilledCost"]), Decimal(dec["ListCost"]))
		}
		// No negotiated prices and no commitments: contracted is list,
		// effective is billed.
		if dec["ContractedCost"].Cmp(dec["ListCost"]) != 0 || dec["ContractedUnitPrice"].Cmp(dec["ListUnitPrice"]) != 0 {
			fail("row %d: contracted cost or price differs from list", i)
		}
		if dec["EffectiveCost"].Cmp(dec["BilledCost"]) != 0 {
			fail("row %d: EffectiveCost %s is not BilledCost %s", i, Decimal(dec["EffectiveCost"]), Decimal(dec["BilledCost"]))
		}
		// Discount handling: a discount applies to the whole row, so a
		// row is either billed whole or covered whole.
		if b, l := dec["BilledCost"], dec["ListCost"]; b.Sign() != 0 && b.Cmp(l) != 0 {
			fail("row %d: partly discounted (BilledCost %s of ListCost %s), not split", i, Decimal(b), Decimal(l))
		}
		// ListUnitPrice × PricingQuantity = ListCost, within GitHub's own
		// rounding: GitHub rounds a row's amount to $0.0001, so its price
		// times its quantity may miss the amount by $0.00005, and a split
		// row's quantity is rounded to 10 places (price × 5e-11).
		price, q := dec["ListUnitPrice"], dec["PricingQuantity"]
		product := new(big.Rat).Mul(price, q)
		diff := new(big.Rat).Abs(new(big.Rat).Sub(product, dec["ListCost"]))
		tol := new(big.Rat).Add(big.NewRat(5, 100000), new(big.Rat).Mul(price, big.NewRat(1, 10_000_000_000)))
		if diff.Cmp(tol) > 0 {
			fail("row %d: ListUnitPrice %s × PricingQuantity %s = %s, ListCost %s", i, Decimal(price), Decimal(q), product.FloatString(8), Decimal(dec["ListCost"]))
		}
		if dec["ConsumedQuantity"].Cmp(q) != 0 {
			fail("row %d: ConsumedQuantity differs from PricingQuantity (GitHub prices what it measures)", i)
		}
		// SkuPriceId has exactly one parent SkuId.
		sku, _ := v("SkuId")
		if id, _ := v("SkuPriceId"); !strings.HasPrefix(id, sku+":") {
			fail("row %d: SkuPriceId %q is not of SkuId %q", i, id, sku)
		}
	}
	if d.Meta != nil {
		if d.Meta["FocusVersion"] != "1.2" || d.Meta["DataGenerator"] == "" || d.Meta["SchemaId"] == "" || !dateTimeFormat.MatchString(d.Meta["CreationDate"]) {
			fail("Parquet metadata %v lacks FocusVersion 1.2, DataGenerator, SchemaId or a CreationDate", d.Meta)
		}
	}
}
