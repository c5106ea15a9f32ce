package clients

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/common/promslog"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// The logger is the go-kit writer behind slog, in logfmt or JSON.
func TestNewLogger(t *testing.T) {
	out := testutil.OutputFile(t)
	format := promslog.NewFormat()
	if err := format.Set("json"); err != nil {
		t.Fatal(err)
	}
	level := promslog.NewLevel()
	if err := level.Set("warn"); err != nil {
		t.Fatal(err)
	}
	logger := NewLogger(promslog.Config{Level: level, Format: format}, out)
	logger.Info("hidden")
	logger.Warn("shown", "account", "acme")
	lines := strings.Split(strings.TrimSpace(testutil.ReadOutput(t, out)), "\n")
	if len(lines) != 1 {
		t.Fatalf("log lines %q, want one (info filtered out)", lines)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("not JSON: %q", lines[0])
	}
	if entry["msg"] != "shown" || entry["account"] != "acme" {
		t.Errorf("entry = %v", entry)
	}

	out = testutil.OutputFile(t)
	NewLogger(promslog.Config{}, out).Info("plain", "k", "v")
	if got := testutil.ReadOutput(t, out); !strings.Contains(got, "msg=plain") || !strings.Contains(got, "k=v") {
		t.Errorf("logfmt line = %q", got)
	}
}
