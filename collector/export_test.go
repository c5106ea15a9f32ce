package collector

// The shapes the declarations are checked on (requests_test.go), for the
// tests of package collector_test.
var (
	DeclEnterprise   = declEnterprise
	DeclOrganization = declOrganization
	DeclUser         = declUser
)
