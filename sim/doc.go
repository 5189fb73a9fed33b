// Package sim is etcdsim's deterministic simulation kernel: a world that runs
// any number of simulated nodes on one goroutine, in virtual time,
// reproducibly from one seed. It knows nothing of Raft or key-value stores.
//
// # Model
//
// A World holds a virtual clock (nanoseconds of true time), one event queue
// ordered by (time, insertion sequence), named random streams derived from
// the seed, a Network, and nodes. Each node is a Node value built by a
// NodeFunc for one incarnation; it acts only through its Proc: Send, timers
// (SetTimer, CancelTimer), its own Clock (Proc.Now), its Disk, its random
// streams, and Logf. The world calls Node.Start, Node.Receive and Node.Fire.
//
// The network draws each message's fate from the "network" stream: a delay
// of base plus uniform jitter (per link or default), loss, duplication, and
// in-order (FIFO, the default) or reordered delivery. Partitions are sets of
// blocked directed links; messages are checked when sent and when delivered.
// Each link holds at most DefaultLinkQueueMax messages in flight (settable):
// more are dropped as "queue full", so a protocol that floods a link loses
// messages instead of exhausting memory. Scripted tests can hold messages
// and drop or release them one by one.
//
// A crash drops the node's volatile state, stales its pending timers and the
// messages in flight to it, and reverts its disk to the synced bytes (plus,
// optionally, a torn prefix of each file's unsynced tail). A restart builds a
// new incarnation that recovers from the disk.
//
// Every event goes to the Trace as a Record; the trace keeps a running hash
// over a canonical encoding of the records, so two runs can be compared by
// one number.
//
// # Vocabulary
//
//   - true time: the world's clock (World.Now); node time: what a node's
//     Clock reads (Proc.Now), offset and drifting.
//   - incarnation: one life of a node between a start and a crash.
//   - stale event: a timer or delivery scheduled for an earlier incarnation.
//   - stream: a named random source, e.g. "network" or "n3/election".
//
// # Invariants
//
//   - Events run in (time, seq) order and time never goes backwards.
//   - A crashed incarnation never runs again: stale timers are skipped and
//     stale deliveries are traced as drops.
//   - After a crash a file holds exactly its synced bytes (plus at most a
//     prefix of its appended unsynced tail with torn writes).
//   - Equal seed and equal calls give an equal trace hash, in any process,
//     under any GOMAXPROCS.
//
// # Usage
//
//	w := sim.New(seed, sim.Options{})
//	for _, id := range []sim.NodeID{1, 2, 3} {
//		w.AddNode(id, func(p *sim.Proc) sim.Node { return newMember(p) })
//	}
//	w.Schedule(2*time.Second, "partition", func() {
//		w.Network().Isolate(1)
//	})
//	if err := w.RunFor(10 * time.Second); err != nil { ... }
//	fmt.Printf("%016x\n", w.Trace().Hash())
//
// # Not modeled
//
//   - Directory fsync: creating, removing and renaming files is durable at
//     once. Only file data needs Sync.
//   - Bandwidth and queueing: a message's delay does not depend on its size
//     or on other traffic.
//   - Disk latency: writes and syncs take no virtual time.
//   - Clock changes do not move timers already set; they fire at the true
//     time computed when they were set.
package sim
