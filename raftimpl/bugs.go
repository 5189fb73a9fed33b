package raftimpl

import (
	"fmt"
	"math/bits"
	"strings"
)

// Bug names one planted mistake. Each re-introduces a classic Raft error so
// that a scenario or a seed sweep can show its effect and prove that the
// checkers catch it. The names are a contract: the CLI takes --bug NAME.
type Bug uint8

// The planted bugs.
const (
	// BugFigure8Commit commits a previous-term entry by counting replicas
	// (paper §5.4.2, Figure 8).
	BugFigure8Commit Bug = iota
	// BugVoteNoLogCheck grants votes without the up-to-date check (§5.4.1).
	BugVoteNoLogCheck
	// BugReplyBeforeFsync marks every Ready as not needing a sync, so the
	// host sends messages before the hard state and entries are durable.
	BugReplyBeforeFsync
	// BugTruncateOnStaleAppend makes a follower cut its log after a stale,
	// reordered AppendEntries even when its entries match.
	BugTruncateOnStaleAppend
	// BugReadWithoutQuorum serves ReadIndex on the leader without the
	// heartbeat round that confirms leadership (thesis §6.4).
	BugReadWithoutQuorum
	// BugApplyUncommitted hands out entries to apply once they are stable
	// locally, before they commit.
	BugApplyUncommitted
	bugCount
)

var bugNames = [bugCount]string{
	"figure8-commit", "vote-no-log-check", "reply-before-fsync",
	"truncate-on-stale-append", "read-without-quorum", "apply-uncommitted",
}

// String returns the bug's contract name.
func (b Bug) String() string {
	if b < bugCount {
		return bugNames[b]
	}
	return fmt.Sprintf("bug(%d)", uint8(b))
}

// AllBugs returns every planted bug in a fixed order.
func AllBugs() []Bug {
	out := make([]Bug, bugCount)
	for i := range out {
		out[i] = Bug(i)
	}
	return out
}

// ParseBug returns the bug with the given contract name. It returns an error
// wrapping ErrUnknownBug and listing the valid names otherwise.
func ParseBug(name string) (Bug, error) {
	for i, n := range bugNames {
		if n == name {
			return Bug(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q (valid: %s)", ErrUnknownBug, name,
		strings.Join(bugNames[:], ", "))
}

// Bugs is a set of planted bugs. The zero value has none enabled.
type Bugs uint32

// With returns the set with b added.
func (s Bugs) With(b Bug) Bugs { return s | 1<<b }

// Has reports whether b is in the set.
func (s Bugs) Has(b Bug) bool { return s&(1<<b) != 0 }

// String lists the enabled bugs, comma separated, or "none".
func (s Bugs) String() string {
	if s == 0 {
		return "none"
	}
	parts := make([]string, 0, bits.OnesCount32(uint32(s)))
	for b := Bug(0); b < bugCount; b++ {
		if s.Has(b) {
			parts = append(parts, b.String())
		}
	}
	return strings.Join(parts, ",")
}

// valid reports an error if the set names a bug that does not exist.
func (s Bugs) valid() error {
	if s>>bugCount != 0 {
		return fmt.Errorf("%w: bug set %#x names unknown bugs", ErrInvalidConfig, uint32(s))
	}
	return nil
}
