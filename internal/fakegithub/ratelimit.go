package fakegithub

import (
	"net/http"
	"strconv"
	"time"
)

// SetRateLimitRemaining sets how many requests the answers' rate-limit
// headers say are left; each request takes one, and the answer that takes
// the last says 0, after which a client stops until the reset (the next full
// hour). The next request is refused with 403, as GitHub refuses it; the
// one after it starts again from 4,999. A value above 5,000
// keeps a long benchmark off the limit.
func (s *Server) SetRateLimitRemaining(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remaining = n
}

// takeRequest counts a request against the limit, under s.mu: whether it is
// refused, and how many remain after it.
func (s *Server) takeRequest() (exhausted bool, remaining int) {
	s.remaining--
	// As GitHub does, the request after the answer that said 0 remain is
	// refused. A client that sent it while that answer was on its way
	// stops on the refusal; the one after it starts a new hour at 4,999.
	exhausted = s.remaining == -1
	if s.remaining < -1 {
		s.remaining = 4999
	}
	return exhausted, max(s.remaining, 0)
}

// setRateLimitHeaders writes GitHub's rate-limit headers: remaining of
// 5,000 left until the next full hour of now.
func setRateLimitHeaders(h http.Header, remaining int, now func() time.Time) {
	h.Set("X-Ratelimit-Limit", "5000")
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Used", strconv.Itoa(5000-remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(now().Add(time.Hour).Truncate(time.Hour).Unix(), 10))
	h.Set("X-Ratelimit-Resource", "core")
}
