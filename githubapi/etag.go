package githubapi

import (
	"bytes"
	"container/list"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// defaultETagCacheBytes bounds the answers kept for conditional requests.
const defaultETagCacheBytes int64 = 32 << 20

// maxETagBody is the largest single answer kept. Larger ones (the usage
// report of a big enterprise) are streamed and never buffered, so they are
// fetched without If-None-Match.
const maxETagBody = 4 << 20

// etagCache remembers, per URL, the last ETag and body, so that a 304 Not
// Modified (which GitHub does not count against the rate limit) can be
// answered with the body it confirms. When full it drops the least recently
// used answers: URLs carry the billing month, so last month's answers are
// never asked for again and must make room for this month's.
type etagCache struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *etagEntry, by URL
	lru     *list.List               // front: most recently stored or used
	size    int64                    // sum of the entries' cost
	limit   int64
}

type etagEntry struct {
	url  string
	etag string
	body []byte
	// header holds the stored answer's headers that a 304 does not repeat
	// and the caller depends on (storedHeaders).
	header http.Header
}

// storedHeaders are the headers of a 200 kept with its body. RFC 9111
// §4.3.4 has a 304 update the stored answer's headers, not replace them: a
// 304 need not repeat Link, and without it pagination would end after the
// first page, successfully.
var storedHeaders = []string{"Link", "Content-Type"}

// cost is what an entry counts against the limit: its body, headers, URL and
// ETag, so that many empty answers cannot grow the cache without bound.
func (e *etagEntry) cost() int64 {
	n := len(e.url) + len(e.etag) + len(e.body)
	for k, vs := range e.header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return int64(n)
}

// storedHeader copies what storedHeaders names from h.
func storedHeader(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range storedHeaders {
		if vs := h.Values(k); len(vs) > 0 {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// mergeInto sets on h the stored headers that h lacks.
func (e *etagEntry) mergeInto(h http.Header) {
	for k, vs := range e.header {
		if _, ok := h[k]; !ok {
			h[k] = append([]string(nil), vs...)
		}
	}
}

func newETagCache(limit int64) *etagCache {
	if limit == 0 {
		limit = defaultETagCacheBytes
	}
	return &etagCache{entries: map[string]*list.Element{}, lru: list.New(), limit: limit}
}

func (c *etagCache) get(url string) (etagEntry, bool) {
	if c.limit < 0 {
		return etagEntry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[url]
	if !ok {
		return etagEntry{}, false
	}
	c.lru.MoveToFront(el)
	return *el.Value.(*etagEntry), true
}

// put stores an answer, replacing the URL's old one and dropping the least
// recently used others until it fits. An answer larger than the whole cache
// is not kept.
func (c *etagCache) put(url, etag string, header http.Header, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(url)
	e := &etagEntry{url: url, etag: etag, body: body, header: header}
	if e.cost() > c.limit {
		return
	}
	for c.size+e.cost() > c.limit {
		c.removeLocked(c.lru.Back().Value.(*etagEntry).url)
	}
	c.entries[url] = c.lru.PushFront(e)
	c.size += e.cost()
}

func (c *etagCache) forget(url string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(url)
}

func (c *etagCache) removeLocked(url string) {
	el, ok := c.entries[url]
	if !ok {
		return
	}
	c.size -= el.Value.(*etagEntry).cost()
	c.lru.Remove(el)
	delete(c.entries, url)
}

// capture reads up to maxETagBody of body. An answer that fits and is JSON
// is stored with its ETag and handed on from memory; a larger one is handed
// on as a stream (what was read, then the rest) and forgotten. A body that
// is not JSON is handed on and forgotten too: it fails to decode, and a 304
// confirming it would fail every later refresh the same way. The callers
// forget an answer whose JSON does not decode into what they expect.
func (c *etagCache) capture(url, etag string, header http.Header, body io.ReadCloser) io.ReadCloser {
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
	if json.Valid(head) {
		c.put(url, etag, storedHeader(header), head)
	} else {
		c.forget(url)
	}
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
