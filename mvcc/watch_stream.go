package mvcc

import (
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// WatchStream is one client's watch connection, etcd's watchStream without
// goroutines: Watch and Cancel change it, and Poll drains the responses
// that are ready. The cluster calls Poll after each applied entry.
// A stream is driven from the store's goroutine.
type WatchStream struct {
	s        *Store
	watchers map[WatchID]*watcher
	// order lists the watch IDs ascending; notify and Poll visit them so.
	order  []WatchID
	nextID WatchID
	// queue holds ready responses, oldest first. Event responses stop at
	// streamBufferMax; control responses (created, canceled) may exceed it.
	queue []etcdapi.WatchResponse
	// progressPending records a RequestProgress not yet answered because a
	// watcher was catching up.
	progressPending bool
	closed          bool
}

// NewWatchStream opens a watch stream on the store.
func (s *Store) NewWatchStream() *WatchStream {
	ws := &WatchStream{s: s, watchers: make(map[WatchID]*watcher)}
	s.hub.streams = append(s.hub.streams, ws)
	return ws
}

func (ws *WatchStream) push(r etcdapi.WatchResponse) { ws.queue = append(ws.queue, r) }

// Watch creates a watch and queues its Created response. StartRevision 0
// watches from the next revision; a past one replays history first; one
// below the compaction later yields a canceled response carrying
// CompactRevision. RangeEnd "\x00" watches every key from Key on. It returns
// etcdapi.ErrCompacted for a negative StartRevision, before any other check:
// etcd (v3.6.6 and later, v3.7) refuses such a watch at once, with a
// created and canceled response whose watch ID is -1 and whose CancelReason
// is that error's text (server/etcdserver/api/v3rpc/watch.go recvLoop).
// It also returns ErrEmptyWatcherRange, ErrWatcherDuplicateID,
// ErrTooManyWatchers and ErrClosed.
func (ws *WatchStream) Watch(r *etcdapi.WatchCreateRequest) (WatchID, error) {
	if r == nil {
		r = &etcdapi.WatchCreateRequest{} // a nil message is an empty one, as in protobuf
	}
	if ws.closed || ws.s.closed {
		return -1, ErrClosed
	}
	if r.StartRevision < 0 {
		return -1, etcdapi.ErrCompacted
	}
	end := mkGteRange(r.RangeEnd)
	if len(end) != 0 && string(r.Key) >= string(end) {
		return -1, ErrEmptyWatcherRange
	}
	if len(ws.watchers) >= watchersPerStreamMax {
		return -1, ErrTooManyWatchers
	}
	id := WatchID(r.WatchId)
	if id != 0 && ws.watchers[id] != nil {
		return -1, ErrWatcherDuplicateID
	}
	if id == 0 {
		for ws.watchers[ws.nextID] != nil {
			ws.nextID++
		}
		id = ws.nextID
		ws.nextID++
	}
	w := &watcher{id: id, key: append([]byte(nil), r.Key...), end: cloneEnd(end),
		prevKV: r.PrevKv, progressNotify: r.ProgressNotify}
	for _, f := range r.Filters {
		w.noPut = w.noPut || f == etcdapi.WatchCreateRequest_NOPUT
		w.noDelete = w.noDelete || f == etcdapi.WatchCreateRequest_NODELETE
	}
	cur := ws.s.currentRev
	// As etcd: 0 means the next revision.
	w.nextRev, w.synced = r.StartRevision, false
	if r.StartRevision > cur || r.StartRevision == 0 {
		w.nextRev, w.synced = max(cur+1, r.StartRevision), true
	}
	ws.watchers[id] = w
	i := sort.Search(len(ws.order), func(i int) bool { return ws.order[i] >= id })
	ws.order = append(ws.order, 0)
	copy(ws.order[i+1:], ws.order[i:])
	ws.order[i] = id
	ws.push(etcdapi.WatchResponse{Header: ws.s.header(), WatchId: int64(id), Created: true})
	return id, nil
}

func cloneEnd(end []byte) []byte {
	if end == nil {
		return nil
	}
	return append([]byte{}, end...)
}

// Cancel removes a watch, drops its queued event responses and queues its
// Canceled response. It returns ErrWatcherNotExist.
func (ws *WatchStream) Cancel(id WatchID) error {
	if ws.watchers[id] == nil {
		return ErrWatcherNotExist
	}
	ws.drop(id)
	kept := ws.queue[:0]
	for _, r := range ws.queue {
		if r.WatchId != int64(id) || r.Created {
			kept = append(kept, r) // the client still sees created before canceled
		}
	}
	clear(ws.queue[len(kept):])
	ws.queue = kept
	ws.push(etcdapi.WatchResponse{Header: ws.s.header(), WatchId: int64(id), Canceled: true})
	return nil
}

// drop forgets a watcher.
func (ws *WatchStream) drop(id WatchID) {
	delete(ws.watchers, id)
	i := sort.Search(len(ws.order), func(i int) bool { return ws.order[i] >= id })
	assertf(i < len(ws.order) && ws.order[i] == id, "drop of unordered %v", id)
	ws.order = append(ws.order[:i], ws.order[i+1:]...)
}

// RequestProgress asks for a progress notification (WatchId -1, header at
// the current revision) once every watcher of the stream is caught up.
func (ws *WatchStream) RequestProgress() {
	ws.progressPending = true
	ws.maybeProgress()
}

// maybeProgress answers a pending RequestProgress once every watcher of
// the stream is caught up.
func (ws *WatchStream) maybeProgress() {
	if !ws.progressPending {
		return
	}
	for _, id := range ws.order {
		if !ws.watchers[id].synced {
			return
		}
	}
	ws.progressPending = false
	ws.push(etcdapi.WatchResponse{Header: ws.s.header(), WatchId: progressWatchID})
}

// ProgressNotifyTick is etcd's periodic progress report: every caught-up
// watcher created with ProgressNotify that got no events since the last
// tick gets an empty response at the current revision. The cluster calls
// it on its progress interval (etcd: 10 minutes).
func (ws *WatchStream) ProgressNotifyTick() {
	for _, id := range ws.order {
		w := ws.watchers[id]
		if w.progressNotify && w.synced && !w.sentSinceTick {
			ws.push(etcdapi.WatchResponse{Header: ws.s.header(), WatchId: int64(id)})
		}
		w.sentSinceTick = false
	}
}

// Poll lets lagging watchers catch up from history while the buffer has
// room, then returns up to max ready responses (all when max <= 0), oldest
// first. Events of one revision are never split across responses.
// Contract: a response's Header, Events and key-values may be shared with
// other watchers' responses and MUST NOT be modified; copy the header
// BEFORE filling in ClusterId, MemberId or RaftTerm.
func (ws *WatchStream) Poll(max int) []etcdapi.WatchResponse {
	for _, id := range ws.unsynced() {
		if w := ws.watchers[id]; w != nil && len(ws.queue) < streamBufferMax {
			ws.syncWatcher(w)
		}
	}
	ws.maybeProgress()
	n := len(ws.queue)
	if max > 0 && max < n {
		n = max
	}
	if n == 0 {
		return nil
	}
	out := make([]etcdapi.WatchResponse, n)
	copy(out, ws.queue)
	ws.queue = append(ws.queue[:0], ws.queue[n:]...)
	return out
}

// unsynced lists the watchers catching up, in ID order (nil when none).
func (ws *WatchStream) unsynced() []WatchID {
	var ids []WatchID
	for _, id := range ws.order {
		if !ws.watchers[id].synced {
			ids = append(ids, id)
		}
	}
	return ids
}

// Close cancels every watch of the stream and detaches it from the store.
func (ws *WatchStream) Close() {
	if ws.closed {
		return
	}
	ws.closed = true
	ws.s.hub.remove(ws)
	ws.watchers, ws.order, ws.queue = map[WatchID]*watcher{}, nil, nil
}

// syncWatcher is etcd's syncWatchers for one watcher: a watcher behind the
// compaction is canceled with CompactRevision; otherwise up to
// watchBatchRevsMax revisions of history are replayed.
func (ws *WatchStream) syncWatcher(w *watcher) {
	s := ws.s
	if w.nextRev < s.compactRev {
		s.mark(MarkWatchCompacted)
		ws.drop(w.id)
		ws.push(etcdapi.WatchResponse{Header: &etcdapi.ResponseHeader{}, WatchId: int64(w.id),
			CompactRevision: s.compactRev, Canceled: true})
		return
	}
	if w.nextRev > s.currentRev {
		w.synced = true // ahead of a store restored from an older snapshot
		return
	}
	evs, next := s.history(w, w.nextRev, s.currentRev)
	w.nextRev = next
	w.synced = next > s.currentRev
	if out := w.filter(s, evs); len(out) > 0 {
		ws.push(etcdapi.WatchResponse{Header: s.header(), WatchId: int64(w.id), Events: out})
		w.sentSinceTick = true
	}
}

// history returns the stored events in w's range from revision lo to hi,
// at most watchBatchRevsMax revisions, and the first revision not covered.
func (s *Store) history(w *watcher, lo, hi int64) ([]etcdapi.Event, int64) {
	var evs []etcdapi.Event
	revs, next := 0, hi+1
	err := s.be.scan(revision{main: lo}, revision{main: hi + 1}, func(r *record) bool {
		if len(evs) > 0 && r.rev.main != evs[len(evs)-1].Kv.ModRevision {
			revs++
		}
		if revs == watchBatchRevsMax {
			next = r.rev.main
			return false
		}
		if !w.contains(r.kv.Key) {
			return true
		}
		kv := r.kv
		ev := etcdapi.Event{Type: etcdapi.PUT, Kv: &kv}
		if r.tomb {
			ev.Type = etcdapi.DELETE
			kv.ModRevision = r.rev.main
		}
		evs = append(evs, ev)
		return true
	})
	must(err)
	return evs, next
}
