//go:build !race

package githubapi_test

const raceEnabled = false
