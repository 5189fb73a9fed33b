// Package linearizability decides whether a recorded history of client
// operations is linearizable, explains why not, checks watch streams
// against the order it found, and draws the history as HTML. It reads
// histories only: it imports neither the simulator nor the store.
//
// # Model
//
// A History holds Operations (a call time, a return time, an input and an
// output) and the faults that happened meanwhile. Check hands it to
// porcupine (github.com/anishathalye/porcupine v1.3.1) with one of two
// sequential specifications:
//
//   - the per-key model: every key is an independent register (get, put,
//     delete, cas, append), so the history splits into one partition per
//     key. External histories (Jepsen's etcd register logs, porcupine's
//     key-value format) are checked this way.
//   - the etcd model: the whole keyspace as etcd v3's MVCC store sees it.
//     Every successful write creates the next revision; ranges return
//     key-values with create and mod revisions and versions; txn compares
//     follow mvcc's applyCompare; leases attach keys and revoking one
//     deletes them in one revision; compaction makes older revisions
//     unreadable. Revisions are global, so this model is one partition.
//
// An indeterminate operation (a timeout, Jepsen's :info) never returns:
// porcupine may linearize it anywhere after its call, and linearizing it
// after every other operation is the same as its never taking effect.
// Left at that, each one multiplies the search. The models refuse the
// placements that no linearization can have, or that another placement
// can always replace, so that the verdict stays exact:
//
//   - an end marker follows every determinate operation; before it an
//     indeterminate operation may not be a no-op, since a no-op can as well
//     move after it (end.go);
//   - an indeterminate write may not create a revision that a determinate
//     response proves its own request created, nor one above every
//     revision any response reports (model_etcd.go);
//   - an indeterminate write whose value a determinate read returned is
//     pinned: it created the revision the read showed, before the read
//     returned (resolve.go);
//   - a read that returned a key at mod revision m and read revision h
//     proves nothing wrote the key in (m, h] (quiet.go).
//
// Watch streams are checked beside porcupine, against the writes of the
// linearization it found (watch.go).
//
// # Vocabulary
//
//   - partition: a sub-history checked on its own (a key, or everything).
//   - indeterminate: an operation whose outcome the client never learned.
//   - budget: the wall-clock time a check may take; past it the verdict is
//     Unknown, never Linearizable.
//   - claimed revision: one that a determinate response proves its own
//     request created.
//   - explanation: the smallest failing partition, its longest
//     linearizable prefix, the operations stuck after it, and the
//     anomaly's name when one fits.
//
// # Invariants
//
//   - A check never runs past its budget by more than porcupine's own
//     reaction time, and a timed-out check is Unknown.
//   - Results are deterministic for a given history, apart from where the
//     budget runs out: partitions are checked in key order, porcupine's
//     partial linearizations are sorted before use, and maps are never
//     iterated into output.
//   - etcd model states are immutable and share version chains; equal
//     states have equal hashes.
//   - Bad input (a malformed file, a return before its call, a duplicate
//     id, an unknown operation kind) is an error, never a panic.
//
// # Usage
//
//	h, err := linearizability.Parse(file, linearizability.FormatAuto)
//	if err != nil {
//		return err // names the line and the reason
//	}
//	res, err := linearizability.Check(h, linearizability.Options{
//		Budget: 10 * time.Second, Visualize: true,
//	})
//	if err != nil {
//		return err
//	}
//	fmt.Println(res.Verdict)
//	if res.Explanation != nil {
//		fmt.Print(res.Explanation)
//	}
//	_ = res.WriteHTML(out)
//
// # Not modeled
//
//   - Lease expiry by TTL: the recorder must log an expiry as a
//     LeaseRevoke operation. Lease ids must be chosen by the client.
//   - Range sort orders and min/max revision filters, serializable reads
//     (they are not linearizable), auth, membership and maintenance APIs.
//   - etcd's rejection of a txn that writes one key twice: the model lets
//     the last write win.
//   - Watch guarantees are checked against one linearization; where an
//     indeterminate write decided a revision, the events of that revision
//     are not compared, and on keys such a write may touch only the type,
//     value and mod revision of events are (their version and previous
//     value depend on where it took effect).
//   - Checking time grows with the number of indeterminate writes times the
//     history's length: each pending one is retried, cheaply, at every step.
//   - Server errors other than the ResponseError codes:
//     the recorder drops requests that surely did not take effect.
package linearizability
