//go:build race

package githubapi_test

// raceEnabled: the race detector's instrumentation allocates on its own, so
// allocation figures measured under it say nothing about the code.
const raceEnabled = true
