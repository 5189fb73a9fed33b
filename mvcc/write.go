package mvcc

import "etcdsim/mvcc/etcdapi"

// writeTxn is one write transaction, etcd's storeTxnWrite: every change in
// it shares main revision beginRev+1 and takes successive subs. Reads in it
// see its own earlier writes.
//
// Invariant: changes[i] was written at revision {beginRev+1, i}.
type writeTxn struct {
	s        *Store
	beginRev int64
	// changes are the written key-values in order; a tombstone has
	// CreateRevision 0 and only Key and ModRevision set.
	changes []etcdapi.KeyValue
}

// beginWrite starts a write txn at the current revision.
func (s *Store) beginWrite() *writeTxn {
	return &writeTxn{s: s, beginRev: s.currentRev, changes: s.changesBuf[:0]}
}

// rev is the revision reads in the txn see.
func (tw *writeTxn) rev() int64 {
	if len(tw.changes) > 0 {
		return tw.beginRev + 1
	}
	return tw.beginRev
}

// put writes key=value attached to lease id, as etcd's storeTxnWrite.put:
// the version counts up from 1 in the key's current generation, and the
// key moves from its old lease to the new one.
func (tw *writeTxn) put(key, value []byte, id LeaseID) {
	s := tw.s
	rev := tw.beginRev + 1
	created, ver := rev, int64(0)
	ki := s.ix.lookup(key)
	if ki != nil {
		if _, c, v, ok := ki.get(rev); ok {
			created, ver = c.main, v
		}
	}
	var storedKey []byte
	buf := make([]byte, len(value)+keyCopyLen(ki, key))
	if ki != nil {
		storedKey = ki.key
	} else {
		storedKey = buf[len(value):]
		copy(storedKey, key)
	}
	var storedValue []byte // nil when empty, as every backend reads it back
	if len(value) > 0 {
		storedValue = buf[:len(value):len(value)]
		copy(storedValue, value)
	}

	idxRev := revision{main: rev, sub: int64(len(tw.changes))}
	kv := etcdapi.KeyValue{Key: storedKey, Value: storedValue, CreateRevision: created,
		ModRevision: rev, Version: ver + 1, Lease: int64(id)}
	must(s.be.put(record{rev: idxRev, kv: kv}))
	if ki == nil {
		ki = s.ix.getOrCreate(storedKey)
	}
	ki.put(idxRev)
	tw.changes = append(tw.changes, kv)
	s.lessor.move(ki.key, id)
	if !(ki.modified == idxRev) {
		panicf("put: index at %v, want %v", ki.modified, idxRev)
	}
}

// keyCopyLen is the room put needs for a copy of key: none when the index
// already holds the key.
func keyCopyLen(ki *keyIndex, key []byte) int {
	if ki != nil {
		return 0
	}
	return len(key)
}

// deleteRange tombstones every key live in the range and returns how many.
func (tw *writeTxn) deleteRange(key, end []byte) int64 {
	keys := tw.s.ix.liveKeys(key, end, tw.rev())
	for _, k := range keys {
		tw.delete(k)
	}
	return int64(len(keys))
}

// delete tombstones one live key. k is the index's own copy of the key.
func (tw *writeTxn) delete(k []byte) {
	s := tw.s
	idxRev := revision{main: tw.beginRev + 1, sub: int64(len(tw.changes))}
	kv := etcdapi.KeyValue{Key: k, ModRevision: idxRev.main}
	must(s.be.put(record{rev: idxRev, tomb: true, kv: etcdapi.KeyValue{Key: k}}))
	ki := s.ix.lookup(k)
	if !(ki != nil) {
		panicf("delete of unindexed key %q", k)
	}
	ok := ki.tombstone(idxRev)
	if !(ok) {
		panicf("delete of dead key %q", k)
	}
	tw.changes = append(tw.changes, kv)
	s.lessor.move(k, noLease)
}

// end closes the txn: a txn that changed something raises the store
// revision by one and notifies watchers.
func (tw *writeTxn) end() {
	s := tw.s
	if !(s.currentRev == tw.beginRev) {
		panicf("txn began at %d, store at %d", tw.beginRev, s.currentRev)
	}
	defer func() { s.changesBuf = tw.changes[:0] }()
	if len(tw.changes) == 0 {
		return
	}
	s.currentRev++
	s.hub.notify(s, s.currentRev, tw.changes)
	if !s.inApply {
		s.maybeCommit() // Apply commits after recording its index
	}
}

// must panics on a backend error inside a write: etcd panics there too,
// since a half-applied entry cannot be undone.
// TODO: surface disk faults as a member crash once the sim's disk model
// injects write errors into bbolt's file.
func must(err error) {
	if err != nil {
		panic("mvcc: backend write failed: " + err.Error())
	}
}
