package main

import (
	"os"
	"testing"
)

// The demo makes up data and needs no token, but listens on loopback only
// unless told otherwise.
func TestDemoListensOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo"}, "127.0.0.1:9786"},
		{[]string{"--demo", "--web.listen-address=:9999"}, ":9999"},
		{[]string{"--web.listen-address=127.0.0.1:1234", "--demo"}, "127.0.0.1:1234"},
		{[]string{}, ":9786"},
	} {
		f, err := parseFlags(tc.args, os.Stdout, os.Stderr)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got := *f.web.WebListenAddresses; len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v: listens on %v, want [%s]", tc.args, got, tc.want)
		}
	}
}
