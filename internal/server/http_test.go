package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveOn serves hs on a loopback listener whose accepted connections have
// a send buffer of sendBuffer bytes (0: the system's), and returns its
// address.
func serveOn(t *testing.T, hs *http.Server, sendBuffer int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(smallBuffers{ln, sendBuffer})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		hs.Close()
	})
	return ln.Addr().String()
}

type smallBuffers struct {
	net.Listener
	size int
}

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok && l.size > 0 {
		tc.SetWriteBuffer(l.size)
	}
	return c, err
}

// The server closes idle keep-alive connections. 200 connections that each
// made one request and then sat idle are all closed by the server (read
// gives EOF) well within the 10 s this test waits, with the idle timeout
// set to 300 ms here; scrapes keep answering meanwhile. Without an idle
// timeout they would stay open for good, until the file-descriptor limit.
func TestIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel() // mostly waiting: it overlaps the other waiting tests
	env := newFaultEnv(t, faultOptions{})
	hs := NewHTTPServer(env.srv.Handler(), slog.New(slog.DiscardHandler))
	if hs.IdleTimeout != 2*time.Minute || hs.ReadTimeout != 30*time.Second || hs.ReadHeaderTimeout != 10*time.Second {
		t.Errorf("timeouts idle %v, read %v, read header %v; want 2m, 30s, 10s", hs.IdleTimeout, hs.ReadTimeout, hs.ReadHeaderTimeout)
	}
	hs.IdleTimeout = 300 * time.Millisecond
	addr := serveOn(t, hs, 0)

	const idle = 200
	conns := make([]net.Conn, 0, idle)
	for i := range idle {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		path := "/-/healthy"
		if i%2 == 1 {
			path = "/nothing-here" // a 404 keeps its connection too
		}
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: exporter\r\n\r\n", path)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		conns = append(conns, c)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a scrape beside the idle connections: %v %v", resp, err)
	}
	resp.Body.Close()

	closed := 0
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range conns {
		c.SetReadDeadline(deadline)
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, io.EOF) {
			closed++
		}
	}
	if closed != idle {
		t.Errorf("%d of %d idle connections closed by the server, want all", closed, idle)
	}
}

// A client that asks for /metrics and never reads the answer holds its
// --web.max-requests slot only until the answer's write deadline: with one
// slot and a write timeout of 1.5 s here, another scraper is refused while the
// slot is held and answered once the deadline has passed (not 503 for as
// long as the slow reader likes).
func TestSlowReaderFreesItsSlot(t *testing.T) {
	t.Parallel() // mostly waiting: it overlaps the other waiting tests
	env := newFaultEnv(t, faultOptions{})
	env.scrape(t, 0) // a warm cache: the answer is written at once
	cfg := env.srv.conf
	cfg.MaxRequests = 1
	// Long enough that a loaded machine still sees the slot held: the
	// refusal takes a few milliseconds once the slow reader's answer has
	// begun, which leaves over a second of margin, and the test asks for
	// it for as long as the slot may be held.
	cfg.WriteTimeout = 1500 * time.Millisecond
	srv := New(cfg)
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	addr := serveOn(t, NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler)), 4096)
	code, body := scrapeOnce(t, addr)
	if code != http.StatusOK || len(body) < 64<<10 {
		t.Fatalf("a scrape: %d, %d bytes; want 200 and more than the 64 KiB of socket buffers", code, len(body))
	}

	slow := holdTheSlot(t, addr)
	defer slow.Close()
	// The slow reader's answer has begun and cannot end until it reads
	// more, so the slot stays held until the write timeout: someone else
	// is refused. Asked for as long as the slot may be held, so that a
	// pause of the test itself cannot make it miss the window.
	refused := false
	for held := time.Now().Add(cfg.WriteTimeout); time.Now().Before(held); {
		if code, _ := scrapeOnce(t, addr); code == http.StatusServiceUnavailable {
			refused = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !refused {
		t.Fatal("the slow reader held the only slot, yet nobody was refused")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := scrapeOnce(t, addr)
		if code == http.StatusOK && strings.Contains(body, "github_billing_") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slot is still held after 20 s: %d", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// holdTheSlot opens a connection that asks for /metrics and reads nothing
// past the status line, and returns it once the server has begun to answer
// it with 200. An earlier connection can still hold the only slot when this
// one arrives (it is then refused with 503), so it tries again until its own
// answer has begun.
func holdTheSlot(t *testing.T, addr string) net.Conn {
	t.Helper()
	for range 100 {
		slow, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		slow.(*net.TCPConn).SetReadBuffer(4096)
		fmt.Fprint(slow, "GET /metrics HTTP/1.1\r\nHost: exporter\r\n\r\n")
		// One byte at a time, so that nothing past the status line leaves
		// the socket buffers.
		var line []byte
		b := make([]byte, 1)
		for !bytes.HasSuffix(line, []byte("\r\n")) {
			if _, err := slow.Read(b); err != nil {
				t.Fatalf("the slow reader's status line: %v", err)
			}
			line = append(line, b[0])
		}
		if bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
			return slow
		}
		slow.Close()
		if !bytes.HasPrefix(line, []byte("HTTP/1.1 503 ")) {
			t.Fatalf("the slow reader's status line: %q", line)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the slow reader was refused 100 times")
	return nil
}

func scrapeOnce(t *testing.T, addr string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Which web configurations make callers authenticate, so that the reload
// endpoint may tell them the configuration's error.
func TestWebConfigAuthenticates(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]bool{
		"": false,
		"tls_server_config: {cert_file: a, key_file: b}\n":                                               false,
		"basic_auth_users: {prometheus: $2y$10$abc}\n":                                                   true,
		"tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}\n": true,
		"tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequestClientCert}\n":          false,
		"basic_auth_users: [not, a, map]\n":                                                              false,
	} {
		path := filepath.Join(dir, "web.yml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := WebConfigAuthenticates(path); got != want {
			t.Errorf("%q: %v, want %v", content, got, want)
		}
	}
	if WebConfigAuthenticates("") || WebConfigAuthenticates(filepath.Join(dir, "missing.yml")) {
		t.Error("no file, or a missing one, authenticates nobody")
	}
}

// A scrape that its client abandons mid-refresh (a cold cache, GitHub slow)
// does not flood the log: the refresh goes on without it, for the next
// scrape, and nothing of it is an error.
func TestAbortedScrapeLogsNoErrors(t *testing.T) {
	t.Parallel() // mostly waiting: it overlaps the other waiting tests
	env := newFaultEnv(t, faultOptions{})
	// Each answer takes 100 ms: the refresh of the cold cache, dozens of
	// requests four at a time, lasts over a second. The scrape is abandoned
	// as soon as its refresh has asked GitHub.
	env.fake.SetLatency(100 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		defer cancel()
		for env.fake.TotalRequests() == 0 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env.http.URL+"/metrics", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the scrape was not aborted")
	}
	cancel()
	// The next scrape waits for the refresh the aborted one started.
	env.scrape(t, 30*time.Second)
	for line := range strings.SplitSeq(env.logText(t), "\n") {
		if strings.HasPrefix(line, "level=error") {
			t.Errorf("an aborted scrape logged an error: %s", line)
		}
	}
}
