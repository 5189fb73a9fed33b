// Package proptest runs rapid property tests on a fixed, printed seed, so
// that the same code always passes or fails the same way. It is test
// infrastructure shared by every package with property tests; it lives
// under testdata because the top-level packages are fixed and mvcc and
// raftimpl may import nothing of the simulator's.
//
// By default a property test runs a fixed number of checks from seed 1:
// rapid (pgregory.net/rapid v1.3.0, engine.go findBug) runs check k on
// seed base + k(k+1)/2, so the base seed and the count fix every case.
// -rapid.seed (or RAPID_SEED) replays a failure; ETCDSIM_RAPID_EXPLORE=1
// draws a fresh seed for an exploratory run; -rapid.checks (or
// RAPID_CHECKS) overrides the count.
package proptest

import (
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// ExploreEnv names the environment variable that, set to anything but "",
// makes Check draw a fresh seed instead of SeedFixed.
const ExploreEnv = "ETCDSIM_RAPID_EXPLORE"

// SeedFixed is the seed property tests start from by default.
const SeedFixed = 1

// Check is rapid.Check on a seed it prints: -rapid.seed (or RAPID_SEED)
// when given, to replay; else a fresh one when ExploreEnv is set; else
// SeedFixed. It runs checks checks unless -rapid.checks (or RAPID_CHECKS)
// says otherwise. rapid reads both from its flags only, so Check sets them
// until the test ends: it MUST NOT run in parallel tests.
func Check(t *testing.T, checks int, prop func(*rapid.T)) {
	t.Helper()
	seed, how := flag.Lookup("rapid.seed").Value.String(), "given"
	switch {
	case seed != "0":
	case os.Getenv(ExploreEnv) != "":
		seed, how = strconv.FormatUint(rand.Uint64N(1<<32)+1, 10), "fresh"
	default:
		seed, how = strconv.Itoa(SeedFixed), "fixed"
	}
	_, given := os.LookupEnv("RAPID_CHECKS")
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "rapid.checks" })
	if given {
		checks, _ = strconv.Atoi(flag.Lookup("rapid.checks").Value.String())
	}
	setFlag(t, "rapid.seed", seed)
	setFlag(t, "rapid.checks", strconv.Itoa(checks))
	t.Logf("rapid: %s seed %s, %d checks (replay: -rapid.seed=%s -rapid.checks=%d; "+
		"%s=1 for a fresh seed)", how, seed, checks, seed, checks, ExploreEnv)
	rapid.Check(t, prop)
}

// setFlag sets one of rapid's flags until the test ends.
func setFlag(t *testing.T, name, value string) {
	f := flag.Lookup(name)
	was := f.Value.String()
	if err := f.Value.Set(value); err != nil {
		t.Fatalf("rapid: -%s=%s: %v", name, value, err)
	}
	t.Cleanup(func() { _ = f.Value.Set(was) }) // was parsed before
}
