package focus

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The values FOCUS fixes for every row GitHub's usage report gives.
const (
	providerName    = "GitHub"
	billingCurrency = "USD"
	// chargeCategory: every row of the usage report is consumption, or a
	// licence billed in arrears by count, which FOCUS's SaaS examples
	// model as Usage too.
	chargeCategory  = "Usage"
	chargeFrequency = "Usage-Based"
	// sourceUsageAPI is x_SourceReport of rows read from the usage
	// report (the /usage endpoint).
	sourceUsageAPI = "usage-api"
	// quantityPlaces are the decimal places of a split row's quantity.
	quantityPlaces = 10
)

// billingAccount is the FOCUS billing account of a configured GitHub
// account.
type billingAccount struct {
	account        githubapi.Account
	id, name, kind string
}

func newBillingAccount(a githubapi.Account) billingAccount {
	switch a.Scope {
	case githubapi.ScopeEnterprise:
		return billingAccount{a, "enterprises/" + a.Name, a.Name, "Enterprise"}
	case githubapi.ScopeOrganization:
		return billingAccount{a, "organizations/" + a.Name, a.Name, "Organization"}
	default:
		return billingAccount{a, "users/" + a.Name, a.Name, "Personal account"}
	}
}

// service is a product's FOCUS service.
type service struct{ name, category, subcategory string }

// serviceOf maps a row's product and SKU to its FOCUS service. GitHub
// spells products both ways ("actions", "Actions"), so they are compared
// in lower case.
func serviceOf(product, sku string) service {
	p, s := strings.ToLower(product), strings.ToLower(sku)
	switch {
	case strings.HasPrefix(s, "git_lfs") || strings.Contains(p, "lfs"):
		return service{"Git Large File Storage", "Developer Tools", "Source Code Management"}
	case strings.HasPrefix(s, "sandbox") || p == "sandbox":
		return service{"Copilot cloud sandboxes", "Compute", "Other (Compute)"}
	case p == "actions":
		return service{"GitHub Actions", "Developer Tools", "Continuous Integration and Deployment"}
	case p == "codespaces":
		return service{"GitHub Codespaces", "Developer Tools", "Development Environments"}
	case p == "packages":
		return service{"GitHub Packages", "Developer Tools", "Other (Developer Tools)"}
	case strings.Contains(s, "secret_protection"):
		return service{"GitHub Secret Protection", "Security", "Secret Management"}
	case strings.Contains(s, "code_security"):
		return service{"GitHub Code Security", "Security", "Security Posture Management"}
	case strings.Contains(p, "advanced security") || strings.Contains(p, "advanced_security") || strings.HasPrefix(s, "ghas"):
		return service{"GitHub Advanced Security", "Security", "Security Posture Management"}
	case strings.HasPrefix(s, "ghec") || strings.Contains(p, "enterprise"):
		return service{"GitHub Enterprise", "Developer Tools", "Developer Platforms"}
	case strings.HasPrefix(s, "spark") || p == "spark":
		return service{"GitHub Spark", "AI and Machine Learning", "Generative AI"}
	case strings.HasPrefix(s, "models") || p == "models":
		return service{"GitHub Models", "AI and Machine Learning", "Generative AI"}
	case p == "copilot" || strings.HasPrefix(s, "copilot") || strings.HasPrefix(s, "coding_agent"):
		return service{"GitHub Copilot", "AI and Machine Learning", "Generative AI"}
	}
	name := strings.TrimSpace(product)
	if name == "" {
		name = "GitHub"
	} else if !strings.HasPrefix(strings.ToLower(name), "github") {
		name = "GitHub " + name
	}
	return service{name, "Other", "Other (Other)"}
}

// unitOf is the FOCUS unit of GitHub's unit type (FOCUS's unit format:
// plural units, data sizes abbreviated, unit-time as Unit-Hours).
func unitOf(unitType string) string {
	switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(unitType, "_", ""), "-", "")) {
	case "minutes", "minute":
		return "Minutes"
	case "gigabytehours", "gbhours":
		return "GB-Hours"
	case "gigabytes", "gigabyte", "gb":
		return "GB"
	case "aicredits", "credits", "credit":
		return "Credits"
	case "requests", "request":
		return "Requests"
	case "usermonths", "usermonth":
		return "User-Months"
	case "committers", "committer":
		return "Committers"
	case "seconds":
		return "Seconds"
	case "hours":
		return "Hours"
	}
	if unitType == "" {
		return "Units"
	}
	// Another noun, capitalized as FOCUS's unit format asks.
	return strings.ToUpper(unitType[:1]) + unitType[1:]
}

// skuMeter is a readable name of what a SKU measures: its words, the
// first capitalized ("actions_linux" → "Actions linux").
func skuMeter(sku string) string {
	words := strings.Join(strings.FieldsFunc(sku, func(r rune) bool { return r == '_' || r == '-' }), " ")
	if words == "" {
		return sku
	}
	return strings.ToUpper(words[:1]) + words[1:]
}

// costCenter is the cost center a row was read under; zero for none.
type costCenter struct{ id, name string }

// rowsOf is the FOCUS rows of one row of the usage report of account ba:
// one row, or two when a discount covers part of it (FOCUS's discount
// handling: a discount applies to a whole row, so the covered part is a
// row of its own). The rows' ListCost adds up to the row's gross and their
// BilledCost to its net, exactly. A row that cannot be a charge (a
// negative amount or quantity, a net above the gross, no date) is an
// error: GitHub's answer is broken, and a month without it would be short.
func rowsOf(ba billingAccount, cc costCenter, it *githubapi.UsageItem) ([]Record, error) {
	day, err := time.Parse(time.DateOnly, it.Date[:min(len(it.Date), len(time.DateOnly))])
	if err != nil {
		return nil, fmt.Errorf("row dated %q: not a date", it.Date)
	}
	what := fmt.Sprintf("row %s %s %s", it.Date, it.SKU, it.RepositoryName)
	var quantity, price, gross, discount, net *big.Rat
	for _, v := range []struct {
		name string
		v    float64
		to   **big.Rat
	}{{"quantity", it.Quantity, &quantity}, {"pricePerUnit", it.PricePerUnit, &price}, {"grossAmount", it.GrossAmount, &gross},
		{"discountAmount", it.DiscountAmount, &discount}, {"netAmount", it.NetAmount, &net}} {
		r, err := ratOf(v.v)
		if err != nil || r.Sign() < 0 {
			return nil, fmt.Errorf("%s: %s is %v, not a number 0 or more", what, v.name, v.v)
		}
		*v.to = r
	}
	if net.Cmp(gross) > 0 {
		return nil, fmt.Errorf("%s: netAmount %v is more than grossAmount %v", what, it.NetAmount, it.GrossAmount)
	}

	svc := serviceOf(it.Product, it.SKU)
	unit := unitOf(it.UnitType)
	priceText, err := decimalText(price)
	if err != nil {
		return nil, fmt.Errorf("%s: pricePerUnit: %w", what, err)
	}
	base := make(Record, len(Columns))
	base.set("BillingAccountId", ba.id)
	base.set("BillingAccountName", ba.name)
	base.set("BillingAccountType", ba.kind)
	base.set("BillingCurrency", billingCurrency)
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	base.set("BillingPeriodStart", timeText(month))
	base.set("BillingPeriodEnd", timeText(month.AddDate(0, 1, 0)))
	base.set("ChargePeriodStart", timeText(day))
	base.set("ChargePeriodEnd", timeText(day.AddDate(0, 0, 1)))
	base.set("ChargeCategory", chargeCategory)
	base.set("ChargeFrequency", chargeFrequency)
	base.set("ProviderName", providerName)
	base.set("PublisherName", providerName)
	base.set("InvoiceIssuerName", providerName)
	base.set("ServiceName", svc.name)
	base.set("ServiceCategory", svc.category)
	base.set("ServiceSubcategory", svc.subcategory)
	base.set("SkuId", it.SKU)
	base.set("SkuMeter", skuMeter(it.SKU))
	base.set("SkuPriceId", it.SKU+":"+priceText)
	base.set("ListUnitPrice", priceText)
	// GitHub's rows carry one unit price and no sign of a negotiated one:
	// the contracted price is the list price.
	base.set("ContractedUnitPrice", priceText)
	base.set("PricingUnit", unit)
	base.set("ConsumedUnit", unit)
	base.set("x_SourceReport", sourceUsageAPI)
	base.set("x_UnitType", it.UnitType)
	if ba.account.Scope == githubapi.ScopeEnterprise && it.OrganizationName != "" {
		base.set("SubAccountId", "organizations/"+it.OrganizationName)
		base.set("SubAccountName", it.OrganizationName)
	}
	if repo := it.RepositoryName; repo != "" {
		id := repo
		if !strings.Contains(repo, "/") {
			// A bare name: qualified by its owner, the organization, or the
			// account itself for an organization's or user's report.
			switch {
			case it.OrganizationName != "":
				id = it.OrganizationName + "/" + repo
			case ba.account.Scope != githubapi.ScopeEnterprise:
				id = ba.account.Name + "/" + repo
			}
		}
		base.set("ResourceId", id)
		base.set("ResourceName", repo[strings.LastIndex(repo, "/")+1:])
		base.set("ResourceType", "Repository")
	}
	if cc.id != "" {
		base.set("x_CostCenterId", cc.id)
	}
	if cc.name != "" {
		base.set("x_CostCenterName", cc.name)
	}
	describe := fmt.Sprintf("%s: %s (%s) at $%s per %s", svc.name, skuMeter(it.SKU), it.SKU, priceText, unit)

	// part is one FOCUS row: quantity q, listed at list, billed at billed.
	part := func(q, list, billed, discountAmount *big.Rat, note string) (Record, error) {
		r := make(Record, len(Columns))
		copy(r, base)
		for _, v := range []struct {
			names []string
			v     *big.Rat
		}{
			{[]string{"PricingQuantity", "ConsumedQuantity"}, q},
			{[]string{"ListCost", "ContractedCost"}, list},
			{[]string{"BilledCost", "EffectiveCost"}, billed},
			{[]string{"x_DiscountAmount"}, discountAmount},
		} {
			text, err := decimalText(v.v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", what, v.names[0], err)
			}
			for _, name := range v.names {
				r.set(name, text)
			}
		}
		r.set("ChargeDescription", describe+note)
		return r, nil
	}
	zero := new(big.Rat)
	if net.Sign() == 0 || net.Cmp(gross) == 0 {
		// Wholly billed, or wholly covered (a discount above the gross,
		// which GitHub has sent, covers the whole row too).
		note := ""
		if net.Sign() == 0 && gross.Sign() > 0 {
			note = "; covered by included usage or a discount"
		}
		r, err := part(quantity, gross, net, discount, note)
		if err != nil {
			return nil, err
		}
		return []Record{r}, nil
	}
	// Partly covered: the billed part's quantity is the row's share of
	// net in gross, so the two quantities add up to the row's.
	paidQ := roundRat(new(big.Rat).Quo(new(big.Rat).Mul(quantity, net), gross), quantityPlaces)
	coveredQ := new(big.Rat).Sub(quantity, paidQ)
	covered, err := part(coveredQ, new(big.Rat).Sub(gross, net), zero, discount, "; part covered by included usage or a discount")
	if err != nil {
		return nil, err
	}
	paid, err := part(paidQ, net, net, zero, "; part billed")
	if err != nil {
		return nil, err
	}
	return []Record{covered, paid}, nil
}
