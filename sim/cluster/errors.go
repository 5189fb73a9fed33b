package cluster

import "errors"

// Errors of the end-of-run checks (CheckHashKV, CheckAckedWrites).
var (
	// ErrDivergentMembers is returned (by CheckHashKV) when two members'
	// HashKV at one revision differ: their stores applied different
	// histories (etcd's corruption check).
	ErrDivergentMembers = errors.New("cluster: divergent members")
	// ErrLostWrite is returned (by CheckAckedWrites) when the leader's
	// store at the end of a run lacks a write a client was told succeeded.
	ErrLostWrite = errors.New("cluster: lost write")
)
