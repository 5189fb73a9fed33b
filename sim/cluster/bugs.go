package cluster

import (
	"etcdsim/nemesis"
	"etcdsim/raftimpl"
)

// BugSetup returns the fault mix that exposes a planted bug and adjusts
// cfg where a defence would hide it. Sweeps (BugRun) and `etcdsim run
// --bug` both use it, so a sweep's replay line reproduces its run.
func BugSetup(b raftimpl.Bug, cfg *Config) nemesis.Mix {
	switch b {
	case raftimpl.BugReplyBeforeFsync:
		// A crash loses what was acknowledged but not synced; a partition
		// before it lets the forgetful member's vote or ack matter.
		return nemesis.Mix{Crash: true, Partition: true}
	case raftimpl.BugTruncateOnStaleAppend:
		// A stale AppendEntries must arrive after a newer one, and the
		// leader must die while a follower's log is cut short, so that a
		// member without a committed entry can win the next election.
		return nemesis.Mix{Reorder: true, Duplicate: true, Crash: true}
	case raftimpl.BugReadWithoutQuorum:
		// A deposed leader must keep serving reads while cut off. With
		// CheckQuorum it steps down within two election timeouts, which
		// leaves a narrow window (caught on 2 of 40 seeds); without it the
		// window is the whole partition (13 of 40).
		cfg.CheckQuorum = false
		return nemesis.Mix{Partition: true}
	case raftimpl.BugApplyUncommitted:
		// A leader cut off with a minority applies entries that never
		// commit.
		return nemesis.Mix{Partition: true}
	default:
		// figure8-commit, vote-no-log-check: leaders must change while
		// logs diverge, which partitions and crashes both cause.
		return nemesis.Mix{Partition: true, Crash: true}
	}
}

// BugRun is the run a sweep plays for a planted bug: DefaultRun set up by
// BugSetup, with the bug switched on (or off, for the control). It is
// exactly what `etcdsim run --bug NAME` plays.
func BugRun(b raftimpl.Bug, planted bool) RunConfig {
	rc := DefaultRun()
	faults := nemesis.DefaultConfig(BugSetup(b, &rc.Cluster))
	rc.Faults = &faults
	if planted {
		rc.Cluster.Bugs = rc.Cluster.Bugs.With(b)
	}
	return rc
}
