package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// POST is the only method /-/reload takes.
func TestReloadMethods(t *testing.T) {
	env := newMainTestEnv(t, "organizations: [{name: acme-web}]\n", mainTestOptions{})
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead} {
		code, header, _ := env.get(t, method, "/-/reload", nil)
		if code != http.StatusMethodNotAllowed || header.Get("Allow") != http.MethodPost {
			t.Errorf("%s /-/reload: %d, Allow %q; want 405 and Allow: POST", method, code, header.Get("Allow"))
		}
	}
	if !strings.Contains(env.log.String(), "configuration loaded") || strings.Count(env.log.String(), "configuration loaded") != 1 {
		t.Errorf("a refused method reloaded the configuration:\n%s", env.log)
	}
}

// A reload that drops an account with a credential of its own also drops
// that credential's rate-limit series; one that adds it back brings them
// back.
func TestReloadDropsRemovedCredentials(t *testing.T) {
	env := newMainTestEnv(t, "organizations:\n  - name: acme-web\n  - name: acme-data\n    github: {credential: data}\n", mainTestOptions{})
	dataLimit := `github_billing_api_rate_limit_remaining{credential="data",resource="core"}`
	if body := env.metrics(t); !hasLine(body, dataLimit) {
		t.Fatalf("/metrics lacks %s", dataLimit)
	}
	env.writeConfig(t, "organizations: [{name: acme-web}]\n")
	if code, _, body := env.get(t, http.MethodPost, "/-/reload", nil); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	body := env.metrics(t)
	if hasLine(body, dataLimit) || strings.Contains(body, `account="acme-data"`) {
		t.Error("the removed account or its credential is still on /metrics")
	}
	if _, _, landing := env.get(t, http.MethodGet, "/", nil); strings.Contains(landing, "acme-data") {
		t.Error("the landing page still lists the removed account")
	}
	if code, _, _ := env.get(t, http.MethodGet, "/probe?target=acme-data", nil); code != http.StatusBadRequest {
		t.Errorf("/probe of the removed account: %d, want 400", code)
	}
}

// reloadProcess is the built exporter running against a fake GitHub with a
// configuration file the test rewrites.
type reloadProcess struct {
	cmd     *exec.Cmd
	exited  chan error
	out     *syncBuffer
	base    string
	cfgFile string
	apiURL  string
}

func startReloadProcess(t *testing.T, accountsYAML string, tokenMode os.FileMode) *reloadProcess {
	t.Helper()
	bin := e2eBuild(t)
	fake := fakegithub.Start(t, mainTestDataset())
	fake.RequireToken(mainTestToken)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(mainTestToken), tokenMode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tokenFile, tokenMode); err != nil {
		t.Fatal(err)
	}
	p := &reloadProcess{exited: make(chan error, 1), out: &syncBuffer{}, cfgFile: filepath.Join(dir, "exporter.yml"), apiURL: fake.URL}
	p.write(t, accountsYAML)
	addr := e2eFreePort(t)
	p.base = "http://" + addr
	args := []string{"--config.file=" + p.cfgFile, "--web.listen-address=" + addr, "--collector.disable-defaults"}
	for _, c := range legacyCollectorNames {
		args = append(args, "--collector."+c)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("exporter output:\n%s", p.out)
		}
		if strings.Contains(p.out.String(), mainTestToken) {
			t.Error("the exporter's log shows the token")
		}
	})
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

func (p *reloadProcess) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// SIGHUP reloads the configuration of the running binary: accounts added
// appear, removed ones disappear, a bad file keeps the running
// configuration and sets the reload gauge to 0; SIGTERM still stops it.
func TestReloadOnSIGHUP(t *testing.T) {
	p := startReloadProcess(t, "organizations: [{name: acme-web}]\n", 0o644)
	web := `github_billing_actions_used_seconds{account="acme-web",scope="organization"} 18300`
	data := `github_billing_actions_used_seconds{account="acme-data",scope="organization"} 600`
	body := p.waitFor(t, "acme-web's data", func(b string) bool { return hasLine(b, web) }, "/metrics")
	if !hasLine(body, "github_billing_config_last_reload_successful 1") {
		t.Error("reload gauge is not 1 at start")
	}
	p.waitForOutput(t, "a warning at start about the token file every user can read", "level=warn", "readable by every user")

	// Bad file: the running configuration stays, the gauge says 0.
	p.write(t, "organizations: [{name: acme-data}]\nrefresh_intervall: 5m\n")
	p.signal(t, syscall.SIGHUP)
	body = p.waitFor(t, "reload gauge 0", func(b string) bool { return hasLine(b, "github_billing_config_last_reload_successful 0") }, "/metrics")
	if !hasLine(body, web) || strings.Contains(body, `account="acme-data"`) {
		t.Error("a bad reload did not keep the running configuration")
	}
	p.waitForOutput(t, "the failed reload logged with its reason", "configuration reload failed", "refresh_intervall")

	// Fixed, with acme-data instead of acme-web.
	p.write(t, "organizations: [{name: acme-data}]\nusers: [{name: octocat}]\n")
	p.signal(t, syscall.SIGHUP)
	body = p.waitFor(t, "the new accounts", func(b string) bool {
		return hasLine(b, "github_billing_config_last_reload_successful 1") && hasLine(b, data)
	}, "/metrics")
	if strings.Contains(body, `account="acme-web"`) {
		t.Error("/metrics still has series of the removed account")
	}
	if !hasLine(body, `github_billing_endpoint_retired{account="octocat",collector="actions",scope="user"} 1`) {
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
	body = p.waitFor(t, "acme-web again", func(b string) bool { return hasLine(b, web) }, "/metrics")
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
