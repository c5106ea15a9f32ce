package githubapi

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// checkETagSize fails when the cache's size is not the sum of its entries'
// costs, or its map and recency list disagree.
func checkETagSize(t *testing.T, c *etagCache) {
	t.Helper()
	var sum int64
	for url, el := range c.entries {
		e := el.Value.(*etagEntry)
		if e.url != url {
			t.Errorf("entry under %q is for %q", url, e.url)
		}
		sum += e.cost()
	}
	if c.size != sum {
		t.Errorf("size = %d, entries cost %d", c.size, sum)
	}
	if c.lru.Len() != len(c.entries) {
		t.Errorf("%d in the recency list, %d in the map", c.lru.Len(), len(c.entries))
	}
	if c.size > c.limit {
		t.Errorf("size %d over the limit %d", c.size, c.limit)
	}
}

func etagURL(i int) string { return fmt.Sprintf("https://api.github.com/u/%02d", i) }

// A full cache makes room for a new URL by dropping the least recently used
// one, and a URL read recently survives.
func TestETagCacheEvictsLeastRecentlyUsed(t *testing.T) {
	body := []byte(strings.Repeat("x", 70))
	cost := (&etagEntry{url: etagURL(0), etag: `"e"`, body: body}).cost() // 100
	c := newETagCache(5 * cost)
	for i := range 5 {
		c.put(etagURL(i), `"e"`, nil, body)
	}
	checkETagSize(t, c)
	if len(c.entries) != 5 || c.size != 5*cost {
		t.Fatalf("%d entries of %d bytes after filling, want 5 of %d", len(c.entries), c.size, 5*cost)
	}

	c.put(etagURL(5), `"e"`, nil, body)
	checkETagSize(t, c)
	if _, ok := c.get(etagURL(5)); !ok {
		t.Error("the new URL was not stored")
	}
	if _, ok := c.get(etagURL(0)); ok {
		t.Error("the oldest URL is still there")
	}

	// u01 is now the oldest; reading it makes u02 the one to go.
	if _, ok := c.get(etagURL(1)); !ok {
		t.Fatal("u01 is gone")
	}
	c.put(etagURL(6), `"e"`, nil, body)
	checkETagSize(t, c)
	if _, ok := c.get(etagURL(1)); !ok {
		t.Error("u01, read just before, was evicted")
	}
	if _, ok := c.get(etagURL(2)); ok {
		t.Error("u02, the least recently used, is still there")
	}

	// A bigger answer evicts as many as it needs.
	c.put(etagURL(7), `"e"`, nil, []byte(strings.Repeat("y", int(3*cost)-len(etagURL(7))-3)))
	checkETagSize(t, c)
	if len(c.entries) != 3 {
		t.Errorf("%d entries after a 3-slot answer, want 3", len(c.entries))
	}
}

func TestETagCacheSizeAccounting(t *testing.T) {
	c := newETagCache(1000)
	c.put(etagURL(1), `"a"`, nil, []byte("0123456789"))
	c.put(etagURL(1), `"b"`, nil, []byte("01234")) // replaces, does not add
	checkETagSize(t, c)
	if e, ok := c.get(etagURL(1)); !ok || e.etag != `"b"` || string(e.body) != "01234" {
		t.Errorf("after replacing: %+v, %v", e, ok)
	}
	c.put(etagURL(2), `"c"`, nil, nil)
	c.forget(etagURL(1))
	c.forget(etagURL(9)) // not there
	checkETagSize(t, c)
	if len(c.entries) != 1 {
		t.Errorf("%d entries, want 1", len(c.entries))
	}
	// An answer larger than the whole cache is not kept, and the URL's old
	// answer (no longer current) is dropped with it.
	c.put(etagURL(2), `"d"`, nil, make([]byte, 1000))
	checkETagSize(t, c)
	if _, ok := c.get(etagURL(2)); ok || c.size != 0 {
		t.Errorf("an oversized answer was kept, or its URL's old one: size %d", c.size)
	}
}

// Empty answers cost their URL and ETag: a flood of them stays bounded.
func TestETagCacheBoundsEmptyBodies(t *testing.T) {
	c := newETagCache(1000)
	for i := range 1000 {
		c.put(etagURL(i), `"e"`, nil, nil)
	}
	checkETagSize(t, c)
	if n := len(c.entries); n == 0 || n > 1000/len(etagURL(0)) {
		t.Errorf("%d empty answers kept in 1000 bytes", n)
	}
}

// capture keeps JSON only; anything else would be confirmed by a 304 and
// fail every refresh after it.
func TestETagCaptureSkipsBodiesThatAreNotJSON(t *testing.T) {
	c := newETagCache(0)
	for body, keep := range map[string]bool{`{"a": 1}`: true, `{"a": `: false, `not json`: false, ``: false} {
		c.put(etagURL(1), `"old"`, nil, []byte(`{}`))
		r := c.capture(etagURL(1), `"new"`, nil, io.NopCloser(strings.NewReader(body)))
		got, err := io.ReadAll(r)
		if err != nil || string(got) != body {
			t.Errorf("%q handed on as %q, %v", body, got, err)
		}
		e, ok := c.get(etagURL(1))
		switch {
		case keep && (!ok || e.etag != `"new"`):
			t.Errorf("%q: not stored (%+v, %v)", body, e, ok)
		case !keep && ok:
			t.Errorf("%q: cache holds %+v, want nothing for the URL", body, e)
		}
		checkETagSize(t, c)
	}
}
