package cluster

import "errors"

// Errors of a run (Run, Outcome).
var (
	// ErrMessageStorm is returned (in Outcome.Storm) when a run's events in
	// one window of simulated time pass what its configuration explains
	// many times over: a liveness failure, not a safety violation.
	ErrMessageStorm = errors.New("cluster: liveness failure: message storm")
	// ErrDivergentMembers is returned (in Outcome.Divergent) when two
	// members' HashKV at one revision differ: their stores applied
	// different histories (etcd's corruption check).
	ErrDivergentMembers = errors.New("cluster: divergent members")
	// ErrLostWrite is returned (in Outcome.LostWrite) when the leader's
	// store at the end of a run lacks a write a client was told succeeded.
	ErrLostWrite = errors.New("cluster: lost write")
)
