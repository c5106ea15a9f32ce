package main

import (
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// demoToken is the fake API's credential; it guards nothing real.
const demoToken = "demo-token-not-a-secret"

// demoConfig points the exporter at the fake API with every demo account. The
// refresh interval is short so that the demo's month-to-date figures move.
func demoConfig(apiURL string) *config.Resolved {
	cred := &config.Credential{
		Name:   "demo",
		APIURL: apiURL,
		Token:  commoncfg.Secret(demoToken),
		HTTP:   commoncfg.HTTPClientConfig{FollowRedirects: true, EnableHTTP2: true},
	}
	cfg := &config.Resolved{
		File:            "(demo)",
		RefreshInterval: time.Minute,
		RefreshTimeout:  30 * time.Second,
		MaxAge:          time.Hour,
		Credentials:     map[string]*config.Credential{cred.Name: cred},
	}
	for _, a := range fakegithub.DemoAccounts() {
		cfg.Targets = append(cfg.Targets, config.Target{Account: a, Credential: cred.Name})
	}
	return cfg
}
