package main

// allowedEmpty lists the only panels whose queries may return no data against the exporter's
// demo, keyed by "dashboard uid / panel title", with the reason. Their queries still have to
// be valid PromQL that Prometheus accepts. Keep this list short: every entry is a panel the
// end-to-end check cannot vouch for.
var allowedEmpty = map[string]string{
	"github-billing-overview / Top repositories by net spend":              "needs --collector.usage.by-repository, off by default and in the demo",
	"github-billing-overview / Advanced Security committers by repository": "needs --collector.advanced_security.by-repository, off by default and in the demo",
}
