package linearizability

import (
	"bytes"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// compareEvents compares the events a watcher got for one revision with
// the linearized ones, key by key.
func (wc *watchChecker) compareEvents(rev Revision, loose func([]byte) bool,
	exp, got []*etcdapi.Event) {
	got = append([]*etcdapi.Event(nil), got...)
	sort.SliceStable(got, func(i, j int) bool {
		return bytes.Compare(got[i].Kv.Key, got[j].Kv.Key) < 0
	})
	exp, got = unmatchedLooseDeletes(exp, got, loose), unmatchedLooseDeletes(got, exp, loose)
	if len(exp) != len(got) {
		wc.report(rev, "missing-event", "got %d event(s), want %d", len(got), len(exp))
		return
	}
	for i := range exp {
		e, g := exp[i], got[i]
		if loose(e.Kv.Key) {
			if e.Type != g.Type || !bytes.Equal(e.Kv.Key, g.Kv.Key) ||
				!bytes.Equal(e.Kv.Value, g.Kv.Value) || e.Kv.ModRevision != g.Kv.ModRevision {
				wc.report(rev, "wrong-event", "got %s, want %s", describeEvent(g), describeEvent(e))
			}
			continue
		}
		if e.Type != g.Type || !equalKV(e.Kv, g.Kv) {
			wc.report(rev, "wrong-event", "got %s, want %s", describeEvent(g), describeEvent(e))
			continue
		}
		if !equalPrevKv(e.PrevKv, g.PrevKv) {
			wc.report(rev, "wrong-prev-kv", "%q PrevKv %s, want %s",
				g.Kv.Key, describePrev(g.PrevKv), describePrev(e.PrevKv))
		}
	}
}

// unmatchedLooseDeletes returns evs without the deletes of loose keys
// that others has no event for. Which keys a lease revocation deletes
// depends on which puts attached them to the lease, and an indeterminate
// put may have done so or not wherever the linearization placed it (its
// response, had it come, would not say): so on a key such a put may touch,
// a delete may rightly be there or not. Every other event is determinate:
// a put writes its key, and a delete's response counts what it deleted.
func unmatchedLooseDeletes(evs, others []*etcdapi.Event, loose func([]byte) bool) []*etcdapi.Event {
	var out []*etcdapi.Event
	for _, ev := range evs {
		if ev.Type == etcdapi.DELETE && loose(ev.Kv.Key) && !hasKey(others, ev.Kv.Key) {
			continue
		}
		out = append(out, ev)
	}
	return out
}

func hasKey(evs []*etcdapi.Event, key []byte) bool {
	for _, ev := range evs {
		if bytes.Equal(ev.Kv.Key, key) {
			return true
		}
	}
	return false
}

func describePrev(kv *etcdapi.KeyValue) string {
	if kv == nil {
		return "nil"
	}
	return describeKeyValue(kv)
}

func describeEvent(ev *etcdapi.Event) string {
	return eventTypeName(ev.Type) + " " + describeKeyValue(ev.Kv)
}

// checkCompacted checks a compaction notice: the watcher's start must lie
// below the compacted revision, and some compaction must have reached it.
func (wc *watchChecker) checkCompacted(r *etcdapi.WatchResponse) {
	start, compacted := Revision(wc.ws.Request.StartRevision), Revision(r.CompactRevision)
	if start != 0 && start >= compacted {
		wc.report(compacted, "bad-compaction",
			"told compacted at %v but started at %v", compacted, start)
	}
}

// compaction is a compaction known to have succeeded before returned.
type compaction struct {
	rev      Revision
	returned Time
}

// knownCompactions lists the successful, determinate compactions.
func knownCompactions(ops []Operation) []compaction {
	var out []compaction
	for i := range ops {
		op := &ops[i]
		req, ok := op.Input.(EtcdRequest)
		if !ok || req.Compact == nil || op.Unknown {
			continue
		}
		if resp, ok := op.Output.(EtcdResponse); ok && resp.Err == nil {
			out = append(out, compaction{rev: Revision(req.Compact.Revision), returned: op.Return})
		}
	}
	return out
}

// checkToldCompacted: a watcher created after a compaction past its start
// revision must be told it was compacted instead of getting events.
func (wc *watchChecker) checkToldCompacted(comps []compaction) {
	ws := wc.ws
	start := Revision(ws.Request.StartRevision)
	if start == 0 {
		return
	}
	for _, d := range ws.Responses {
		if d.Response.CompactRevision > 0 {
			return
		}
	}
	for _, c := range comps {
		if c.returned < ws.Created && start < c.rev {
			wc.report(c.rev, "compaction-not-reported",
				"started at %v after compaction to %v", start, c.rev)
			return
		}
	}
}
