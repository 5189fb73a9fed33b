// Package linearizability decides whether a recorded history of client
// operations is linearizable, explains why not, checks watch streams
// against the order it found, and draws the history as HTML. It reads
// histories only: it imports neither the simulator nor the store, only
// etcd's API types (mvcc/etcdapi, a leaf package).
//
// # Model
//
// A History holds Operations (a call time, a return time, an input and an
// output) and the faults that happened meanwhile. Check searches it for a
// linearization with porcupine's algorithm (github.com/anishathalye/
// porcupine v1.3.1: Wing and Gong's search with Lowe's cache of explored
// configurations) run by search.go on porcupine's model interface, under
// a budget of model steps, against one of two sequential specifications:
//
//   - the per-key model: every key is an independent register (get, put,
//     delete, cas, append), so the history splits into one partition per
//     key. External histories (Jepsen's etcd register logs, porcupine's
//     key-value format) are checked this way.
//   - the etcd model: the whole keyspace as etcd v3's MVCC store sees it,
//     spoken in etcd's own messages (package mvcc/etcdapi, the one set of
//     etcd API types the store, the cluster and the client use too).
//     Every successful write creates the next revision; ranges honour
//     every RangeRequest field as etcd v3.7 does (etcd_range.go); txn
//     compares follow mvcc's applyCompare, and a txn's ops are checked
//     against the store before any runs; leases attach keys and revoking
//     one deletes them in one revision; compaction makes older revisions
//     unreadable. Revisions are global, so this model is one partition.
//
// An indeterminate operation (a timeout, Jepsen's :info) never returns:
// the search may linearize it anywhere after its call, and linearizing it
// after every other operation is the same as its never taking effect.
// Left at that, each one multiplies the search. The models and the search
// refuse the placements that no linearization can have, or that another
// placement can always replace, so that the verdict stays exact:
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
//     proves nothing wrote the key in (m, h] (quiet.go);
//   - in per-key histories whose values name their writers (tokenized,
//     as the simulator's clients write), an indeterminate write a read
//     shows is pinned the same way, and writes no read or cas names leave
//     one state between them (resolve_kv.go);
//   - a configuration whose indeterminate operations are a superset of
//     one that failed, with the same state and determinate operations,
//     is not explored; nor are two indeterminate operations of the same
//     effect both tried at one level, nor an indeterminate write right
//     after one it overwrites (search.go);
//   - a read accepted where it is tried is linearized there with no
//     alternative (a forced move, search.go).
//
// Watch streams (a WatchCreateRequest and the etcdapi.WatchResponses the
// client received) are checked beside the search, against the writes of
// the linearization it found (watch.go). porcupine draws the HTML, guided
// along the linearization the search found (visualize.go).
//
// An etcd operation is recorded with an EtcdRequest holding the request
// message in the field of its RPC (Range, Put, DeleteRange, Txn,
// LeaseGrant, LeaseRevoke, Compact). Its Output is an EtcdResponse: on
// success the header revision in Revision and the response message in the
// matching field; on a failure the model predicts, the etcdapi error in
// Err and nothing else. An operation whose fate the client never learned
// (a timeout) has Unknown set and no Output; one that failed with any
// other error surely took no effect and is left out of the history.
//
// # Vocabulary
//
//   - partition: a sub-history checked on its own (a key, or everything).
//   - indeterminate: an operation whose outcome the client never learned.
//   - budget: the model steps a check's search may take (Steps); past it
//     the verdict is Unknown, never Linearizable. It counts steps, not
//     time, so that the verdict does not depend on the machine's load.
//   - claimed revision: one that a determinate response proves its own
//     request created.
//   - explanation: the smallest failing partition, its longest
//     linearizable prefix, the operations stuck after it, and the
//     anomaly's name when one fits.
//
// # Invariants
//
//   - A check's searches take at most its budget of steps; a check that
//     spent it is Unknown.
//   - Results are a function of the history and the budget: the search
//     runs on the caller's goroutine in a fixed order, partitions are
//     checked in key order, and maps are never iterated into output.
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
//		Budget: 50_000_000, Visualize: true, // model steps
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
//   - Serializable reads: RangeRequest.Serializable is ignored and every
//     range is checked as linearizable, so a recorder MUST NOT record a
//     serializable read, which may rightly be stale. Auth, membership and
//     maintenance APIs.
//   - Nested txns (RequestOp.RequestTxn) and puts with IgnoreValue or
//     IgnoreLease: Check refuses them with ErrBadOperation.
//   - etcd's rejection of a txn that writes one key twice: the model lets
//     the last write win.
//   - Response headers other than the revision (EtcdResponse.Revision;
//     the messages' Header is never read), and a lease grant's TTL.
//   - Watch guarantees are checked against one linearization; where an
//     indeterminate write decided a revision, the events of that revision
//     are not compared, and on keys such a write may touch only the type,
//     value and mod revision of events are (their version and previous
//     value depend on where it took effect), and a delete of such a key
//     may be missing or extra (a lease revocation deletes the keys such a
//     write may or may not have attached to its lease).
//   - Checking time grows with the number of indeterminate writes times the
//     history's length: each pending one is retried, cheaply, at every step.
//   - Many clients on one key under the per-key model: with tens of
//     concurrent writes, which the reads order only loosely, the search
//     can explore the subsets of those writes and spend its budget (100
//     clients on 3 keys do; the default 5 clients use about 2 steps per
//     operation). The etcd model orders writes by their revisions.
//   - Errors other than etcdapi.ErrCompacted, ErrFutureRev,
//     ErrLeaseNotFound and ErrLeaseExist, which Check refuses: the
//     recorder drops requests that surely did not take effect.
package linearizability
