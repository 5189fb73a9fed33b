package raftimpl

import (
	"fmt"
	"strings"
)

// mark names a tricky branch. Each node counts the marks it passed, so a
// scenario written for a branch can assert that the branch ran (coverage
// marks, STYLE.md). Counts live in the node, not in a global, because the
// simulator runs many worlds at once.
type mark uint8

const (
	markFastBacktrack         mark = iota // leader skipped > 1 index on a rejection hint
	markConflictTruncate                  // follower replaced a conflicting suffix
	markStaleAppend                       // follower got an append below its commit
	markLeaseIgnoredVote                  // CheckQuorum lease ignored a vote request
	markStaleTermAnswered                 // answered a stale leader so it steps down
	markSnapshotSent                      // leader sent InstallSnapshot
	markSnapshotRestored                  // follower installed a snapshot
	markReadHeld                          // read held until the leader's first commit
	markCheckQuorumStepDown               // leader lost its quorum and stepped down
	markRemovedLeaderStepDown             // leader applied its own removal
	markTimeoutNowSent                    // leadership transfer handed over
	markProposalForwarded                 // follower forwarded a proposal
	markInflightFreed                     // heartbeat freed a full in-flight window
	markLeaseExtended                     // a quorum acked a round: the read lease grew
	markCount
)

var markNames = [markCount]string{
	"fast-backtrack", "conflict-truncate", "stale-append", "lease-ignored-vote",
	"stale-term-answered", "snapshot-sent", "snapshot-restored", "read-held",
	"check-quorum-step-down", "removed-leader-step-down", "timeout-now-sent",
	"proposal-forwarded", "inflight-freed", "lease-extended",
}

// marks counts the marks one node passed.
type marks [markCount]uint32

func (r *raft) mark(m mark) { r.marks[m]++ }

// Marks describes the coverage marks this node has passed, as
// "name=count" in a fixed order, or "none".
func (n *Node) Marks() string {
	var parts []string
	for m, c := range n.r.marks {
		if c > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", markNames[m], c))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
