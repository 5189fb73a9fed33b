// Package mvcc is the revisioned key-value store that every etcdsim member
// applies committed entries to: etcd's mvcc, lease and apply layers as of
// v3.7, without goroutines or clocks, over bbolt or memory.
//
// It speaks etcd's v3 API as package etcdapi spells it: every request,
// response, KeyValue and Event is an etcdapi type, and every error a client
// may see is an etcdapi sentinel (etcd's text and gRPC code). mvcc adds
// only the replicated log entry (Request, Response), its own ID types and
// the errors no client sees (ErrClosed, ErrNotPrimary, the watch stream's
// and the storage's).
//
// # Model
//
// The store keeps every version of every key. Each change that changes
// something raises the store revision by one; the changes of one txn share
// that main revision and take successive sub revisions. A key index maps
// each user key to its revisions, grouped in generations (creation to
// delete); the backend stores each revision's key-value under the encoded
// revision, as etcd does in bbolt:
//
//	index                          backend (bucket "key")
//	"a": gen{2.0 3.0 4.0(t)} gen{}  00..02_00..00 -> a=1 create 2 mod 2 ver 1
//	"b": gen{3.1}                  00..03_00..00 -> a=2 create 2 mod 3 ver 2
//	                               00..03_00..01 -> b=x create 3 mod 3 ver 1
//	                               00..04_00..00t -> a (tombstone)
//
// A read at revision R asks the index which revision of each key was live
// at R, then fetches those. Compaction at C drops what no read at or after
// C needs. Watchers are fed each txn's events as it ends, or catch up from
// the backend when they start in the past or fall behind. Leases own keys;
// revoking one deletes its keys in one revision. Alarms (alarm.go) are a
// replicated set of (member, type): AlarmRequests in the log raise and
// clear them, and while a NOSPACE alarm is raised writes that cost quota
// fail with etcdapi.ErrNoSpace (quota.go says who raises it).
//
// Results match etcd v3.7 request by request (testdata/etcdcompare runs
// every request against a real v3.7.3), including its quirks: Count is
// taken before the Min/Max revision filters; ties in sorting fall as
// etcd's unstable sort.Sort leaves them; a nested txn's header has no
// revision; a negative Limit or Range revision means none; compaction keeps
// a tombstone at the compaction revision (since v3.5.15); a keys_only range
// answers Lease 0 unless it sorts by VALUE.
//
// Config.EtcdVersion "3.6" keeps etcd v3.6's answers where the two release
// lines differ (the same comparison runs against v3.6.16): a keys_only
// range keeps each key's lease, and a txn's put that names a missing lease
// and ignores the value of a missing key fails with ErrKeyNotFound where
// v3.7 answers ErrLeaseNotFound (it checks the lease first). version.go
// cites the etcd source of each. Fixes that both lines took in patch
// releases are followed in both modes: a txn's quota cost counts its
// nested txns' puts (v3.6.14, v3.7.1), and a watch from a negative
// revision is refused as compacted (v3.6.6, v3.7.0).
//
// # Vocabulary
//
//   - revision {main, sub}: where a change sits; the API's int64 revisions
//     are the main part.
//   - generation: one life of a key, from put to tombstone.
//   - compaction revision: reads below it fail with etcdapi.ErrCompacted.
//   - consistent index: the last Raft log index applied (Apply).
//   - synced / unsynced watcher: fed live, or catching up from history.
//   - primary lessor: the leader's store, the only one where leases expire.
//   - BackendSnapshot: the whole store as a byte stream (Snapshot, Restore).
//
// # Invariants
//
//   - compactRev <= currentRev; currentRev only grows, by one per changing txn.
//   - Every revision the index names is in the backend; the backend holds
//     revisions in strictly ascending order.
//   - A key is in lease L's key set iff the key's latest put named L.
//   - A watcher never gets a revision twice, never skips one, never gets
//     part of one; a synced watcher's next revision is above currentRev.
//   - Apply(index) with index <= ConsistentIndex() changes nothing.
//
// Store.CheckInvariants (tests) checks the whole structure.
//
// # Usage
//
// A member applies each committed entry, then drains watch streams:
//
//	s, _ := mvcc.OpenBolt(path, mvcc.Config{})
//	ws := s.NewWatchStream()
//	ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a"), RangeEnd: []byte("b")})
//	for _, e := range committed {
//		s.SetTime(memberClockNanos)
//		resp, applied := s.Apply(e.Index, e.Request)
//		deliver(resp, applied)
//		send(ws.Poll(0))
//	}
//	if leader { propose(s.ExpiredLeases()) }
//
// # Not modeled
//
//   - Auth, membership, encryption at rest, lease checkpoints, and etcd's
//     lease revoke rate limit (ExpiredLeases only bounds one answer).
//   - RangeStream, new in etcd v3.7 (a range answered in chunks).
//   - In "3.6" mode, etcd v3.6's skipping of a txn's ranges on members
//     that need no answer (server.go removeNeedlessRangeReqs): there a txn
//     whose range fails its check (compacted, future) still applies on
//     those members (etcd-io/etcd#18667, fixed in v3.7.0 by #21432). The
//     store checks and applies every txn alike on every member, as v3.7.
//   - Watch response fragmentation (Fragment is ignored) and watch
//     filtering by auth.
//   - Request sizes are computed, not marshalled: close to etcd's protobuf
//     sizes, not byte-exact. The quota counts a logical size of the stored
//     data, not the bbolt file size, so that every member decides alike.
//   - CORRUPT alarms are stored and listed but refuse nothing.
//   - Physical compaction runs to completion inside Compact; bbolt batches
//     commit by operation count, not by etcd's 100 ms interval.
//   - Serializable is accepted and ignored: the cluster decides where a
//     read is served.
//   - LeaseLeases lists leases by ID (etcd: by expiry); a KeepAlive on an
//     expired, not yet revoked lease answers TTL 0 at once (etcd waits for
//     the revoke); TimeToLive on a non-primary answers its own view (etcd
//     forwards to the leader).
//   - The bbolt file is a real file outside the simulated disk: a member
//     crash is Abandon (the uncommitted batch is lost), not a disk fault.
package mvcc
