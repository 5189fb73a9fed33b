// Package harness plays one seeded run of an etcd cluster (package
// etcdsim/sim/cluster): a world, the cluster, the nemesis, every check,
// and an Outcome. The command line (`etcdsim run`) and the sweeps build on
// it.
//
// # Model
//
// Run builds a sim.World from the seed, adds the storm detector to its
// after-event observers, builds the cluster on it (which adds its safety
// observer), and starts the nemesis. Clients run with faults for
// Duration; then the faults heal, the clients stop, and the cluster
// settles for Settle. A run stopped by a safety violation or a message
// storm ends there. Otherwise the end-of-run checks run, in order:
//
//	world stops ─► DropUnseenRevokes ─► CheckHashKV ─► CheckAckedWrites
//	            ─► linearizability.Check (operations, then watches)
//	            ─► cluster.CheckLocks (lockers, on a linearizable history)
//
// BugSetup and BugRun give the run that exposes each of raftimpl's planted
// bugs, the same for a sweep and for `etcdsim run --bug`.
//
// # Vocabulary
//
//   - run: one seed played under one RunConfig.
//   - outcome: what a run found (Outcome), and its verdict (VerdictName).
//   - message storm: a run whose events in one simulated second pass what
//     its configuration explains many times over (a liveness failure,
//     ErrMessageStorm).
//
// # Invariants
//
//   - Run is a function of its seed and RunConfig: the same inputs give the
//     same trace hash, events and history.
//   - The storm detector sees every event, BEFORE the safety observer.
//   - A history is checked only when no violation or storm stopped the run.
//
// # Usage
//
//	out, err := harness.Run(seed, harness.BugRun(raftimpl.BugVoteNoLogCheck, true))
//	if err != nil { ... }
//	if out.Failed() {
//		fmt.Println(out) // seed, what broke, and where
//	}
//
// # Not modeled
//
//   - Not yet: a sweep over seeds and a shrinker of failing runs; the
//     planted-bug sweep is a test (bugs_test.go) that plays Run per seed.
//   - Other systems than the etcd cluster (a consistency mode of another
//     store) have no harness yet.
package harness
