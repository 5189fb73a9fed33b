// Package cluster runs an etcd cluster inside a sim.World: each member is a
// raftimpl node with its WAL on the member's simulated disk and an mvcc
// store as its state machine; clients shaped like clientv3 send etcd's
// requests (package mvcc/etcdapi) over the simulated network and record a
// history that the etcd model of package linearizability checks; an
// observer checks Raft's safety properties after every event. The cluster
// does not drive its own faults and does not run itself: package
// etcdsim/sim/harness plays one seeded run of it, with the nemesis and
// every check.
//
// # Model
//
// A member is a sim.Node. It ticks its Raft node every TickInterval on its
// own clock, steps the messages it receives, and drains each Ready in the
// order raftimpl prescribes: write entries and hard state to the WAL (and
// sync when Ready.MustSync), send, apply committed entries, answer clients,
// Advance. Committed entries reach the store through the sessions, which
// drop a command applied before (statemachine.go), and the store applies
// each index once (its consistent index). Every SnapshotEvery applied
// entries the member snapshots the store (mvcc's framed, checksummed
// format, behind the session table) and compacts the log and the WAL
// behind it; a lagging member is sent that snapshot and restores its
// store from it. A crash loses all of this but the synced WAL; a restart
// restores the latest snapshot and replays the log after it.
//
// Any member accepts a request. A write is validated (etcd's API checks and
// the request size limit), proposed, and answered when the proposing
// member applies it; a follower's proposal travels to the leader as a Raft
// message. A linearizable range waits for a read index (ReadIndex, from
// the leader) and for the member to apply up to it; a serializable range
// is served from the member's own store at once, and may be stale.
//
// A workload client (worker) draws requests and sends them through a
// Client shaped like clientv3: one call at a time, to the member that last
// answered or the hinted leader, retried after a backoff only when a
// refusal says the request never reached the log (code Unavailable), and
// given up at its deadline. A write given up is recorded as indeterminate
// (it may still commit), and the worker continues as a new history
// process, as in Jepsen.
//
//	worker ─► Client ──request──► member ──Propose/ReadIndex──► raftimpl
//	   ▲                            │ Ready: WAL.Save (+Sync) → send → apply → Advance
//	   └───────────response─────────┘ (writes when applied, reads at the read index)
//
// Watchers (Config.Watchers) watch the keys through a WatchClient: any
// member serves a watch stream from its own store (watch.go), and when the
// stream dies (its member crashed or reset it, or it fell silent past the
// client's progress requests) the client resumes every watch on another
// member from the revision after the last one it delivered
// (client_watch.go). Each watch is recorded as one logical watch in the
// history's Watches, checked against the linearized writes (watcher.go).
//
// Lockers (Config.Lockers) contend for one mutex through etcd's recipe
// (concurrency*.go, after client/v3/concurrency): a session is a lease
// kept alive; Lock puts a key under the lock's prefix and waits for every
// key created before it to go; the create revision is the holder's
// fencing token. Their holdings are checked (lockcheck.go): two holders
// must never overlap while both their keys surely live.
//
// Leases are etcd's (member_lease.go): grants and revocations go through
// the log; the leader's store is the primary lessor, which answers
// keep-alives and time-to-live (a follower forwards them to the leader),
// extends every lease by an election timeout when its member becomes
// leader, and has expired leases revoked by proposing their revocation.
// Those revocations enter the history as a client's of their own,
// completed when the first member applies them (history_lessor.go).
//
// The Maintenance service (member_maint.go, client_maint.go): Status,
// Defragment, Hash and HashKV answer about the member called; MoveLeader
// hands leadership over through Raft, at the leader only; alarms are
// listed and cleared through the log. A member whose store would pass the
// backend quota (mvcc.Config.QuotaBackendBytes) refuses the write with
// ErrNoSpace and proposes its NOSPACE alarm through the log; once applied,
// every member refuses writes that cost quota until an operator compacts,
// defragments and disarms. A write refused for space never takes effect.
//
// # Vocabulary
//
//   - seq, attempt: a client numbers its operations and each sending of
//     one; members drop duplicated copies and clients trust only refusals
//     of their latest attempt.
//   - session: the member remembers each client's last applied seq in
//     front of the store, so a proposal duplicated in the log takes effect
//     once (etcd's transport never duplicates; the simulated one does).
//   - violation: a safety property broken, reported with seed and time.
//   - end-of-run checks: CheckHashKV (etcd's corruption check) and
//     CheckAckedWrites (every acknowledged write in the leader's store),
//     called AFTER the world stops, and CheckLocks over LockHolds.
//
// # Invariants
//
//   - The observer sees every running member after every event that
//     touched it, and the first violation stops the world.
//   - A refusal sent to a client means the operation took no effect: it
//     never reached the log, or (ErrNoSpace) was refused by the capped
//     applier; a write answered ErrNoSpace with a result took effect.
//   - A cluster is a function of its world's seed, its Config and what is
//     done to it: the same inputs give the same trace hash, events and
//     history.
//
// # Usage
//
//	w := sim.New(seed, sim.Options{})
//	c, err := cluster.New(w, cluster.DefaultConfig()) // adds the observer
//	if err != nil { ... }
//	defer c.Close()
//	err = w.RunFor(10 * time.Second) // a violation stops the world
//	c.StopClients()
//	err = w.RunFor(5 * time.Second)
//	c.DropUnseenRevokes()
//	res, err := linearizability.Check(c.History(), linearizability.Options{})
//	lost, _, _ := c.CheckAckedWrites()
//
// For a seeded run with faults and every check, see harness.Run.
//
// # Not modeled
//
//   - Workload clients never Sync, so they never call a member that
//     joined after the start (the Cluster service, member_cluster.go,
//     changes membership through Raft, one change at a time).
//   - Maintenance: Snapshot and Downgrade; defragmentation does not
//     block the member while it runs; MoveLeader gives up after two
//     election timeouts where etcd waits for the client's deadline.
//   - Membership changes and leadership transfer under the nemesis: Raft
//     supports them (see testdata/raft), the cluster does not drive them.
//   - Client retries of indeterminate writes: a client that timed out
//     moves on to its next operation.
package cluster
