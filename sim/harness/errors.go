package harness

import "errors"

// Errors of a run (Run, Outcome).
var (
	// ErrMessageStorm is returned (in Outcome.Storm) when a run's events in
	// one window of simulated time pass what its configuration explains
	// many times over: a liveness failure, not a safety violation.
	ErrMessageStorm = errors.New("harness: liveness failure: message storm")
)
