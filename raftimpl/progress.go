package raftimpl

import "fmt"

// ProgressState is how the leader replicates to one follower (etcd
// tracker.StateType).
type ProgressState uint8

const (
	// StateProbe sends one MsgApp per heartbeat interval until the leader
	// finds where the follower's log matches.
	StateProbe ProgressState = iota
	// StateReplicate pipelines MsgApps optimistically, up to the inflight
	// window.
	StateReplicate
	// StateSnapshot waits for the follower to install a snapshot.
	StateSnapshot
)

// String names the state.
func (s ProgressState) String() string {
	switch s {
	case StateProbe:
		return "probe"
	case StateReplicate:
		return "replicate"
	case StateSnapshot:
		return "snapshot"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Progress is the leader's view of one member's log.
type Progress struct {
	// Match is the highest index known to be replicated on the member.
	// Invariant: Match < Next. Moves: only forward, in maybeUpdate.
	Match LogIndex
	// Next is the index of the next entry to send.
	Next  LogIndex
	State ProgressState
	// PendingSnapshot is the snapshot index sent in StateSnapshot.
	PendingSnapshot LogIndex
	// RecentActive is set by any message from the member and cleared by
	// each CheckQuorum round.
	RecentActive bool
	// probeSent pauses a probing follower until it answers or a heartbeat
	// response arrives.
	probeSent bool
	// IsLearner is set for non-voting members.
	IsLearner bool
	// inflights bounds pipelined MsgApps in StateReplicate.
	inflights inflights
}

// String describes the progress for traces.
func (pr *Progress) String() string {
	s := fmt.Sprintf("%v match=%v next=%v", pr.State, pr.Match, pr.Next)
	if pr.IsLearner {
		s += " learner"
	}
	if pr.State == StateSnapshot {
		s += fmt.Sprintf(" snap=%v", pr.PendingSnapshot)
	}
	if pr.inflights.full() {
		s += " inflight-full"
	}
	return s
}

// resetState enters state, clearing what belongs to the old state.
func (pr *Progress) resetState(state ProgressState) {
	pr.probeSent = false
	pr.PendingSnapshot = 0
	pr.State = state
	pr.inflights.reset()
}

func (pr *Progress) becomeProbe() {
	if pr.State == StateSnapshot {
		pending := pr.PendingSnapshot
		pr.resetState(StateProbe)
		pr.Next = max(pr.Match+1, pending+1)
		return
	}
	pr.resetState(StateProbe)
	pr.Next = pr.Match + 1
}

func (pr *Progress) becomeReplicate() {
	pr.resetState(StateReplicate)
	pr.Next = pr.Match + 1
}

func (pr *Progress) becomeSnapshot(snapi LogIndex) {
	pr.resetState(StateSnapshot)
	pr.PendingSnapshot = snapi
}

// maybeUpdate records that the member holds entries up to n. It returns
// false for a stale acknowledgement.
func (pr *Progress) maybeUpdate(n LogIndex) bool {
	updated := false
	if pr.Match < n {
		pr.Match = n
		updated = true
		pr.probeSent = false
	}
	pr.Next = max(pr.Next, n+1)
	if pr.Match >= pr.Next {
		panicf("progress match %v >= next %v", pr.Match, pr.Next)
	}
	return updated
}

// sentEntries records a MsgApp ending at last: optimistically in
// StateReplicate, as a pause in StateProbe.
func (pr *Progress) sentEntries(last LogIndex, n int) {
	switch pr.State {
	case StateReplicate:
		if n > 0 {
			pr.Next = last + 1
			pr.inflights.add(last)
		}
	case StateProbe:
		pr.probeSent = true
	}
}

// maybeDecrTo handles a rejection of the MsgApp at index rejected, with the
// follower's hint matchHint. It returns false for a stale rejection.
func (pr *Progress) maybeDecrTo(rejected, matchHint LogIndex) bool {
	if pr.State == StateReplicate {
		if rejected <= pr.Match {
			return false
		}
		pr.Next = pr.Match + 1
		return true
	}
	if pr.Next-1 != rejected {
		return false
	}
	pr.Next = max(min(rejected, matchHint+1), pr.Match+1)
	pr.probeSent = false
	return true
}

// isPaused reports whether the leader must not send MsgApp now.
func (pr *Progress) isPaused() bool {
	switch pr.State {
	case StateProbe:
		return pr.probeSent
	case StateReplicate:
		return pr.inflights.full()
	}
	return true
}

// inflights is a bounded FIFO of the last indexes of MsgApps in flight.
type inflights struct {
	buf   []LogIndex
	start int
	count int
	size  int // the window, Config.MaxInflightMsgs
}

func (in *inflights) add(last LogIndex) {
	if in.full() {
		panicf("inflights add %v when full", last)
	}
	if in.buf == nil {
		in.buf = make([]LogIndex, in.size)
	}
	in.buf[(in.start+in.count)%in.size] = last
	in.count++
}

// freeLE frees every in-flight message ending at or before to.
func (in *inflights) freeLE(to LogIndex) {
	for in.count > 0 && in.buf[in.start] <= to {
		in.start = (in.start + 1) % in.size
		in.count--
	}
	if in.count == 0 {
		in.start = 0
	}
}

// freeFirstOne frees the oldest in-flight message, as if acknowledged.
func (in *inflights) freeFirstOne() {
	if in.count > 0 {
		in.freeLE(in.buf[in.start])
	}
}

func (in *inflights) full() bool { return in.count == in.size }
func (in *inflights) reset()     { in.start, in.count = 0, 0 }
