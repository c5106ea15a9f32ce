package githubapi

import (
	"fmt"
	"net/url"
	"strings"
)

// Server is the kind of GitHub an API root serves: which endpoints it has.
type Server string

// The kinds of server. ServerUnknown is an API root that is none of the
// others, such as a test's fake GitHub.
const (
	ServerUnknown          Server = ""
	ServerGitHubCom        Server = "github.com"
	ServerGHECom           Server = "ghe.com"
	ServerEnterpriseServer Server = "enterprise-server"
)

// ParseServer is the kind of GitHub the API root u serves: name when it
// names a kind; else, for "" or "auto", told from u: api.github.com is
// github.com, a host under ghe.com is GHE.com, a path ending in /api/v3 is
// GitHub Enterprise Server, and anything else is unknown.
func ParseServer(name string, u *url.URL) (Server, error) {
	switch s := Server(name); s {
	case ServerGitHubCom, ServerGHECom, ServerEnterpriseServer:
		return s, nil
	}
	if name != "" && name != "auto" {
		return ServerUnknown, fmt.Errorf("%q is no server: use auto (the default: told from api_url), %s, %s or %s",
			name, ServerGitHubCom, ServerGHECom, ServerEnterpriseServer)
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	switch {
	case host == "api.github.com":
		return ServerGitHubCom, nil
	case strings.HasSuffix(host, ".ghe.com"):
		return ServerGHECom, nil
	case strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api/v3"):
		return ServerEnterpriseServer, nil
	}
	return ServerUnknown, nil
}
