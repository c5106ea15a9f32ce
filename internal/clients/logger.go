package clients

import (
	"io"
	"log/slog"

	"github.com/go-kit/log"
	"github.com/prometheus/common/promslog"
	slgk "github.com/tjhop/slog-gokit"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// NewLogger builds the go-kit log writer (logfmt or JSON) and bridges it to
// the *slog.Logger that every package takes. Every line is scrubbed of the
// secrets of every client BuildTargets has built by the time it is written.
func NewLogger(cfg promslog.Config, w io.Writer) *slog.Logger {
	out := log.NewSyncWriter(w)
	var base log.Logger
	if cfg.Format != nil && cfg.Format.String() == "json" {
		base = log.NewJSONLogger(out)
	} else {
		base = log.NewLogfmtLogger(out)
	}
	var level slog.Leveler
	if cfg.Level != nil {
		level = cfg.Level
	}
	return slog.New(githubapi.ScrubHandler(slgk.NewGoKitHandler(base, level), secrets))
}
