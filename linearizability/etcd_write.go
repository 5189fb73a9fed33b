package linearizability

import "etcdsim/mvcc/etcdapi"

// storeWriter builds the state that follows one mutating request. All its
// writes share one revision, as the writes of an etcd txn do.
type storeWriter struct {
	base *etcdState
	// st is base's copy, made on the first write; nil until then.
	st *etcdState
	// newRev is the revision the writes create.
	// Invariant: newRev == base.rev + 1.
	newRev Revision
}

func newStoreWriter(base *etcdState) *storeWriter {
	return &storeWriter{base: base, newRev: base.rev + 1}
}

// view returns the state reads see: the writes so far included.
func (w *storeWriter) view() *etcdState {
	if w.st != nil {
		return w.st
	}
	return w.base
}

// readRev is the revision reads of the current view happen at.
func (w *storeWriter) readRev() Revision {
	if w.st != nil {
		return w.newRev
	}
	return w.base.rev
}

// begin copies the base state before the first write.
func (w *storeWriter) begin() {
	if w.st != nil {
		return
	}
	keys := make([]keyChain, len(w.base.keys), len(w.base.keys)+1)
	copy(keys, w.base.keys)
	w.st = &etcdState{
		rev:        w.base.rev,
		compactRev: w.base.compactRev,
		keys:       keys,
		leases:     w.base.leases,
		ended:      w.base.ended,
	}
}

// push makes a version of kv the head of the chain at index i, replacing a
// version written earlier in the same request.
func (w *storeWriter) push(i int, kv etcdapi.KeyValue, deleted bool) {
	head := w.st.keys[i].head
	if head != nil && Revision(head.kv.ModRevision) == w.newRev {
		head = head.next
	}
	w.st.keys[i].head = newVersion(kv, deleted, head)
}

// put writes key=value attached to lease and returns the previous
// key-value, if the key was live. The new version shares key and value.
func (w *storeWriter) put(key, value []byte, lease int64) *etcdapi.KeyValue {
	w.begin()
	i, ok := w.st.find(key)
	if !ok {
		w.st.keys = append(w.st.keys, keyChain{})
		copy(w.st.keys[i+1:], w.st.keys[i:])
		w.st.keys[i] = keyChain{key: key}
	}
	prev := at(w.st.keys[i].head, w.newRev)
	rev := int64(w.newRev)
	kv := etcdapi.KeyValue{Key: w.st.keys[i].key, Value: value, CreateRevision: rev,
		ModRevision: rev, Version: 1, Lease: lease}
	if prev != nil {
		kv.CreateRevision = prev.CreateRevision
		kv.Version = prev.Version + 1
	}
	w.push(i, kv, false)
	return prev
}

// deleteRange deletes the live keys of [lo, end) and returns them.
func (w *storeWriter) deleteRange(lo, end []byte) []*etcdapi.KeyValue {
	victims, _ := w.view().rangeAt(nil, lo, end, w.readRev(), 0)
	if len(victims) == 0 {
		return nil
	}
	w.begin()
	for _, kv := range victims {
		i, ok := w.st.find(kv.Key)
		assertf(ok, "deleting %q that is not stored", kv.Key)
		w.push(i, etcdapi.KeyValue{Key: kv.Key, ModRevision: int64(w.newRev)}, true)
	}
	return victims
}

// setLeases replaces the lease set (a fresh sorted slice).
func (w *storeWriter) setLeases(leases []leaseID) {
	w.begin()
	w.st.leases = leases
}

// changed reports whether a key was written (the revision must rise).
func (w *storeWriter) changed() bool {
	return w.st != nil && !sameKeys(w.st.keys, w.base.keys)
}

// sameKeys reports whether two key slices hold the same chains.
func sameKeys(a, b []keyChain) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].head != b[i].head {
			return false
		}
	}
	return true
}

// commit returns the next state: base itself when nothing changed, the
// copy at newRev when a key was written, or the copy at base.rev when only
// the leases changed.
func (w *storeWriter) commit() *etcdState {
	if w.st == nil {
		return w.base
	}
	if w.changed() {
		w.st.rev = w.newRev
	}
	w.st.rehash()
	w.st.checkInvariants()
	assertf(w.st.rev == w.base.rev || w.st.rev == w.newRev, "rev jumped to %v", w.st.rev)
	return w.st
}
