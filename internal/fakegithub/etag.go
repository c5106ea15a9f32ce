package fakegithub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
)

// serveWithETag answers r with h's answer, giving a successful one an ETag
// (a hash of its body) and answering 304 Not Modified to a matching
// If-None-Match, as GitHub does.
func serveWithETag(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := newRecorder()
	h.ServeHTTP(rec, r)
	if rec.code == http.StatusOK {
		sum := sha256.Sum256(rec.body.Bytes())
		etag := `"` + hex.EncodeToString(sum[:16]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			// A strict 304 (RFC 9110 §15.4.5): the validator and the
			// server's own headers (rate limits), nothing of the
			// representation, so neither Link nor Content-Type. The
			// client must take those from the answer it stored.
			for _, k := range []string{"Cache-Control", "Expires", "Vary"} {
				if v, ok := rec.header[k]; ok {
					w.Header()[k] = v
				}
			}
			w.Header().Set("ETag", etag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		defer func() { w.Write(rec.body.Bytes()) }() //nolint:errcheck // client gone
		maps.Copy(w.Header(), rec.header)
		w.Header().Set("ETag", etag)
		w.WriteHeader(rec.code)
		return
	}
	maps.Copy(w.Header(), rec.header)
	w.WriteHeader(rec.code)
	w.Write(rec.body.Bytes()) //nolint:errcheck // client gone
}

// recorder holds a handler's answer in memory, so that its body can be
// hashed before anything is sent. Like net/http, it answers 200 when the
// handler sets no status, and gives a body without a Content-Type the
// sniffed one.
type recorder struct {
	header      http.Header
	body        bytes.Buffer
	code        int
	wroteHeader bool
}

func newRecorder() *recorder {
	return &recorder{header: http.Header{}, code: http.StatusOK}
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader {
		return
	}
	r.code = code
	r.wroteHeader = true
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		if _, ok := r.header["Content-Type"]; !ok && r.header.Get("Transfer-Encoding") == "" {
			r.header.Set("Content-Type", http.DetectContentType(b))
		}
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(b)
}
