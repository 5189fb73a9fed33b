// Package rafttest drives raftimpl nodes by hand, after etcd's rafttest
// InteractionEnv: messages wait in a queue until a command delivers, drops,
// duplicates or stashes them. It is not a simulator: no clock, no latency,
// no randomness unless a script asks for it. It runs the datadriven
// scenario scripts in testdata/raft and backs the random-schedule property
// tests.
//
// # Model
//
// An Env holds Nodes, each a raftimpl.Node with a WAL on an in-memory disk
// that models crashes (wal.MemDir), and a toy state machine: the list of
// applied payloads. ProcessReady behaves as a correct host: it writes the
// Ready to the WAL (syncing if MustSync), queues the messages, applies the
// committed entries and calls Advance. After every step the Env runs
// raftimpl.Checker, and it checks every served read against the writes
// committed before the read was issued; the first violation is reported in
// the trace ("INVARIANT VIOLATED", "STALE READ") and by Violation.
//
// # Vocabulary
//
//   - Seed: a log and term a node starts with, to build the paper's
//     figures.
//   - Stash: messages set aside to be delivered late (reordering).
//   - Isolate / cut / heal: link filters applied at delivery.
//
// # Invariants
//
// Stepping a message never queues messages directly: replies reach the
// queue at the node's next ProcessReady. Stabilize is bounded by
// stabilizeRoundsMax.
//
// # Usage
//
//	datadriven.RunTest(t, path, rafttest.NewEnv().Handle)
//
// The commands are listed on Env.Handle.
//
// # Not modeled
//
// Time between events, clock skew other than by ticking nodes unevenly,
// and disk latency: those belong to the simulator (sim/cluster).
package rafttest
