package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// webConfigCert writes a self-signed certificate for 127.0.0.1 and its key
// into dir and returns the certificate's pool.
func webConfigCert(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "github-billing-exporter test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return pool
}

// --web.config.file with TLS and basic auth: the exporter process refuses
// /metrics without the password, or over plain HTTP, and serves it with the
// password over TLS.
func TestWebConfigTLSAndBasicAuth(t *testing.T) {
	t.Parallel() // waits on an exporter process of its own
	bin := e2eBuild(t)
	dir := t.TempDir()
	pool := webConfigCert(t, dir)
	const user, password = "prometheus", "s3cret-scrape-password"
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	content := "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\nbasic_auth_users:\n  " + user + ": " + string(hash) + "\n"
	if err := os.WriteFile(webConfig, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	addr := e2eFreePort(t)
	p := e2eStart(t, bin, []string{"--demo", "--web.listen-address=" + addr, "--web.config.file=" + webConfig}, password)
	exited := p.exited

	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	get := func(url string, auth bool, pass string) (int, string, error) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}

	base := "https://" + addr
	e2eWaitFor(t, exited, "an answer over TLS", func() (int, string, error) { return get(base+"/-/healthy", true, password) }, nil)

	for _, path := range []string{"/metrics", "/probe?target=acme-web", "/", "/-/reload"} {
		if code, _, err := get(base+path, false, ""); err != nil || code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d %v, want 401", path, code, err)
		}
		if code, _, err := get(base+path, true, "wrong-password"); err != nil || code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong password: %d %v, want 401", path, code, err)
		}
	}
	code, body, err := get(base+"/metrics", true, password)
	if err != nil || code != http.StatusOK {
		t.Fatalf("/metrics with the password: %d %v", code, err)
	}
	if !testutil.HasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="actions",scope="organization"} 1`) {
		t.Error("/metrics with the password lacks the demo's data")
	}

	// Plain HTTP gets no metrics.
	plain := &http.Client{Timeout: 10 * time.Second}
	if resp, err := plain.Get("http://" + addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(b), "github_billing_") {
			t.Errorf("plain HTTP /metrics: %d, served metrics", resp.StatusCode)
		}
	}
}

// The HTTP server's own messages (a TLS handshake that failed, here a
// plain-HTTP request to the TLS port) are logged like every other line, in
// logfmt, at debug level: port scanners and load-balancer checks cause them
// all day. The standard library's own format ("2026/12/02 10:00:00 http:
// TLS handshake error …") is never written.
func TestServerErrorsAreLoggedInTheLogFormat(t *testing.T) {
	t.Parallel() // waits on an exporter process of its own
	bin := e2eBuild(t)
	dir := t.TempDir()
	webConfigCert(t, dir)
	webConfig := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webConfig, []byte("tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := e2eFreePort(t)
	p := e2eStart(t, bin, []string{"--demo", "--web.listen-address=" + addr, "--web.config.file=" + webConfig, "--log.level=debug"})
	out, exited := p.out, p.exited
	e2eWaitFor(t, exited, "the listener", func() (int, string, error) {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get("http://" + addr + "/metrics")
		if err != nil {
			return 0, "", err
		}
		resp.Body.Close()
		return http.StatusOK, "", nil
	}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "TLS handshake error") {
		if time.Now().After(deadline) {
			t.Fatal("the failed handshake is not logged")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, "level=") {
			t.Errorf("a line not in logfmt: %s", line)
		}
		if strings.Contains(line, "TLS handshake error") && !strings.HasPrefix(line, "level=debug ") {
			t.Errorf("the handshake error is not at debug level: %s", line)
		}
	}
}
