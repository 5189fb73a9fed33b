package mvcc

import (
	"bytes"
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// WatchID names a watch within its stream.
type WatchID int64

// String formats the ID for traces.
func (id WatchID) String() string { return fmt.Sprintf("watch%d", int64(id)) }

// Bounds of the watch machinery, as etcd's watchable store sets them.
const (
	// streamBufferMax is how many event responses a stream holds before its
	// watchers fall behind and catch up from history (etcd's chanBufLen).
	streamBufferMax = 128
	// watchBatchRevsMax bounds the revisions one catch-up response carries
	// (etcd's watchBatchMaxRevs).
	watchBatchRevsMax = 1000
	// watchersPerStreamMax bounds the watchers of one stream.
	watchersPerStreamMax = 10000
	// progressWatchID is the WatchId of a RequestProgress answer (etcd's
	// InvalidWatchID).
	progressWatchID = -1
)

// watcher is one watch: a key or range, a next revision, filters.
//
// Invariant: a synced watcher has seen every event below nextRev and gets
// later ones as they happen; an unsynced one catches up from history.
type watcher struct {
	id  WatchID
	key []byte
	// end is nil for one key, empty for every key from key on.
	end []byte
	// nextRev is the first revision not yet delivered (etcd's minRev).
	nextRev        int64
	synced         bool
	noPut          bool
	noDelete       bool
	prevKV         bool
	progressNotify bool
	// sentSinceTick records events sent since the last ProgressNotifyTick.
	sentSinceTick bool
}

func (w *watcher) contains(key []byte) bool {
	if w.end == nil {
		return bytes.Equal(w.key, key)
	}
	return bytes.Compare(w.key, key) <= 0 && (len(w.end) == 0 || bytes.Compare(key, w.end) < 0)
}

// filter returns the events w wants, as fresh Event values (PrevKv added
// if asked); the Kv pointers are shared and MUST NOT be modified.
func (w *watcher) filter(s *Store, evs []etcdapi.Event) []*etcdapi.Event {
	var out []*etcdapi.Event
	for i := range evs {
		ev := &evs[i]
		if !w.contains(ev.Kv.Key) || ev.Type == etcdapi.PUT && w.noPut ||
			ev.Type == etcdapi.DELETE && w.noDelete {
			continue
		}
		e := &etcdapi.Event{Type: ev.Type, Kv: ev.Kv}
		if w.prevKV && !(ev.Type == etcdapi.PUT && ev.Kv.CreateRevision == ev.Kv.ModRevision) {
			at := rangeOptions{rev: ev.Kv.ModRevision - 1}
			kvs, _, err := s.rangeKeys(ev.Kv.Key, nil, s.currentRev, at)
			if err == nil && len(kvs) > 0 {
				e.PrevKv = kvs[0]
			}
		}
		out = append(out, e)
	}
	return out
}

// watchHub holds every open stream of a store, in creation order.
type watchHub struct {
	streams []*WatchStream
}

func newWatchHub() *watchHub { return &watchHub{} }

// changesToEvents turns a txn's changes into events; a tombstone (no
// CreateRevision) is a DELETE carrying Key and ModRevision only.
func changesToEvents(changes []etcdapi.KeyValue) []etcdapi.Event {
	kvs := make([]etcdapi.KeyValue, len(changes))
	copy(kvs, changes)
	evs := make([]etcdapi.Event, len(kvs))
	for i := range kvs {
		evs[i].Kv = &kvs[i]
		if kvs[i].CreateRevision == 0 {
			evs[i].Type = etcdapi.DELETE
		}
	}
	return evs
}

// notify hands the events of revision rev to every synced watcher. A
// watcher whose stream buffer is full falls behind: it stays at rev and
// catches up from history in a later Poll. Watchers that take every event
// as is share one event slice and one header.
func (h *watchHub) notify(s *Store, rev int64, changes []etcdapi.KeyValue) {
	if len(h.streams) == 0 {
		return
	}
	var n notification
	for _, ws := range h.streams {
		for _, id := range ws.order {
			w := ws.watchers[id]
			if !w.synced || w.nextRev > rev {
				continue
			}
			if len(ws.queue) >= streamBufferMax {
				w.synced = false
				w.nextRev = rev
				s.mark(MarkWatchFellBehind)
				continue
			}
			w.nextRev = rev + 1
			if out := n.eventsFor(s, w, rev, changes); len(out) > 0 {
				ws.push(etcdapi.WatchResponse{Header: n.hdr, WatchId: int64(w.id), Events: out})
				w.sentSinceTick = true
			}
		}
	}
}

// notification builds, once per revision, what notify shares.
type notification struct {
	evs    []etcdapi.Event
	shared []*etcdapi.Event
	hdr    *etcdapi.ResponseHeader
}

// eventsFor returns w's events of the revision. The result MUST NOT be
// modified: it may be shared with other watchers.
func (n *notification) eventsFor(s *Store, w *watcher, rev int64,
	changes []etcdapi.KeyValue) []*etcdapi.Event {
	if n.evs == nil {
		n.evs = changesToEvents(changes)
		n.hdr = &etcdapi.ResponseHeader{Revision: rev}
	}
	if w.prevKV || w.noPut || w.noDelete {
		return w.filter(s, n.evs)
	}
	for i := range n.evs {
		if !w.contains(n.evs[i].Kv.Key) {
			return w.filter(s, n.evs)
		}
	}
	if n.shared == nil {
		n.shared = make([]*etcdapi.Event, len(n.evs))
		for i := range n.evs {
			n.shared[i] = &n.evs[i]
		}
	}
	return n.shared
}

// remove detaches a closed stream.
func (h *watchHub) remove(ws *WatchStream) {
	for i, o := range h.streams {
		if o == ws {
			h.streams = append(h.streams[:i], h.streams[i+1:]...)
			return
		}
	}
}

// checkInvariants asserts every stream's shape; whole-structure.
func (h *watchHub) checkInvariants(currentRev int64) {
	for _, ws := range h.streams {
		assertf(len(ws.order) == len(ws.watchers), "stream: %d ordered, %d watchers",
			len(ws.order), len(ws.watchers))
		for i, id := range ws.order {
			w := ws.watchers[id]
			assertf(w != nil && w.id == id, "stream: watcher %v missing", id)
			assertf(i == 0 || ws.order[i-1] < id, "stream: watch order broken at %v", id)
			assertf(!w.synced || w.nextRev > currentRev, "synced %v behind: %d <= %d",
				id, w.nextRev, currentRev)
		}
	}
}
