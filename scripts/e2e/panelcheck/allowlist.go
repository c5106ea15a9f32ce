package main

// allowedEmpty lists the only panels whose queries may return no data against the exporter's
// demo, keyed by "dashboard uid / panel title", with the reason. Their queries still have to
// be valid PromQL that Prometheus accepts, but an empty result cannot have its metric and label
// names checked (checkNames), so keep this list short: every entry is a panel the end-to-end
// check cannot vouch for.
//
// It is empty: the demo fills every panel once scripts/e2e.sh runs the exporter with
// --collector.usage.by-repository and --collector.advanced_security.by-repository, the only
// panels that used to be listed ("Top repositories by net spend", "Advanced Security committers
// by repository").
var allowedEmpty = map[string]string{}
