package linearizability

import (
	"github.com/anishathalye/porcupine"

	"etcdsim/mvcc/etcdapi"
)

// step applies one porcupine operation to a model state.
func step(m porcupine.Model, st any, op porcupine.Operation) (bool, any) {
	return m.Step(st, op.Input, op.Output)
}

// revisionWrite is one revision of the linearized etcd history: the
// events it made, in key order, and whether an indeterminate operation
// (whose place in the order is a guess) wrote it.
type revisionWrite struct {
	rev       Revision
	events    []*etcdapi.Event
	uncertain bool
	// loose tells the keys some uncertain write may touch: their version,
	// create revision and previous value depend on where it took effect,
	// so only the type, value and mod revision of their events are
	// checked.
	loose func(key []byte) bool
}

// uncertainKeys returns a predicate for the keys an indeterminate write
// whose revision is not pinned may touch, wherever the linearization put it.
func uncertainKeys(part []porcupine.Operation) func([]byte) bool {
	type span struct{ lo, end []byte }
	var spans []span
	all := false
	for _, op := range part {
		_, pinned := op.Output.(pinnedOutput)
		req, ok := op.Input.(EtcdRequest)
		if !ok || pinned || !op.Metadata.(opMeta).unknown {
			continue
		}
		all = all || req.LeaseRevoke != nil
		ops := []*etcdapi.RequestOp{{RequestPut: req.Put, RequestDeleteRange: req.DeleteRange}}
		if req.Txn != nil {
			ops = append(append(ops, req.Txn.Success...), req.Txn.Failure...)
		}
		for _, o := range ops {
			if o.RequestPut != nil {
				spans = append(spans, span{o.RequestPut.Key, nil})
			}
			if o.RequestDeleteRange != nil {
				spans = append(spans, span{o.RequestDeleteRange.Key, o.RequestDeleteRange.RangeEnd})
			}
		}
	}
	return func(key []byte) bool {
		for _, s := range spans {
			if inRange(key, s.lo, s.end) {
				return true
			}
		}
		return all
	}
}

// linearizedWrites replays a complete etcd linearization and lists every
// revision it created, in order.
func linearizedWrites(part []porcupine.Operation, order []int) []revisionWrite {
	assertf(len(order) == len(part), "linearization of %d ops for %d", len(order), len(part))
	st := initialEtcdState
	var writes []revisionWrite
	loose := uncertainKeys(part)
	for _, i := range order {
		op := part[i]
		if isEnd(op) {
			continue
		}
		_, next := stepEtcd(st, op.Input.(EtcdRequest))
		if next.rev > st.rev {
			_, pinned := op.Output.(pinnedOutput)
			writes = append(writes, revisionWrite{rev: next.rev,
				uncertain: op.Metadata.(opMeta).unknown && !pinned,
				events:    diffEvents(st, next), loose: loose})
		}
		st = next
	}
	return writes
}

// diffEvents lists the watch events that lead from st to next (one
// revision apart), in key order.
func diffEvents(st, next *etcdState) []*etcdapi.Event {
	var events []*etcdapi.Event
	for _, kc := range next.keys {
		h := kc.head
		if Revision(h.kv.ModRevision) != next.rev {
			continue
		}
		ev := &etcdapi.Event{Type: etcdapi.PUT, Kv: &h.kv}
		if h.deleted {
			ev.Type = etcdapi.DELETE
		}
		if prev := at(h.next, st.rev); prev != nil {
			ev.PrevKv = prev
		}
		events = append(events, ev)
	}
	assertf(len(events) > 0, "revision %v wrote nothing", next.rev)
	return events
}
