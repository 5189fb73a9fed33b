package linearizability

import (
	"fmt"
	"sort"
)

// compareEvents compares the events a watcher got for one revision with
// the linearized ones, key by key.
func (wc *watchChecker) compareEvents(rev Revision, loose func(string) bool,
	exp, got []WatchEvent) {
	got = append([]WatchEvent(nil), got...)
	sort.SliceStable(got, func(i, j int) bool { return got[i].KV.Key < got[j].KV.Key })
	if len(exp) != len(got) {
		wc.report(rev, "missing-event", "got %d event(s), want %d", len(got), len(exp))
		return
	}
	for i := range exp {
		e, g := exp[i], got[i]
		if loose(e.KV.Key) {
			if e.Type != g.Type || e.KV.Key != g.KV.Key || e.KV.Value != g.KV.Value ||
				e.KV.ModRevision != g.KV.ModRevision {
				wc.report(rev, "wrong-event", "got %s, want %s", describeEvent(g), describeEvent(e))
			}
			continue
		}
		if e.Type != g.Type || e.KV != g.KV {
			wc.report(rev, "wrong-event", "got %s, want %s", describeEvent(g), describeEvent(e))
			continue
		}
		if e.IsCreate != g.IsCreate {
			wc.report(rev, "wrong-is-create", "%q IsCreate=%t, version %d",
				g.KV.Key, g.IsCreate, e.KV.Version)
		}
		if !equalPrevKv(e.PrevKv, g.PrevKv) {
			wc.report(rev, "wrong-prev-kv", "%q PrevKv %s, want %s",
				g.KV.Key, describePrev(g.PrevKv), describePrev(e.PrevKv))
		}
	}
}

func equalPrevKv(a, b *KeyValue) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func describePrev(kv *KeyValue) string {
	if kv == nil {
		return "nil"
	}
	return describeKeyValue(*kv)
}

func describeEvent(ev WatchEvent) string {
	return fmt.Sprintf("%v %s", ev.Type, describeKeyValue(ev.KV))
}

// checkCompacted checks a compaction notice: the watcher's start must lie
// below the compacted revision, and some compaction must have reached it.
func (wc *watchChecker) checkCompacted(r WatchResponse) {
	if wc.ws.StartRev != 0 && wc.ws.StartRev >= r.CompactRevision {
		wc.report(r.CompactRevision, "bad-compaction",
			"told compacted at %v but started at %v", r.CompactRevision, wc.ws.StartRev)
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
		if resp, ok := op.Output.(EtcdResponse); ok && resp.Err == RespOK {
			out = append(out, compaction{rev: req.Compact.Revision, returned: op.Return})
		}
	}
	return out
}

// checkToldCompacted: a watcher created after a compaction past its start
// revision must be told it was compacted instead of getting events.
func (wc *watchChecker) checkToldCompacted(comps []compaction) {
	ws := wc.ws
	if ws.StartRev == 0 {
		return
	}
	for _, r := range ws.Responses {
		if r.CompactRevision > 0 {
			return
		}
	}
	for _, c := range comps {
		if c.returned < ws.Created && ws.StartRev < c.rev {
			wc.report(c.rev, "compaction-not-reported",
				"started at %v after compaction to %v", ws.StartRev, c.rev)
			return
		}
	}
}
