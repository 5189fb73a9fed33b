package linearizability

import "sort"

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
		if op.Unknown || !ok1 || !ok2 || resp.Err != RespOK {
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
				if j < len(ops) && ops[j].Range != nil && r.Range != nil {
					q.addRead(ops[j].Range, resp.Revision, r.Range)
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
func (q quietSpans) addRead(r *RangeRequest, header Revision, rr *RangeResponse) {
	at := header
	if r.Revision > 0 {
		at = r.Revision
	}
	for _, kv := range rr.KVs {
		if kv.ModRevision < at {
			q[kv.Key] = append(q[kv.Key], revSpan{lo: kv.ModRevision, hi: at})
		}
	}
}

// forbids reports whether a write to key at rev contradicts a read.
func (q quietSpans) forbids(key string, rev Revision) bool {
	for _, s := range q[key] {
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
		if kc.head.kv.ModRevision == next.rev && q.forbids(kc.key, next.rev) {
			return true
		}
	}
	return false
}
