// Package clients builds the GitHub clients from the configuration: one
// githubapi.Client per credential, each account bound to its client as a
// collector.Target. It is the "client" step of the exporter's flow, GitHub
// (githubapi) → clients → collector → cache → HTTP (internal/server), and
// both commands take their clients from it: the server at each load, the
// backfill command once, neither through the other.
//
// It also keeps the registry of every secret those clients hold or send.
// The registry stays inside the package: the clients add to it, and the
// logger it builds (NewLogger) scrubs every line of it, so no other package
// can build a client or a log line that escapes it.
package clients

import (
	"fmt"
	"net/url"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/version"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// secrets are the credentials of every client this process built:
// the configured tokens and proxy passwords, and every Authorization value
// sent (an App's installation tokens too). Upstream text is scrubbed of
// them, and the log handler scrubs every line (NewLogger).
var secrets = githubapi.NewSecrets()

func userAgent() string { return githubapi.UserAgent(version.Version) }

// credentialKey names a credential across reloads: its name and API URL.
func credentialKey(name, apiURL string) string { return name + "\x00" + apiURL }

// BuildTargets makes one GitHub client per credential and binds every
// configured account to its client. A credential that one of the running
// targets already uses (same name, same API URL) keeps that client's state,
// so a rate limit in force stays in force across a reload.
func BuildTargets(cfg *config.Resolved, opts githubapi.Options, running []collector.Target) ([]collector.Target, error) {
	prev := map[string]*githubapi.CredentialState{}
	for _, t := range running {
		prev[credentialKey(t.Client.Credential(), t.Client.BaseURL())] = t.Client.State()
	}
	clients := map[string]*githubapi.Client{}
	for name, cred := range cfg.Credentials {
		o := opts
		o.State = prev[credentialKey(cred.Name, cred.APIURL)]
		c, err := newClient(cred, o)
		if err != nil {
			return nil, fmt.Errorf("%s: credential %q: %w", cfg.File, name, err)
		}
		clients[name] = c
	}
	if err := cfg.CheckCollectorNames(func(name string) bool { _, ok := collector.Lookup(name); return ok }); err != nil {
		return nil, err
	}
	targets := make([]collector.Target, 0, len(cfg.Targets))
	for _, t := range cfg.Targets {
		targets = append(targets, collector.Target{Account: t.Account, Client: clients[t.Credential],
			RefreshIntervals: cfg.RefreshIntervals[t.Account],
			Switches:         switches(cfg.Enabled[t.Account], cfg.Credentials[t.Credential].Server)})
	}
	return targets, nil
}

// switches are an account's collector switches: the configuration's enabled
// keys, and where it has none, the server's default for a collector on by
// default.
func switches(enabled map[string]bool, server githubapi.Server) map[string]collector.Switch {
	out := map[string]collector.Switch{}
	for _, f := range collector.Collectors() {
		if on, ok := enabled[f.Name]; ok {
			sw := collector.Switch{On: on}
			if !on {
				sw.Reason = "turned off in the configuration's collectors block"
			}
			out[f.Name] = sw
			continue
		}
		if reason, off := f.ServerDefaultOff(server); off && f.DefaultEnabled {
			out[f.Name] = collector.Switch{Server: true, Reason: reason}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
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
	secrets.Add(string(cred.Token))
	if cred.HTTP.ProxyURL.URL != nil {
		secrets.AddURL(cred.HTTP.ProxyURL.URL)
	}
	for _, values := range cred.HTTP.ProxyConnectHeader {
		for _, v := range values {
			secrets.Add(string(v))
		}
	}
	// Between the authenticating transport and the network, so that what
	// is sent is known before its answer is read.
	plain := secrets.Record(httpClient.Transport)
	auth := plain
	switch {
	case cred.App != nil:
		if auth, err = githubapi.AppTransport(plain, cred.APIURL, cred.App.AppID, cred.App.InstallationID, []byte(cred.AppPrivateKey)); err != nil {
			return nil, fmt.Errorf("GitHub App private key %s: %w", cred.App.PrivateKeyFile, err)
		}
	case cred.Token != "":
		auth = &githubapi.TokenTransport{Token: string(cred.Token), Base: plain}
	}
	httpClient.Transport = githubapi.OriginOnly(base, auth, plain)
	// Signed download links (export parts, Copilot metrics files) go to
	// other hosts, with no credential at all.
	opts.DownloadTransport = plain
	opts.BaseURL, opts.Credential, opts.HTTPClient, opts.UserAgent = cred.APIURL, cred.Name, httpClient, userAgent()
	opts.Secrets = secrets
	return githubapi.New(opts)
}
