// Package config loads and validates the exporter's YAML configuration.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"

	commoncfg "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v4"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Defaults for keys that are left out.
const (
	defaultAPIURL          = "https://api.github.com"
	defaultCredentialName  = "default"
	DefaultRefreshInterval = model.Duration(30 * time.Minute)
	DefaultRefreshTimeout  = model.Duration(2 * time.Minute)
	// A refresh_interval below this would spend GitHub's hourly budget on
	// data GitHub itself refreshes only every few hours.
	minRefreshInterval = model.Duration(time.Minute)
	// A refresh_interval above this would leave a billing month without a
	// refresh (and three of them, the default max_age, overflow beyond 97
	// years).
	maxRefreshInterval = model.Duration(31 * 24 * time.Hour)
	// TokenEnvVar is read when the top-level github block has no credential.
	TokenEnvVar = "GITHUB_TOKEN"
)

// Config is the configuration file as written.
type Config struct {
	GitHub GitHub `yaml:"github"`
	// RefreshInterval is how old cached data may get before a scrape
	// refreshes it.
	RefreshInterval model.Duration `yaml:"refresh_interval"`
	// RefreshTimeout bounds one refresh of one collector for one account; a
	// refresh that outlasts a scrape goes on in the background.
	RefreshTimeout model.Duration `yaml:"refresh_timeout"`
	// MaxAge drops cached data older than this instead of serving it as
	// current (default: three refresh intervals, at least an hour).
	MaxAge model.Duration `yaml:"max_age"`
	// Collectors sets collectors' own settings, by collector name, for
	// every account.
	Collectors map[string]CollectorConfig `yaml:"collectors,omitempty"`
	// Copilot holds what the exporter assumes of Copilot's plans.
	Copilot       *Copilot  `yaml:"copilot,omitempty"`
	Enterprises   []Account `yaml:"enterprises"`
	Organizations []Account `yaml:"organizations"`
	Users         []Account `yaml:"users"`
}

// GitHub is a connection to a GitHub API and the credential used on it.
type GitHub struct {
	// Credential names this credential in the credential label of the
	// rate-limit metrics; it is never the token.
	Credential string `yaml:"credential,omitempty"`
	APIURL     string `yaml:"api_url,omitempty"`
	// InsecureHTTP accepts an http:// api_url to a host other than
	// loopback, over which the token travels in cleartext. It covers the
	// api_url of its own block, and an account's block that inherits that
	// URL.
	InsecureHTTP bool `yaml:"insecure_http,omitempty"`
	// Server is the kind of GitHub api_url serves (github.com, ghe.com,
	// enterprise-server), which decides the collectors on by default;
	// auto, the default, tells it from api_url.
	Server string `yaml:"server,omitempty"`
	// Token, TokenFile and App are the three ways to authenticate; at most
	// one may be set.
	Token     commoncfg.Secret `yaml:"token,omitempty"`
	TokenFile string           `yaml:"token_file,omitempty"`
	App       *App             `yaml:"app,omitempty"`
	// TLSConfig and the proxy settings shape the HTTP connection to GitHub.
	TLSConfig             commoncfg.TLSConfig `yaml:"tls_config,omitempty"`
	commoncfg.ProxyConfig `yaml:",inline"`
}

// String describes the block without its token, so that a %v of a
// configuration cannot print it.
func (g GitHub) String() string {
	auth := "GITHUB_TOKEN or inherited"
	switch {
	case g.Token != "":
		auth = "token <secret>"
	case g.TokenFile != "":
		auth = "token_file " + g.TokenFile
	case g.App != nil:
		auth = fmt.Sprintf("app %d installation %d", g.App.AppID, g.App.InstallationID)
	}
	return fmt.Sprintf("github{credential %q, api_url %q, %s}", g.Credential, g.APIURL, auth)
}

// GoString keeps the token out of %#v as well.
func (g GitHub) GoString() string { return g.String() }

// App authenticates as a GitHub App installation.
type App struct {
	AppID          int64  `yaml:"app_id"`
	InstallationID int64  `yaml:"installation_id"`
	PrivateKeyFile string `yaml:"private_key_file"`
}

// Copilot is the copilot block: what the exporter assumes of Copilot's
// plans where GitHub's API does not say.
type Copilot struct {
	// IncludedAICredits are the AI credits a licence brings to its
	// account's pool each month, by plan; a plan left out keeps GitHub's
	// figure (collector.DefaultIncludedAICredits).
	IncludedAICredits *IncludedAICredits `yaml:"included_ai_credits,omitempty"`
}

// IncludedAICredits is the copilot.included_ai_credits block.
type IncludedAICredits struct {
	Business   *float64 `yaml:"business,omitempty"`
	Enterprise *float64 `yaml:"enterprise,omitempty"`
}

// maxIncludedAICredits bounds a plan's included credits: a hundred times
// GitHub's largest figure, far above any plan, catches a figure in the
// wrong unit (cents, a year's worth).
const maxIncludedAICredits = 390000

// resolveCopilot checks the copilot block and sets the included credits it
// overrides.
func (r *Resolved) resolveCopilot(c *Copilot) error {
	r.IncludedAICredits = map[string]float64{}
	if c == nil || c.IncludedAICredits == nil {
		return nil
	}
	for _, p := range []struct {
		plan  string
		value *float64
	}{{"business", c.IncludedAICredits.Business}, {"enterprise", c.IncludedAICredits.Enterprise}} {
		if p.value == nil {
			continue
		}
		v := *p.value
		if math.IsNaN(v) || v < 0 || v > maxIncludedAICredits {
			return &Error{Key: "copilot.included_ai_credits." + p.plan,
				Reason: fmt.Sprintf("must be a number of AI credits from 0 to %d a licence a month, not %v", maxIncludedAICredits, v)}
		}
		r.IncludedAICredits[p.plan] = v
	}
	return nil
}

// CollectorConfig is one collector's settings in a collectors block.
type CollectorConfig struct {
	// Enabled turns the collector on or off for the accounts the block
	// covers, over the server's default. It cannot turn on a collector the
	// command line turns off, which the exporter does not build.
	Enabled *bool `yaml:"enabled,omitempty"`
	// RefreshInterval replaces refresh_interval (and the collector's own
	// default) for this collector.
	RefreshInterval model.Duration `yaml:"refresh_interval,omitempty"`
}

// Account is one enterprise, organization or user to export.
type Account struct {
	Name string `yaml:"name"`
	// GitHub overrides the top-level github block for this account.
	GitHub *GitHub `yaml:"github,omitempty"`
	// Collectors overrides the top-level collectors block for this
	// account, collector by collector.
	Collectors map[string]CollectorConfig `yaml:"collectors,omitempty"`
}

// Resolved is a validated configuration, with credentials read from their
// files and every account bound to a named credential.
type Resolved struct {
	File            string
	RefreshInterval time.Duration
	RefreshTimeout  time.Duration
	MaxAge          time.Duration
	Credentials     map[string]*Credential
	Targets         []Target
	// RefreshIntervals are the collectors' own refresh intervals, by
	// account and collector name: the top-level collectors block with the
	// account's own block over it. A collector not named has none of its
	// own.
	RefreshIntervals map[githubapi.Account]map[string]time.Duration
	// Enabled are the collectors' enabled keys, by account and collector
	// name: the top-level collectors block with the account's own block
	// over it. A collector not named has no key.
	Enabled map[githubapi.Account]map[string]bool
	// IncludedAICredits are the copilot block's included AI credits per
	// licence, by plan (business, enterprise); a plan it leaves out is
	// not in the map.
	IncludedAICredits map[string]float64
	// Warnings are problems that do not stop the exporter, such as a token
	// file other users can read.
	Warnings []string
	// collectorKeys are the collectors blocks' entries, in the file's
	// order, for CheckCollectorNames.
	collectorKeys []collectorKey
}

// collectorKey is one entry of a collectors block: the collector's name,
// its key and its line.
type collectorKey struct {
	name, key string
	line      int
}

// CheckCollectorNames refuses a collectors block that names no collector
// (known says which names are collectors), with the file, line and key of
// the first such name.
func (r *Resolved) CheckCollectorNames(known func(string) bool) error {
	for _, k := range r.collectorKeys {
		if !known(k.name) {
			return &Error{File: r.File, Line: k.line, Key: k.key, Reason: fmt.Sprintf("%q is no collector (the names are those of the --collector flags and docs/collectors.md)", k.name)}
		}
	}
	return nil
}

// Credential is one way into one GitHub API.
type Credential struct {
	Name   string
	APIURL string
	// Server is the kind of GitHub APIURL serves: the server key, else
	// told from APIURL; githubapi.ServerUnknown when it cannot be told.
	Server githubapi.Server
	// Token is set for token authentication.
	Token commoncfg.Secret
	// App and AppPrivateKey are set for GitHub App authentication.
	App           *App
	AppPrivateKey commoncfg.Secret
	// HTTP holds the TLS and proxy settings.
	HTTP commoncfg.HTTPClientConfig
	// serverKey is the server key as written (or inherited with the API
	// URL), which an account's block that inherits the URL inherits too.
	serverKey string
}

// String describes the credential without its secrets, so that a %v in a
// log line or a panic cannot print a token or a private key.
func (c Credential) String() string {
	kind := "token"
	if c.App != nil {
		kind = fmt.Sprintf("app %d installation %d", c.App.AppID, c.App.InstallationID)
	}
	return fmt.Sprintf("credential %q (%s) for %s", c.Name, kind, c.APIURL)
}

// GoString keeps secrets out of %#v as well.
func (c Credential) GoString() string { return c.String() }

// Target is one account and the credential it is read with.
type Target struct {
	Account    githubapi.Account
	Credential string
}

// Load reads, parses and validates a configuration file.
func Load(file string) (*Resolved, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Reason: fmt.Sprintf("cannot read configuration: %v", pathErrReason(err))}
	}
	return Parse(file, content, os.Getenv)
}

// Parse validates configuration content read from file; getenv supplies
// GITHUB_TOKEN. Relative paths are relative to the file's directory. Every
// error is an *Error.
func Parse(file string, content []byte, getenv func(string) string) (*Resolved, error) {
	var cfg Config
	doc, err := decode(content, &cfg)
	if err == nil {
		var r *Resolved
		if r, err = resolve(file, &cfg, getenv); err == nil {
			r.collectorKeys = collectorKeys(doc)
			return r, nil
		}
	}
	return nil, describe(file, doc, err)
}

// decode reads content, a single YAML document, into cfg. It returns the
// document's node tree, nil for an empty file or one that does not parse,
// for describe to find the lines and keys of errors in.
func decode(content []byte, cfg *Config) (*yaml.Node, error) {
	var docs []yaml.Node
	if err := yaml.Load(content, &docs, yaml.WithAllDocuments()); err != nil {
		return nil, syntaxError(content, err)
	}
	switch {
	case len(docs) == 0: // no accounts, as resolve says
		return nil, nil
	case len(docs) > 1:
		return &docs[0], &Error{Line: docs[1].Line, Reason: "a second YAML document: the configuration is one document"}
	}
	if err := docs[0].Load(cfg, yaml.WithV4Defaults(), yaml.WithKnownFields()); err != nil {
		return &docs[0], err
	}
	return &docs[0], unclear(&docs[0])
}

func resolve(file string, cfg *Config, getenv func(string) string) (*Resolved, error) {
	dir := filepath.Dir(file)
	r := &Resolved{
		File:             file,
		Credentials:      map[string]*Credential{},
		RefreshIntervals: map[githubapi.Account]map[string]time.Duration{},
		Enabled:          map[githubapi.Account]map[string]bool{},
	}
	if err := r.resolveTimes(cfg); err != nil {
		return nil, asConfigError(file, err)
	}
	if err := r.resolveCopilot(cfg.Copilot); err != nil {
		return nil, asConfigError(file, err)
	}
	topIntervals, err := collectorIntervals(cfg.Collectors, "collectors", nil)
	if err != nil {
		return nil, asConfigError(file, err)
	}
	topEnabled := collectorEnabled(cfg.Collectors, nil)
	top, err := resolveCredential(cfg.GitHub, nil, "github", dir, getenv)
	if err != nil {
		return nil, asConfigError(file, err)
	}
	if top.Name == "" {
		top.Name = defaultCredentialName
	}
	usesTop, err := r.resolveAccounts(cfg, top, inherited{topIntervals, topEnabled}, dir, getenv)
	if err != nil {
		return nil, asConfigError(file, err)
	}
	if err := r.checkCredentials(top, usesTop); err != nil {
		return nil, asConfigError(file, err)
	}
	r.Warnings = append(tokenFileWarnings(cfg, dir), cleartextWarnings(cfg)...)
	return r, nil
}

// resolveTimes sets the refresh interval, the refresh timeout and the
// maximum age of cached data.
func (r *Resolved) resolveTimes(cfg *Config) error {
	r.RefreshInterval = time.Duration(cmp.Or(cfg.RefreshInterval, DefaultRefreshInterval))
	if cfg.RefreshInterval != 0 && cfg.RefreshInterval < minRefreshInterval {
		return &Error{Key: "refresh_interval", Reason: fmt.Sprintf("must be at least %s, GitHub's billing data changes far more slowly", minRefreshInterval)}
	}
	if cfg.RefreshInterval > maxRefreshInterval {
		return &Error{Key: "refresh_interval", Reason: fmt.Sprintf(tooLong, maxRefreshInterval, cfg.RefreshInterval)}
	}
	r.RefreshTimeout = time.Duration(cmp.Or(cfg.RefreshTimeout, DefaultRefreshTimeout))
	if cfg.RefreshTimeout < 0 {
		return &Error{Key: "refresh_timeout", Reason: "must be positive"}
	}
	r.MaxAge = time.Duration(cfg.MaxAge)
	if r.MaxAge == 0 {
		r.MaxAge = max(3*r.RefreshInterval, time.Hour)
	}
	if r.MaxAge <= r.RefreshInterval {
		return &Error{Key: "max_age", Reason: fmt.Sprintf("must be longer than refresh_interval (%s), or every refresh would drop the data it replaces", r.RefreshInterval)}
	}
	return nil
}

// accountGroups are the configuration's account lists, each with its key
// and scope.
type accountGroup struct {
	key      string
	scope    githubapi.Scope
	accounts []Account
}

func accountGroups(cfg *Config) []accountGroup {
	return []accountGroup{
		{"enterprises", githubapi.ScopeEnterprise, cfg.Enterprises},
		{"organizations", githubapi.ScopeOrganization, cfg.Organizations},
		{"users", githubapi.ScopeUser, cfg.Users},
	}
}

// inherited is what the top-level collectors block gives every account.
type inherited struct {
	intervals map[string]time.Duration
	enabled   map[string]bool
}

// resolveAccounts adds a target for every account, with its credential
// (its own github block, or top) and its collectors' refresh intervals and
// enabled keys. It says whether any account uses top.
func (r *Resolved) resolveAccounts(cfg *Config, top *Credential, topBlock inherited, dir string, getenv func(string) string) (usesTop bool, err error) {
	for _, g := range accountGroups(cfg) {
		seen := map[string]int{}
		for i, a := range g.accounts {
			key := fmt.Sprintf("%s[%d]", g.key, i)
			if err := validateName(a.Name); err != nil {
				return false, &Error{Key: key + ".name", Reason: err.Error()}
			}
			folded := strings.ToLower(a.Name)
			if j, dup := seen[folded]; dup {
				return false, &Error{Key: key + ".name", Reason: fmt.Sprintf("%s %q is already listed as %s[%d]", g.scope, a.Name, g.key, j)}
			}
			seen[folded] = i
			cred := top
			if a.GitHub != nil {
				if cred, err = resolveCredential(*a.GitHub, top, key+".github", dir, getenv); err != nil {
					return false, err
				}
				if cred.Name == "" {
					cred.Name = a.Name
				}
			}
			if cred == top {
				usesTop = true
			} else if err := r.addCredential(cred); err != nil {
				return false, &Error{Key: key + ".github.credential", Reason: err.Error()}
			}
			intervals, err := collectorIntervals(a.Collectors, key+".collectors", topBlock.intervals)
			if err != nil {
				return false, err
			}
			account := githubapi.Account{Scope: g.scope, Name: a.Name}
			r.Targets = append(r.Targets, Target{Account: account, Credential: cred.Name})
			if len(intervals) > 0 {
				r.RefreshIntervals[account] = intervals
			}
			if enabled := collectorEnabled(a.Collectors, topBlock.enabled); len(enabled) > 0 {
				r.Enabled[account] = enabled
			}
		}
	}
	return usesTop, nil
}

// checkCredentials refuses a configuration without accounts, or with an
// account whose credential has no token.
func (r *Resolved) checkCredentials(top *Credential, usesTop bool) error {
	if len(r.Targets) == 0 {
		return &Error{Reason: "no accounts: list at least one of enterprises, organizations or users"}
	}
	if usesTop {
		if top.Token == "" && top.App == nil {
			return &Error{Key: "github", Reason: fmt.Sprintf("no credential: set token, token_file or app, or the %s environment variable", TokenEnvVar)}
		}
		if err := r.addCredential(top); err != nil {
			return &Error{Key: "github.credential", Reason: err.Error()}
		}
	}
	for _, c := range r.Credentials {
		if c.Token == "" && c.App == nil {
			return &Error{Key: "github", Reason: fmt.Sprintf("credential %q has no token: set token, token_file or app", c.Name)}
		}
	}
	return nil
}

// addCredential registers c under its name; one name may be shared by
// several accounts only when it means the same credential.
func (r *Resolved) addCredential(c *Credential) error {
	if prev, ok := r.Credentials[c.Name]; ok {
		if !reflect.DeepEqual(prev, c) {
			return fmt.Errorf("credential name %q is used for two different credentials", c.Name)
		}
		return nil
	}
	r.Credentials[c.Name] = c
	return nil
}

// resolveCredential turns a github block into a credential. An account's
// block (parent != nil) inherits the API URL, the connection settings and,
// when it sets none of its own, the credential of the top-level block.
func resolveCredential(g GitHub, parent *Credential, key, dir string, getenv func(string) string) (*Credential, error) {
	c := &Credential{Name: g.Credential, APIURL: g.APIURL}
	if parent != nil {
		if c.APIURL == "" {
			c.APIURL = parent.APIURL
			if g.Server == "" {
				g.Server = parent.serverKey
			}
		}
		c.HTTP = parent.HTTP
	}
	if c.APIURL == "" {
		c.APIURL = defaultAPIURL
	}
	u, err := githubapi.ParseBaseURL(c.APIURL)
	if err != nil {
		return nil, &Error{Key: key + ".api_url", Reason: strings.TrimPrefix(err.Error(), "invalid API URL: ")}
	}
	c.APIURL = u.String()
	if c.Server, err = githubapi.ParseServer(g.Server, u); err != nil {
		return nil, &Error{Key: key + ".server", Reason: err.Error()}
	}
	if g.Server != "auto" {
		c.serverKey = g.Server
	}
	// An inherited URL was checked in the block that wrote it.
	if g.APIURL != "" && cleartext(u) && !g.InsecureHTTP {
		return nil, &Error{Key: key + ".api_url", Reason: fmt.Sprintf("%s sends the token in cleartext to a host that is not loopback: use https://, or set insecure_http: true beside it to accept that", c.APIURL)}
	}

	if !reflect.DeepEqual(g.TLSConfig, commoncfg.TLSConfig{}) || !reflect.DeepEqual(g.ProxyConfig, commoncfg.ProxyConfig{}) || parent == nil {
		g.TLSConfig.SetDirectory(dir)
		c.HTTP = commoncfg.HTTPClientConfig{
			TLSConfig:       g.TLSConfig,
			ProxyConfig:     g.ProxyConfig,
			FollowRedirects: true,
			EnableHTTP2:     true,
		}
		if err := c.HTTP.Validate(); err != nil {
			return nil, &Error{Key: key, Reason: err.Error()}
		}
	}
	return c.resolveSecret(g, parent, key, dir, getenv)
}

// resolveSecret sets c's token or App from the block's token, token_file or
// app, or else from parent (an account's block without one of its own), or
// else from the environment (the top-level block). An account's block that
// changes nothing of parent's is parent itself.
func (c *Credential) resolveSecret(g GitHub, parent *Credential, key, dir string, getenv func(string) string) (*Credential, error) {
	set := 0
	for _, b := range []bool{g.Token != "", g.TokenFile != "", g.App != nil} {
		if b {
			set++
		}
	}
	switch {
	case set > 1:
		return nil, &Error{Key: key, Reason: "set only one of token, token_file and app"}
	case g.Token != "":
		token, err := cleanToken(string(g.Token))
		if err == nil && token == "" {
			err = errors.New("is empty")
		}
		if err != nil {
			return nil, &Error{Key: key + ".token", Reason: err.Error()}
		}
		c.Token = token
	case g.TokenFile != "":
		token, err := readTokenFile(resolvePath(dir, g.TokenFile))
		if err != nil {
			return nil, &Error{Key: key + ".token_file", Reason: err.Error()}
		}
		c.Token = token
	case g.App != nil:
		if err := c.resolveApp(*g.App, key, dir); err != nil {
			return nil, err
		}
	case parent != nil:
		if c.APIURL != parent.APIURL {
			// Inheriting would send the top-level credential to another host.
			return nil, &Error{Key: key, Reason: fmt.Sprintf("api_url %s differs from github.api_url: set this account's own token, token_file or app", c.APIURL)}
		}
		c.Token, c.App, c.AppPrivateKey = parent.Token, parent.App, parent.AppPrivateKey
		if c.Name == "" && c.APIURL == parent.APIURL && c.Server == parent.Server && reflect.DeepEqual(c.HTTP, parent.HTTP) {
			return parent, nil
		}
	default:
		token, err := cleanToken(getenv(TokenEnvVar))
		if err != nil {
			return nil, &Error{Key: key, Reason: fmt.Sprintf("the %s environment variable: %v", TokenEnvVar, err)}
		}
		c.Token = token
	}
	return c, nil
}

// readTokenFile reads the token in path, which holds it alone. Its errors
// name the file, never the token.
func readTokenFile(path string) (commoncfg.Secret, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read token: %v", pathErrReason(err))
	}
	token, err := cleanToken(string(content))
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: %w", path, err)
	case token == "":
		return "", fmt.Errorf("%s is empty", path)
	}
	return token, nil
}

// cleanToken trims the whitespace around a token, such as the newline
// that ends a file, and refuses one with whitespace, a control character
// or anything but printable ASCII inside: GitHub's tokens are letters,
// digits and "_", and such a token would fail every request as a network
// error (net/http refuses the header) or as 401. Its errors never quote the
// token, not even a part of it.
func cleanToken(raw string) (commoncfg.Secret, error) {
	token := strings.TrimSpace(raw)
	if strings.ContainsAny(token, "\n\r\v\f\u0085\u2028\u2029") {
		return "", errors.New("the token holds more than one line: it must be one line (a trailing newline is fine)")
	}
	for _, r := range token {
		switch {
		case unicode.IsSpace(r):
			return "", errors.New("the token has whitespace inside it")
		case unicode.IsControl(r):
			return "", errors.New("the token has a control character inside it")
		case r > '~':
			return "", errors.New("the token has a character that is not printable ASCII inside it, such as a typographic quote")
		}
	}
	return commoncfg.Secret(token), nil
}

// resolveApp checks an app block and reads its private key.
func (c *Credential) resolveApp(app App, key, dir string) error {
	if app.AppID <= 0 {
		return &Error{Key: key + ".app.app_id", Reason: "must be a positive number"}
	}
	if app.InstallationID <= 0 {
		return &Error{Key: key + ".app.installation_id", Reason: "must be a positive number"}
	}
	if app.PrivateKeyFile == "" {
		return &Error{Key: key + ".app.private_key_file", Reason: "is required"}
	}
	app.PrivateKeyFile = resolvePath(dir, app.PrivateKeyFile)
	pem, err := os.ReadFile(app.PrivateKeyFile)
	if err != nil {
		return &Error{Key: key + ".app.private_key_file", Reason: fmt.Sprintf("cannot read private key: %v", pathErrReason(err))}
	}
	if !strings.Contains(string(pem), "PRIVATE KEY-----") {
		return &Error{Key: key + ".app.private_key_file", Reason: fmt.Sprintf("%s is not a PEM private key", app.PrivateKeyFile)}
	}
	c.App, c.AppPrivateKey = &app, commoncfg.Secret(pem)
	return nil
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func validateName(name string) error {
	switch {
	case name == "":
		return errors.New("must not be empty")
	case !validName.MatchString(name):
		return fmt.Errorf("%q is not a GitHub account name (letters, digits, '-', '_' and '.' only)", name)
	}
	return nil
}

func resolvePath(dir, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// pathErrReason keeps an *os.PathError's path and reason, and nothing else.
func pathErrReason(err error) string {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

func asConfigError(file string, err error) error {
	if ce, ok := errors.AsType[*Error](err); ok {
		ce.File = file
		return ce
	}
	return &Error{File: file, Reason: err.Error()}
}

// cleartext says whether u, an API URL, would carry a credential in
// cleartext off the machine: http:// to a host other than loopback
// (127.0.0.0/8, ::1, localhost).
func cleartext(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// cleartextWarnings names the http:// API URLs that insecure_http lets
// through, at every load, so that the choice stays visible in the log.
func cleartextWarnings(cfg *Config) []string {
	var warnings []string
	for key, g := range githubBlocks(cfg) {
		if g.APIURL == "" {
			continue
		}
		if u, err := githubapi.ParseBaseURL(g.APIURL); err == nil && cleartext(u) {
			warnings = append(warnings, fmt.Sprintf("%s.api_url: %s sends the token in cleartext (insecure_http: true); anyone on the network path can read it", key, u))
		}
	}
	return warnings
}

// githubBlocks yields the configuration's github blocks by key: the
// top-level one, then the accounts' in the file's order.
func githubBlocks(cfg *Config) func(yield func(string, *GitHub) bool) {
	return func(yield func(string, *GitHub) bool) {
		if !yield("github", &cfg.GitHub) {
			return
		}
		for _, g := range accountGroups(cfg) {
			for i, a := range g.accounts {
				if a.GitHub != nil && !yield(fmt.Sprintf("%s[%d].github", g.key, i), a.GitHub) {
					return
				}
			}
		}
	}
}

// tokenFileWarnings names the token and key files that every user of the
// machine can read. Group-readable files are not flagged: Kubernetes mounts
// Secrets as 0440 owned by the pod's own fsGroup.
func tokenFileWarnings(cfg *Config, dir string) []string {
	var warnings []string
	check := func(key, path string) {
		if path == "" {
			return
		}
		path = resolvePath(dir, path)
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o004 != 0 {
			warnings = append(warnings, fmt.Sprintf("%s: %s is readable by every user of the machine (mode %04o); restrict it with chmod 600", key, path, st.Mode().Perm()))
		}
	}
	for key, g := range githubBlocks(cfg) {
		check(key+".token_file", g.TokenFile)
		if g.App != nil {
			check(key+".app.private_key_file", g.App.PrivateKeyFile)
		}
	}
	return warnings
}

// collectorIntervals reads a collectors block over the intervals it
// inherits. Whether each name is a collector is for the caller, which knows
// the collectors (CheckCollectorNames).
func collectorIntervals(block map[string]CollectorConfig, key string, inherited map[string]time.Duration) (map[string]time.Duration, error) {
	out := make(map[string]time.Duration, len(inherited)+len(block))
	maps.Copy(out, inherited)
	for name, c := range block {
		switch {
		case name == "":
			return nil, &Error{Key: key, Reason: "a collector name is empty"}
		case c.RefreshInterval == 0:
			continue
		case c.RefreshInterval < minRefreshInterval:
			return nil, &Error{Key: key + "." + name + ".refresh_interval", Reason: fmt.Sprintf("must be at least %s, GitHub's billing data changes far more slowly", minRefreshInterval)}
		case c.RefreshInterval > maxRefreshInterval:
			return nil, &Error{Key: key + "." + name + ".refresh_interval", Reason: fmt.Sprintf(tooLong, maxRefreshInterval, c.RefreshInterval)}
		}
		out[name] = time.Duration(c.RefreshInterval)
	}
	return out, nil
}

// tooLong is the reason a refresh_interval above maxRefreshInterval is
// refused.
const tooLong = "must be at most %s: GitHub bills by the month, and a longer interval would skip one (got %s)"

// collectorEnabled reads a collectors block's enabled keys over those it
// inherits.
func collectorEnabled(block map[string]CollectorConfig, inherited map[string]bool) map[string]bool {
	out := maps.Clone(inherited)
	for name, c := range block {
		if c.Enabled != nil {
			if out == nil {
				out = map[string]bool{}
			}
			out[name] = *c.Enabled
		}
	}
	return out
}

// collectorKeys are the entries of the collectors blocks of doc.
func collectorKeys(doc *yaml.Node) []collectorKey {
	var out []collectorKey
	for _, p := range places(doc) {
		if p.key != nil && p.t == reflect.TypeFor[CollectorConfig]() {
			out = append(out, collectorKey{p.key.Value, p.path, p.line})
		}
	}
	return out
}
