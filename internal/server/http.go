package server

import (
	stdlog "log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// The HTTP server's timeouts. A scrape is a GET without a body, so reading
// a request takes milliseconds; the answer's own deadline is set per
// request (Server.boundWrites), as a scrape may wait up to its timeout for
// data. An idle keep-alive connection is closed after idleTimeout: longer
// than a 1m scrape interval, so Prometheus keeps its connection, and short
// enough that thousands of idle connections (401 ones too) do not pile up
// until the file-descriptor limit.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 2 * time.Minute
)

// NewHTTPServer is the server for handler, with the timeouts above and its
// own messages (a failed TLS handshake, say) logged by logger.
func NewHTTPServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          stdlog.New(serverLogWriter{logger}, "", 0),
	}
}

// serverLogWriter takes net/http's log lines. A failed TLS handshake is
// logged at debug level (scanners and load-balancer checks cause them all
// day); anything else net/http says is an error.
type serverLogWriter struct{ logger *slog.Logger }

func (w serverLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(strings.TrimPrefix(string(p), "http: "))
	if strings.HasPrefix(msg, "TLS handshake error") {
		w.logger.Debug(msg)
	} else {
		w.logger.Error(msg)
	}
	return len(p), nil
}

// WebConfigAuthenticates says whether the web configuration file at path
// makes every caller authenticate: basic-auth users, or a TLS client
// certificate that is required and verified. A file that does not read
// counts as no: the toolkit refuses such requests anyway.
func WebConfigAuthenticates(path string) bool {
	if path == "" {
		return false
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var wc struct {
		BasicAuthUsers  map[string]string `yaml:"basic_auth_users"`
		TLSServerConfig struct {
			ClientAuth string `yaml:"client_auth_type"`
		} `yaml:"tls_server_config"`
	}
	if yaml.Unmarshal(raw, &wc) != nil {
		return false
	}
	return len(wc.BasicAuthUsers) > 0 || wc.TLSServerConfig.ClientAuth == "RequireAndVerifyClientCert"
}
