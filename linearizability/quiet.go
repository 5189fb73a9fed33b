package linearizability

import (
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// revSpan is a span of revisions (lo, hi] in which a key was not written.
type revSpan struct{ lo, hi Revision }

// quietSpans maps each key to the spans in which determinate reads prove
// it was not written: a read at revision h that returned the key with
// ModRevision m proves no write touched it in (m, h]. The etcd model uses
// them to refuse an indeterminate write there, which no linearization can
// hold, instead of finding that out many steps later.
type quietSpans map[string][]revSpan

// newQuietSpans collects the spans from top-level ranges and read-only
// txns, whose read revision the response header (or request) gives.
func newQuietSpans(h History) quietSpans {
	q := make(quietSpans)
	for i := range h.Ops {
		op := &h.Ops[i]
		req, ok1 := op.Input.(EtcdRequest)
		resp, ok2 := op.Output.(EtcdResponse)
		if op.Unknown || !ok1 || !ok2 || resp.Err != nil {
			continue
		}
		switch {
		case req.Range != nil && resp.Range != nil:
			q.addRead(req.Range, resp.Revision, resp.Range)
		case req.Txn != nil && resp.Txn != nil && isReadOnly(req):
			for j, r := range resp.Txn.Responses {
				ops := req.Txn.Failure
				if resp.Txn.Succeeded {
					ops = req.Txn.Success
				}
				if j < len(ops) && ops[j].RequestRange != nil && r.ResponseRange != nil {
					q.addRead(ops[j].RequestRange, resp.Revision, r.ResponseRange)
				}
			}
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q { //det:ok each key is sorted on its own
		keys = append(keys, k)
	}
	for _, k := range keys {
		spans := q[k]
		sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	}
	return q
}

// addRead records what one read proves.
func (q quietSpans) addRead(r *etcdapi.RangeRequest, header Revision, rr *etcdapi.RangeResponse) {
	at := header
	if r.Revision > 0 {
		at = Revision(r.Revision)
	}
	for _, kv := range rr.Kvs {
		if mod := Revision(kv.ModRevision); mod < at {
			k := string(kv.Key)
			q[k] = append(q[k], revSpan{lo: mod, hi: at})
		}
	}
}

// forbids reports whether a write to key at rev contradicts a read.
func (q quietSpans) forbids(key []byte, rev Revision) bool {
	for _, s := range q[string(key)] {
		if s.lo >= rev {
			return false
		}
		if rev <= s.hi {
			return true
		}
	}
	return false
}

// forbidsStep reports whether the step from st to next (one revision
// apart) writes a key where a read proves it was not written.
func (q quietSpans) forbidsStep(st, next *etcdState) bool {
	if next.rev == st.rev || len(q) == 0 {
		return false
	}
	for _, kc := range next.keys {
		if Revision(kc.head.kv.ModRevision) == next.rev && q.forbids(kc.key, next.rev) {
			return true
		}
	}
	return false
}
