package focus

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is a column's FOCUS data type.
type Kind int

// The FOCUS data types the dataset uses.
const (
	String   Kind = iota
	Decimal       // exact decimal text, Parquet DECIMAL(38, 18)
	DateTime      // UTC, YYYY-MM-DDTHH:mm:ssZ in CSV, a UTC timestamp in Parquet
)

// Column is one column of the dataset.
type Column struct {
	Name     string
	Kind     Kind
	Nullable bool
}

// Columns are the dataset's columns in the order of the files: the FOCUS
// columns, then the custom x_ ones, each group sorted by name. Parquet
// sorts a group's fields by name too, and "x_" sorts after every FOCUS
// column, so both files have this order.
var Columns = []Column{
	{"BilledCost", Decimal, false},
	{"BillingAccountId", String, false},
	{"BillingAccountName", String, false},
	{"BillingAccountType", String, false},
	{"BillingCurrency", String, false},
	{"BillingPeriodEnd", DateTime, false},
	{"BillingPeriodStart", DateTime, false},
	{"ChargeCategory", String, false},
	{"ChargeClass", String, true},
	{"ChargeDescription", String, false},
	{"ChargeFrequency", String, false},
	{"ChargePeriodEnd", DateTime, false},
	{"ChargePeriodStart", DateTime, false},
	{"ConsumedQuantity", Decimal, false},
	{"ConsumedUnit", String, false},
	{"ContractedCost", Decimal, false},
	{"ContractedUnitPrice", Decimal, false},
	{"EffectiveCost", Decimal, false},
	{"InvoiceIssuerName", String, false},
	{"ListCost", Decimal, false},
	{"ListUnitPrice", Decimal, false},
	{"PricingQuantity", Decimal, false},
	{"PricingUnit", String, false},
	{"ProviderName", String, false},
	{"PublisherName", String, false},
	{"ResourceId", String, true},
	{"ResourceName", String, true},
	{"ResourceType", String, true},
	{"ServiceCategory", String, false},
	{"ServiceName", String, false},
	{"ServiceSubcategory", String, false},
	{"SkuId", String, false},
	{"SkuMeter", String, false},
	{"SkuPriceId", String, false},
	{"SubAccountId", String, true},
	{"SubAccountName", String, true},
	{"x_CostCenterId", String, true},
	{"x_CostCenterName", String, true},
	{"x_DiscountAmount", Decimal, false},
	{"x_SourceReport", String, false},
	{"x_UnitType", String, false},
	// x_Username and x_WorkflowPath are null in rows of the usage report,
	// which has neither; rows of the detailed CSV export (a source this
	// command does not read yet) would fill them.
	{"x_Username", String, true},
	{"x_WorkflowPath", String, true},
}

// columnIndex is each column's position in Columns.
var columnIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range Columns {
		m[c.Name] = i
	}
	if !slices.IsSortedFunc(Columns, func(a, b Column) int { return strings.Compare(a.Name, b.Name) }) {
		panic("focus: Columns are not sorted by name")
	}
	return m
}()

// Record is one row: a value per column of Columns, nil for null. Decimals
// are exact decimal text, date/times YYYY-MM-DDTHH:mm:ssZ.
type Record []*string

func (r Record) set(name, v string) { r[columnIndex[name]] = &v }

// Get is the value of column name, and whether it is not null.
func (r Record) Get(name string) (string, bool) {
	v := r[columnIndex[name]]
	if v == nil {
		return "", false
	}
	return *v, true
}

// timeText is t as a FOCUS date/time.
func timeText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// decimalScale is the decimal places every decimal keeps: Parquet's
// DECIMAL(38, 18) holds them exactly.
const decimalScale = 18

// ratOf is v, a number as GitHub sent it, as the decimal it was written
// as: the shortest decimal that reads back as the same float64.
func ratOf(v float64) (*big.Rat, error) {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'f', -1, 64))
	if !ok {
		return nil, fmt.Errorf("%v is not a number", v)
	}
	return r, nil
}

// decimalText is r as decimal text without trailing zeros; r must have at
// most decimalScale places.
func decimalText(r *big.Rat) (string, error) {
	s := r.FloatString(decimalScale)
	back, _ := new(big.Rat).SetString(s)
	if back.Cmp(r) != 0 {
		return "", fmt.Errorf("%s has more than %d decimal places", r.FloatString(decimalScale+4), decimalScale)
	}
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s, nil
}

// roundRat is r rounded to places decimal places, half away from zero.
func roundRat(r *big.Rat, places int) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	n := new(big.Int).Mul(r.Num(), scale)
	d := r.Denom()
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(d) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(q, scale)
}
