package main

import (
	"fmt"
	"net/url"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/version"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

func userAgent() string { return githubapi.UserAgent(version.Version) }

// credentialStates keeps each credential's rate-limit and conditional-request
// state across configuration reloads, by credential name and API URL.
type credentialStates map[string]*githubapi.CredentialState

func credentialKey(cred *config.Credential) string { return cred.Name + "\x00" + cred.APIURL }

// buildTargets makes one GitHub client per credential and binds every
// configured account to its client. A credential found in prev (same name,
// same API URL) keeps its state: a rate limit in force stays in force. The
// states of the new clients are returned for the next reload.
func buildTargets(cfg *config.Resolved, opts githubapi.Options, prev credentialStates) ([]collector.Target, credentialStates, error) {
	clients := map[string]*githubapi.Client{}
	states := credentialStates{}
	for name, cred := range cfg.Credentials {
		o := opts
		o.State = prev[credentialKey(cred)]
		c, err := newClient(cred, o)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: credential %q: %w", cfg.File, name, err)
		}
		clients[name] = c
		states[credentialKey(cred)] = c.State()
	}
	targets := make([]collector.Target, 0, len(cfg.Targets))
	for _, t := range cfg.Targets {
		targets = append(targets, collector.Target{Account: t.Account, Client: clients[t.Credential]})
	}
	return targets, states, nil
}

// newClient builds the client of one credential; opts carries the settings
// shared by all clients (observer, logger, limits).
func newClient(cred *config.Credential, opts githubapi.Options) (*githubapi.Client, error) {
	httpClient, err := commoncfg.NewClientFromConfig(cred.HTTP, "github", commoncfg.WithUserAgent(userAgent()))
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(cred.APIURL)
	if err != nil {
		return nil, err
	}
	plain := httpClient.Transport
	auth := plain
	switch {
	case cred.App != nil:
		if auth, err = githubapi.AppTransport(plain, cred.APIURL, cred.App.AppID, cred.App.InstallationID, []byte(cred.AppPrivateKey)); err != nil {
			return nil, fmt.Errorf("GitHub App private key %s: %w", cred.App.PrivateKeyFile, err)
		}
	case cred.Token != "":
		auth = &githubapi.TokenTransport{Token: string(cred.Token), Base: plain}
	}
	httpClient.Transport = githubapi.HostOnly(base.Host, auth, plain)
	opts.BaseURL, opts.Credential, opts.HTTPClient, opts.UserAgent = cred.APIURL, cred.Name, httpClient, userAgent()
	return githubapi.New(opts)
}
