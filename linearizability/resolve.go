package linearizability

import (
	"sort"

	"github.com/anishathalye/porcupine"

	"etcdsim/mvcc/etcdapi"
)

// pinnedOutput replaces the missing output of an indeterminate write whose
// effect was observed: a determinate response returned the key-value it
// wrote, so it took effect, created revision Revision, and did so before
// the first such response returned.
type pinnedOutput struct {
	Revision Revision
}

// observation is a key-value seen in a determinate response, and when the
// observer had it in hand.
type observation struct {
	kv *etcdapi.KeyValue
	at Time
}

// writtenKV identifies a write by key and value.
type writtenKV struct{ key, value string }

// pinObservedWrites finds indeterminate writes whose value was observed
// and pins them: porcupine gets a pinnedOutput and a return time at the
// first observation. A value is only trusted to identify its writer when
// exactly one operation of the history writes it to that key.
func pinObservedWrites(h History, ops []porcupine.Operation) []porcupine.Operation {
	writers := make(map[writtenKV][]int) // into ops
	for i, op := range ops {
		req, ok := op.Input.(EtcdRequest)
		if !ok {
			continue
		}
		for _, w := range putsOf(req) {
			writers[w] = append(writers[w], i)
		}
	}
	first := make(map[int]observation)
	for _, ob := range observations(h) {
		ws := writers[writtenKV{string(ob.kv.Key), string(ob.kv.Value)}]
		if len(ws) != 1 || !ops[ws[0]].Metadata.(opMeta).unknown {
			continue
		}
		i := ws[0]
		if prev, seen := first[i]; !seen || ob.at < prev.at {
			first[i] = ob
		}
	}
	idx := make([]int, 0, len(first))
	for i := range first { //det:ok sorted below
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		ob := first[i]
		if int64(ob.at) < ops[i].Call {
			continue // observed before it was called: leave it to the checker
		}
		ops[i].Output = pinnedOutput{Revision: Revision(ob.kv.ModRevision)}
		ops[i].Return = int64(ob.at)
		meta := ops[i].Metadata.(opMeta)
		meta.pinned = true
		ops[i].Metadata = meta
	}
	return ops
}

// putsOf lists the key-values a request may write.
func putsOf(req EtcdRequest) []writtenKV {
	var out []writtenKV
	if req.Put != nil {
		out = append(out, writtenKV{string(req.Put.Key), string(req.Put.Value)})
	}
	if req.Txn != nil {
		for _, ops := range [...][]*etcdapi.RequestOp{req.Txn.Success, req.Txn.Failure} {
			for _, op := range ops {
				if p := op.RequestPut; p != nil {
					out = append(out, writtenKV{string(p.Key), string(p.Value)})
				}
			}
		}
	}
	return out
}

// observations lists every key-value determinate responses show (ranges,
// prev key-values). Watch events are left out on purpose: the watch
// streams are under test themselves, and a lying watcher must not turn
// into a verdict on the operations.
func observations(h History) []observation {
	var out []observation
	add := func(at Time, kvs ...*etcdapi.KeyValue) {
		for _, kv := range kvs {
			out = append(out, observation{kv: kv, at: at})
		}
	}
	for i := range h.Ops {
		op := &h.Ops[i]
		resp, ok := op.Output.(EtcdResponse)
		if op.Unknown || !ok || resp.Err != nil {
			continue
		}
		addResponseKVs(op.Return, op.Input.(EtcdRequest), &resp, add)
	}
	return out
}

// addResponseKVs passes every key-value in resp to add, except those of
// keys-only ranges, whose empty values would match the wrong writer.
func addResponseKVs(at Time, req EtcdRequest, resp *EtcdResponse,
	add func(Time, ...*etcdapi.KeyValue)) {
	ops := []*etcdapi.RequestOp{{RequestRange: req.Range, RequestPut: req.Put,
		RequestDeleteRange: req.DeleteRange}}
	results := []*etcdapi.ResponseOp{{ResponseRange: resp.Range, ResponsePut: resp.Put,
		ResponseDeleteRange: resp.DeleteRange}}
	if req.Txn != nil && resp.Txn != nil {
		ops = req.Txn.Failure
		if resp.Txn.Succeeded {
			ops = req.Txn.Success
		}
		results = resp.Txn.Responses
	}
	for i := 0; i < len(ops) && i < len(results); i++ {
		op, r := ops[i], results[i]
		switch {
		case op.RequestRange != nil && r.ResponseRange != nil && !op.RequestRange.KeysOnly:
			add(at, r.ResponseRange.Kvs...)
		case op.RequestPut != nil && r.ResponsePut != nil && r.ResponsePut.PrevKv != nil:
			add(at, r.ResponsePut.PrevKv)
		case op.RequestDeleteRange != nil && r.ResponseDeleteRange != nil:
			add(at, r.ResponseDeleteRange.PrevKvs...)
		}
	}
}
