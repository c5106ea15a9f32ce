package main

import (
	"log/slog"
	"net"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
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
		File:            demoFile,
		RefreshInterval: time.Minute,
		RefreshTimeout:  30 * time.Second,
		MaxAge:          time.Hour,
		Credentials:     map[string]*config.Credential{cred.Name: cred},
	}
	for _, a := range githubtest.Demo(time.Now()).Accounts() {
		cfg.Targets = append(cfg.Targets, config.Target{Account: a, Credential: cred.Name})
	}
	return cfg
}

// demoListenOnLoopback makes the demo listen on 127.0.0.1 unless
// --web.listen-address was given: it needs no token, but its data is made
// up and nobody else needs it. An address given on the command line is
// used as it is, for a container that must listen on every interface.
func demoListenOnLoopback(f *flags, logger *slog.Logger) {
	if f.listenAddressSet || f.web.WebListenAddresses == nil {
		return
	}
	_, port, err := net.SplitHostPort(defaultListenAddress)
	if err != nil {
		return
	}
	*f.web.WebListenAddresses = []string{net.JoinHostPort("127.0.0.1", port)}
	logger.Info("demo mode listens on loopback only; give --web.listen-address to listen elsewhere", "address", (*f.web.WebListenAddresses)[0])
}
