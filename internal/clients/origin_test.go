package clients

import (
	"bufio"
	"crypto/tls"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// sniffListener serves TLS and plaintext HTTP on one port: a connection
// whose first byte starts a TLS handshake (0x16) is wrapped in TLS, any other
// is served in the clear. A redirect from https://HOST:PORT to
// http://HOST:PORT then reaches the same server, which records what arrives
// in the clear.
type sniffListener struct {
	net.Listener
	tls *tls.Config
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (l sniffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	pc := &peekedConn{Conn: c, r: bufio.NewReader(c)}
	if first, err := pc.r.Peek(1); err == nil && first[0] == 0x16 {
		return tls.Server(pc, l.tls), nil
	}
	return pc, nil
}

// originFake is a GitHub API over TLS on 127.0.0.1 whose port also speaks
// plaintext HTTP. plain records the Authorization header of every plaintext
// request.
type originFake struct {
	url    string // https://127.0.0.1:PORT
	caFile string
	mu     sync.Mutex
	plain  []string
}

func startOriginFake(t *testing.T, tlsHandler http.HandlerFunc) *originFake {
	t.Helper()
	// httptest makes the certificate (for 127.0.0.1) and its TLS config.
	certSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	certSrv.StartTLS()
	tlsCfg := certSrv.TLS.Clone()
	cert := certSrv.Certificate()
	certSrv.Close()
	f := &originFake{caFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(f.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.url = "https://" + ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			tlsHandler(w, r)
			return
		}
		f.mu.Lock()
		f.plain = append(f.plain, r.Header.Get("Authorization"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"total_gigabytes_bandwidth_used": 4, "total_paid_gigabytes_bandwidth_used": 0, "included_gigabytes_bandwidth": 10}`)) //nolint:errcheck // test
	})}
	go srv.Serve(sniffListener{Listener: ln, tls: tlsCfg}) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return f
}

func (f *originFake) plaintext() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.plain...)
}

// originClient builds the credential's client as both commands do, trusting the
// fake's certificate.
func originClient(t *testing.T, apiURL, caFile string) *githubapi.Client {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := "github: {api_url: \"" + apiURL + "\", token_file: token, credential: main, tls_config: {ca_file: \"" + caFile + "\"}}\norganizations: [{name: acme-web}]\n"
	cfg, err := config.Parse(filepath.Join(dir, "c.yml"), []byte(yml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	targets, err := BuildTargets(cfg, githubapi.Options{Retries: githubapi.RetryPolicy{Max: 0, Base: 1, Cap: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return targets[0].Client
}

// A 302 from the configured https:// API to http:// on the same
// host and port must not carry the token in the clear.
func TestOriginRedirectHTTPSToHTTPSameHostKeepsToken(t *testing.T) {
	var fake *originFake
	fake = startOriginFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testutil.Token {
			http.Error(w, "no token over TLS", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "http://"+strings.TrimPrefix(fake.url, "https://")+r.URL.Path, http.StatusFound)
	})
	client := originClient(t, fake.url, fake.caFile)
	client.PackagesBilling(t.Context(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}) //nolint:errcheck // only what travelled matters
	plain := fake.plaintext()
	if len(plain) == 0 {
		t.Fatal("the redirect to http:// was not followed; the test shows nothing")
	}
	for _, auth := range plain {
		if auth != "" {
			t.Errorf("plaintext request carried Authorization %q", auth)
		}
	}
}
