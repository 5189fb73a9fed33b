// Package raftimpl is Raft as a pure, deterministic state machine: the
// extended Raft paper (Ongaro and Ousterhout, 2014) and the dissertation
// (Ongaro, 2014), plus what etcd's raft added (Pre-Vote, CheckQuorum,
// ReadIndex, learners, leadership transfer, fast log backtracking). It
// does no I/O, starts no goroutines and reads no clock: ticks and messages
// go in, and a Ready says what to persist, send and apply.
//
// # Model
//
// A Node holds one member's protocol state (raft.go), its log (log.go: the
// stable prefix in a MemoryStorage, the unstable suffix in memory) and, on
// the leader, one Progress per member (progress.go, tracker.go). Inputs
// are Tick (one unit of logical time), Step (a message from a peer) and
// the client calls Propose, ProposeBatch, ProposeConfChange, ReadIndex and
// TransferLeadership. Each input may queue messages, entries to persist
// and entries to apply; the host drains them with Ready, handles them in
// the order Ready documents (persist and sync, then send, then apply), and
// acknowledges with Advance. Randomness (election timeouts) comes only
// from Config.Rand.
//
//	       Tick / Step / Propose ...
//	                 │
//	                 ▼
//	┌──────────────────────────────┐   Ready    ┌──────────────────────┐
//	│ raft: role, term, vote, log, ├──────────► │ host: WAL write+sync │
//	│ progress, read queue         │            │ send, apply          │
//	└──────────────────────────────┘ ◄──────────┴──────────────────────┘
//	                                   Advance
//
// # Vocabulary
//
//   - Term, LogIndex, NodeID: the paper's numbers, each its own type.
//   - Entry: one log element; EntryConfChange entries carry a ConfChange.
//   - HardState: term, vote and commit index, persisted before replying.
//   - Ready: the batch of work for the host; Advance acknowledges it.
//   - Progress: the leader's view of a follower (Match, Next, probe /
//     replicate / snapshot state, the bounded in-flight window).
//   - CommitIndex (Raft), distinct from any MVCC notion of commit.
//   - RaftSnapshot: Snapshot here; the application's image of its state.
//   - LogCompact: MemoryStorage.Compact, dropping entries behind a
//     snapshot (not MVCC compaction).
//   - Bug: a planted mistake, switched on by name for teaching and to prove
//     that the checkers catch it (bugs.go).
//
// # Invariants
//
// Checked by raft.checkInvariants after every input: committed <= last
// index; applied <= committed; a leader's own Match is its last index; a
// candidate voted for itself. Checked across nodes by Checker after every
// step (invariants.go): Election Safety, Leader Append-Only, Log Matching,
// Leader Completeness and State Machine Safety (paper Figure 3). Protocol
// rules enforced by construction: a vote is granted at most once per term
// and only to an up-to-date log (§5.4.1); a leader counts replicas only
// for entries of its own term (§5.4.2); a follower cuts its log only from
// the first conflicting entry and never below its commit index; at most
// one configuration change is pending (thesis §4.1). Coverage marks
// (marks.go) count the tricky branches each node took; Node.Marks shows
// them, and the scenario written for a branch asserts its mark.
//
// # Usage
//
//	storage := raftimpl.NewMemoryStorage() // or wal.State.Storage() on restart
//	node, err := raftimpl.New(cfg, storage)
//	for each event {                        // a tick, a message, a proposal
//		node.Tick() / node.Step(m) / node.Propose(data)
//		for node.HasReady() {
//			rd := node.Ready()
//			if !rd.Snapshot.IsEmpty() { w.SaveSnapshot(rd.Snapshot) }
//			w.Save(rd.HardState, rd.Entries, rd.MustSync) // BEFORE sending
//			send(rd.Messages)
//			apply(rd.CommittedEntries)
//			node.Advance(rd)
//		}
//	}
//
// raftimpl/wal is the write-ahead log; raftimpl/rafttest drives nodes by
// hand and runs the scenario scripts in testdata/raft.
//
// # Not modeled
//
//   - Joint consensus: membership changes one voter at a time (thesis §4.1);
//     demoting a voter to learner is refused.
//   - Asynchronous storage writes (etcd's AsyncStorageWrites): the host
//     persists a whole Ready before sending any of its messages, including
//     the leader's own MsgApp (etcd lets those go out in parallel).
//   - Proposal flow control by uncommitted size.
//   - Snapshot transfer in chunks, and ReportSnapshot/ReportUnreachable: a
//     lost snapshot is resent after the next heartbeat response.
//   - Byzantine peers: a forged message from a "leader" is believed.
package raftimpl
