// Package cluster runs a Raft cluster inside a sim.World: each member is a
// raftimpl node with its WAL on the member's simulated disk and a key-value
// state machine; clients issue operations over the simulated network and
// record a history that porcupine checks; an observer checks Raft's safety
// properties after every event.
//
// # Model
//
// A member is a sim.Node. It ticks its Raft node every TickInterval on its
// own clock, steps the messages it receives, and drains each Ready in the
// order raftimpl prescribes: write entries and hard state to the WAL (and
// sync when Ready.MustSync), send, apply committed entries, answer clients,
// Advance. Every SnapshotEvery applied entries it snapshots the state
// machine and compacts the log and the WAL behind it. A crash loses all of
// this but the synced WAL; a restart replays it.
//
// A client sends one operation at a time to the member it believes leads,
// follows leader hints on refusal, and gives up after ClientTimeout: a
// write it gave up on is recorded as indeterminate (it may still commit),
// and the client continues as a new history process, as in Jepsen.
//
//	client ──request──► member ──Propose/ReadIndex──► raftimpl
//	   ▲                  │ Ready: WAL.Save (+Sync) → send → apply → Advance
//	   └────response──────┘ (writes when applied, reads at the read index)
//
// # Vocabulary
//
//   - seq, attempt: a client numbers its operations and each sending of
//     one; members drop duplicated copies and clients trust only refusals
//     of their latest attempt.
//   - session: the state machine remembers each client's last applied seq,
//     so a proposal duplicated in the log takes effect once.
//   - violation: a safety property broken, reported with seed and time.
//   - message storm: a run whose events in one simulated second pass what
//     its configuration explains many times over (a liveness failure).
//
// # Invariants
//
//   - The observer sees every running member after every event that
//     touched it, and the first violation stops the world.
//   - A refusal sent to a client means the operation never reached the log.
//   - Run is a function of its seed and RunConfig: the same inputs give the
//     same trace hash, events and history.
//
// # Usage
//
//	out, err := cluster.Run(seed, cluster.BugRun(raftimpl.BugVoteNoLogCheck, true))
//	if err != nil { ... }
//	if out.Failed() {
//		fmt.Println(out) // seed, what broke, and where
//	}
//
// # Not modeled
//
//   - The etcd API: the state machine is a string map (get, put, delete,
//     cas, append); package mvcc is not wired in yet.
//   - Membership changes and leadership transfer under the nemesis: Raft
//     supports them (see testdata/raft), the cluster does not drive them.
//   - Client retries of indeterminate writes: a client that timed out
//     moves on to its next operation.
package cluster
