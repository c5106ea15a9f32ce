package githubapi

import (
	"bytes"
	"io"
	"sync"
)

// DefaultETagCacheBytes bounds the answers kept for conditional requests.
const DefaultETagCacheBytes int64 = 32 << 20

// maxETagBody is the largest single answer kept. Larger ones (the usage
// report of a big enterprise) are streamed and never buffered, so they are
// fetched without If-None-Match.
const maxETagBody = 4 << 20

// etagCache remembers, per URL, the last ETag and body, so that a 304 Not
// Modified (which GitHub does not count against the rate limit) can be
// answered with the body it confirms.
type etagCache struct {
	mu      sync.Mutex
	entries map[string]etagEntry
	size    int64
	limit   int64
}

type etagEntry struct {
	etag string
	body []byte
}

func newETagCache(limit int64) *etagCache {
	if limit == 0 {
		limit = DefaultETagCacheBytes
	}
	return &etagCache{entries: map[string]etagEntry{}, limit: limit}
}

func (c *etagCache) get(url string) (etagEntry, bool) {
	if c.limit < 0 {
		return etagEntry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[url]
	return e, ok
}

func (c *etagCache) put(url string, e etagEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.entries[url]
	c.size -= int64(len(old.body))
	delete(c.entries, url)
	if c.size+int64(len(e.body)) > c.limit {
		return
	}
	c.entries[url] = e
	c.size += int64(len(e.body))
}

func (c *etagCache) forget(url string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.size -= int64(len(c.entries[url].body))
	delete(c.entries, url)
}

// capture reads up to maxETagBody of body. An answer that fits is stored with
// its ETag and handed on from memory; a larger one is handed on as a stream
// (what was read, then the rest) and forgotten.
func (c *etagCache) capture(url, etag string, body io.ReadCloser) io.ReadCloser {
	if c.limit < 0 {
		return body
	}
	head, err := io.ReadAll(io.LimitReader(body, maxETagBody+1))
	if err != nil || len(head) > maxETagBody {
		c.forget(url)
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), errReader{err}, body), body}
	}
	body.Close()
	c.put(url, etagEntry{etag: etag, body: head})
	return io.NopCloser(bytes.NewReader(head))
}

// errReader replays a read error after the bytes read before it.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}
