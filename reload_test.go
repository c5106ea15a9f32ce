package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// reloadProcess is the built exporter running against a fake GitHub with a
// configuration file the test rewrites.
type reloadProcess struct {
	*e2eProcess
	base    string
	cfgFile string
	apiURL  string
}

func startReloadProcess(t *testing.T, accountsYAML string, tokenMode os.FileMode) *reloadProcess {
	t.Helper()
	bin := e2eBuild(t)
	fake := fakegithubtest.Start(t, testutil.Dataset())
	fake.RequireToken(testutil.Token)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testutil.Token), tokenMode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tokenFile, tokenMode); err != nil {
		t.Fatal(err)
	}
	p := &reloadProcess{cfgFile: filepath.Join(dir, "exporter.yml"), apiURL: fake.URL}
	p.write(t, accountsYAML)
	addr := e2eFreePort(t)
	p.base = "http://" + addr
	args := []string{"--config.file=" + p.cfgFile, "--web.listen-address=" + addr, "--collector.disable-defaults"}
	for _, c := range testutil.LegacyCollectors {
		args = append(args, "--collector."+c)
	}
	p.e2eProcess = e2eStart(t, bin, args, testutil.Token)
	p.waitFor(t, "ready", func(string) bool { return true }, "/-/ready")
	return p
}

func (p *reloadProcess) write(t *testing.T, accountsYAML string) {
	t.Helper()
	content := "github: {api_url: \"" + p.apiURL + "\", token_file: token}\n" + accountsYAML
	if err := os.WriteFile(p.cfgFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls path until ok accepts its 200 answer, for up to 30 s.
func (p *reloadProcess) waitFor(t *testing.T, what string, ok func(body string) bool, path string) string {
	t.Helper()
	return e2eWaitFor(t, p.exited, what, func() (int, string, error) { return e2eGet(p.base + path) }, ok)
}

// waitForOutput waits up to 10 s for the process's output to hold every
// one of wants. The process writes its log to a pipe that os/exec copies
// into p.out on a goroutine of its own, so a line written before an HTTP
// answer can reach p.out after the test has read that answer.
func (p *reloadProcess) waitForOutput(t *testing.T, what string, wants ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := p.out.String()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 10s: the output lacks %q", what, missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SIGHUP reloads the configuration of the running binary: accounts added
// appear, removed ones disappear, a bad file keeps the running
// configuration and sets the reload gauge to 0; SIGTERM still stops it.
func TestReloadOnSIGHUP(t *testing.T) {
	t.Parallel() // waits on an exporter process of its own
	p := startReloadProcess(t, "organizations: [{name: acme-web}]\n", 0o644)
	web := `github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`
	data := `github_billing_actions_used_seconds{account="acme-data",scope="organization"} 600`
	body := p.waitFor(t, "acme-web's data", func(b string) bool { return testutil.HasLine(b, web) }, "/metrics")
	if !testutil.HasLine(body, "github_billing_config_last_reload_successful 1") {
		t.Error("reload gauge is not 1 at start")
	}
	p.waitForOutput(t, "a warning at start about the token file every user can read", "level=warn", "readable by every user")

	// Bad file: the running configuration stays, the gauge says 0.
	p.write(t, "organizations: [{name: acme-data}]\nrefresh_intervall: 5m\n")
	p.signal(t, syscall.SIGHUP)
	body = p.waitFor(t, "reload gauge 0", func(b string) bool { return testutil.HasLine(b, "github_billing_config_last_reload_successful 0") }, "/metrics")
	if !testutil.HasLine(body, web) || strings.Contains(body, `account="acme-data"`) {
		t.Error("a bad reload did not keep the running configuration")
	}
	p.waitForOutput(t, "the failed reload logged with its reason", "configuration reload failed", "refresh_intervall")

	// Fixed, with acme-data instead of acme-web.
	p.write(t, "organizations: [{name: acme-data}]\nusers: [{name: octocat}]\n")
	p.signal(t, syscall.SIGHUP)
	body = p.waitFor(t, "the new accounts", func(b string) bool {
		return testutil.HasLine(b, "github_billing_config_last_reload_successful 1") && testutil.HasLine(b, data)
	}, "/metrics")
	if strings.Contains(body, `account="acme-web"`) {
		t.Error("/metrics still has series of the removed account")
	}
	if !testutil.HasLine(body, `github_billing_endpoint_retired{account="octocat",collector="actions",scope="user"} 1`) {
		t.Error("/metrics lacks the added user")
	}
	if _, landing, err := e2eGet(p.base + "/"); err != nil || !strings.Contains(landing, "acme-data") || strings.Contains(landing, "acme-web") {
		t.Errorf("the landing page does not follow the reload (%v)", err)
	}

	// POST /-/reload on the binary as well.
	p.write(t, "organizations: [{name: acme-web}]\n")
	resp, err := http.Post(p.base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST /-/reload: %d", resp.StatusCode)
	}
	body = p.waitFor(t, "acme-web again", func(b string) bool { return testutil.HasLine(b, web) }, "/metrics")
	if strings.Contains(body, `account="acme-data"`) {
		t.Error("/metrics still has acme-data after POST /-/reload")
	}

	p.signal(t, syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
}
