package harness

import (
	"time"

	"etcdsim/nemesis"
	"etcdsim/raftimpl"
	"etcdsim/sim/cluster"
)

// BugSetup returns the fault mix that exposes a planted bug and adjusts
// cfg where a defence would hide it; note says what it adjusted ("" when
// nothing), for the user to see. Sweeps (BugRun) and `etcdsim run --bug`
// both use it, so a sweep's replay line reproduces its run.
func BugSetup(b raftimpl.Bug, cfg *cluster.Config) (mix nemesis.Mix, note string) {
	// Sweeps run a smaller cluster than the default run: three members and
	// five clients at 250 requests per simulated second cost a third as
	// much per seed, and a three-member quorum lets one forgetful member
	// matter (reply-before-fsync: 0 of 40 seeds caught with five).
	cfg.Members, cfg.Clients, cfg.Workload.Rate = 3, 5, 250
	const shape = "3 members, 5 clients at 250 requests/s"
	mix, note = bugSetup(b, cfg)
	if note == "" {
		return mix, shape
	}
	return mix, shape + ", " + note
}

// bugSetup is BugSetup's part that depends on the bug.
func bugSetup(b raftimpl.Bug, cfg *cluster.Config) (mix nemesis.Mix, note string) {
	switch b {
	case raftimpl.BugFigure8Commit:
		// The wrong rule loses an entry only when a leader commits an
		// earlier term's entry on a majority, dies before any entry of
		// its own term spreads, and a member holding a conflicting entry
		// of a term in between wins next (the paper's Figure 8). etcd's
		// no-op entry rides in the same MsgApp as the earlier entries, so
		// the wrong rule never even fires: 0 early commits in 300 seeds
		// of this setup with the no-op. Without it (as in MIT 6.5840) it
		// fires under leader flapping, where cut-off leaders of many terms
		// hold client writes nobody else has. Ticks of 10ms give a run
		// about 20 leaders instead of 7 with etcd's 100ms, and the bug is
		// caught on 8 of 100 seeds of a 10 s run (18 of 100 in 20 s), where
		// 100ms ticks caught it on none of 300 (on the string-map cluster
		// this one replaced).
		cfg.NoLeaderNoop = true
		cfg.TickInterval = 10 * time.Millisecond
		return nemesis.Mix{Flap: true}, "no leader no-op entry, 10ms ticks"
	case raftimpl.BugReplyBeforeFsync:
		// A crash loses what was acknowledged but not synced; a partition
		// before it lets the forgetful member's vote or ack matter.
		return nemesis.Mix{Crash: true, Partition: true}, ""
	case raftimpl.BugTruncateOnStaleAppend:
		// A stale AppendEntries must arrive after a newer one, and the
		// leader must die while a follower's log is cut short, so that a
		// member without a committed entry can win the next election.
		return nemesis.Mix{Reorder: true, Duplicate: true, Crash: true}, ""
	case raftimpl.BugReadWithoutQuorum:
		// A deposed leader must keep serving reads while cut off. With
		// CheckQuorum it steps down within two election timeouts, which
		// leaves a narrow window (caught on 2 of 40 seeds); without it the
		// window is the whole partition (13 of 40).
		cfg.CheckQuorum = false
		return nemesis.Mix{Partition: true}, "CheckQuorum off"
	case raftimpl.BugApplyUncommitted:
		// A leader cut off with a minority applies entries that never
		// commit.
		return nemesis.Mix{Partition: true}, ""
	default:
		// vote-no-log-check: leaders must change while logs diverge,
		// which partitions and crashes both cause.
		return nemesis.Mix{Partition: true, Crash: true}, ""
	}
}

// BugRun is the run a sweep plays for a planted bug: DefaultRun set up by
// BugSetup, with the bug switched on (or off, for the control). It is
// exactly what `etcdsim run --bug NAME` plays.
func BugRun(b raftimpl.Bug, planted bool) RunConfig {
	rc := DefaultRun()
	mix, _ := BugSetup(b, &rc.Cluster)
	faults := nemesis.DefaultConfig(mix)
	rc.Faults = &faults
	if planted {
		rc.Cluster.Bugs = rc.Cluster.Bugs.With(b)
	}
	return rc
}
