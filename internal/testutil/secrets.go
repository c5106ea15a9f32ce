package testutil

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
)

// The secrets of the secret-hygiene tests. Each must show nowhere: not in
// the log (at debug level), /metrics, /probe, the landing page, the reload
// answers, error strings or --config.check's output.
const (
	SecretToken    = "ghp_secretsTestSENTINEL_5c9d0e1f2a3b"
	SecretAppToken = "ghs_installationSENTINEL_7e6d5c4b3a29"
	SecretPassword = "basicAuthSENTINEL_0b1c2d"
	SecretProxy    = "proxyPassSENTINEL_3e4f5a" // a proxy_url's password
)

var secretKey struct {
	once sync.Once
	pem  []byte
}

// SecretKeyPEM is a GitHub App private key made for the test run.
func SecretKeyPEM(t *testing.T) []byte {
	t.Helper()
	secretKey.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		secretKey.pem = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	})
	return secretKey.pem
}

// secretSentinels are the strings whose appearance means a leak: the
// tokens, and the private key whole, line by line, and its header (a key
// printed with other line breaks still shows lines of 20 characters).
func secretSentinels(t *testing.T) []string {
	t.Helper()
	keyPEM := SecretKeyPEM(t)
	out := []string{SecretToken, SecretAppToken, SecretPassword, SecretProxy, string(keyPEM), "PRIVATE KEY-----"}
	block, _ := pem.Decode(keyPEM)
	b64 := base64.StdEncoding.EncodeToString(block.Bytes)
	for i := 0; i+20 <= len(b64); i += 20 {
		out = append(out, b64[i:i+20])
	}
	return out
}

// AssertNoSecrets fails t when text shows one of the secrets above.
func AssertNoSecrets(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range secretSentinels(t) {
		if strings.Contains(text, s) {
			n := min(len(s), 24)
			t.Errorf("%s shows a secret (%q…):\n%s", what, s[:n], text)
			return
		}
	}
}
