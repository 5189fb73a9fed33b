// Package nemesis injects faults into a simulated world on a seeded
// schedule and heals them, so that a run explores partitions, crashes,
// lost writes, reordering and clock skew reproducibly.
//
// # Model
//
// A Nemesis runs two lanes side by side: network conditions (reorder,
// duplicate, drop) and node faults (partition, crash, skew, churn, flap).
// Each lane draws, from its own stream ("nemesis/network",
// "nemesis/node"), a fault of its kinds every Interval (uniform in
// [Interval/2, 3*Interval/2]), applies it for a Duration drawn the same
// way, then heals it. So a bad network can meet a crash, which some bugs
// need, while each lane keeps at most one fault active.
//
// # Vocabulary
//
//   - fault: one kind of trouble (partition, crash, reorder, duplicate,
//     drop, skew, churn, flap) applied to the world.
//   - churn, flap: leaders taken out one after another within milliseconds
//     (crashed, or cut off from the other members), after MIT 6.5840's
//     Figure 8 tests.
//   - mix: the set of fault kinds a schedule may draw from.
//   - heal: undoing the active fault (reconnect, restart, restore links
//     and clocks).
//
// # Invariants
//
//   - At most one fault per lane is active; Stop heals them.
//   - Every fault and heal goes into the trace (through the world) and to
//     the target's annotations, for the checker's visualization.
//
// # Usage
//
//	n, err := nemesis.Start(w, cluster, nemesis.Config{Mix: nemesis.Mix{Partition: true, Crash: true}})
//	w.RunFor(20 * time.Second)
//	n.Stop()
//
// # Not modeled
//
//   - Two faults of one lane at once (a crash during a partition).
//   - Byzantine faults: members never lie (Raft assumes honest nodes).
package nemesis
