package linearizability

import "fmt"

// EventType is the kind of a watch event.
type EventType uint8

// Event types, as mvccpb.Event_EventType.
const (
	EventPut EventType = iota
	EventDelete
)

// String prints "put" or "delete".
func (t EventType) String() string {
	if t == EventDelete {
		return "delete"
	}
	return "put"
}

// WatchEvent is one event as a watcher received it. A delete's KV carries
// the key and the deleting revision as ModRevision.
type WatchEvent struct {
	Type   EventType
	KV     KeyValue
	PrevKv *KeyValue
	// IsCreate is what the client library reported (etcd's
	// Event.IsCreate); it must be true exactly for a put of version 1.
	IsCreate bool
}

// WatchResponse is one message of a watch stream.
type WatchResponse struct {
	Time Time
	// Revision is the header revision; for a progress notification it
	// vouches that every event up to it was delivered.
	Revision Revision
	Events   []WatchEvent
	Progress bool
	// CompactRevision > 0 tells the watcher its start revision was
	// compacted; the stream ends.
	CompactRevision Revision
}

// WatchStream is one logical watcher over [Key, RangeEnd): the responses
// of its first stream and of every stream resumed after a disconnect, in
// the order the client received them.
type WatchStream struct {
	Client        ClientID
	Key, RangeEnd string
	// Created is when the first stream was opened.
	Created Time
	// StartRev is the first revision asked for (0: unknown, events are
	// checked from the first delivered one).
	StartRev        Revision
	PrevKv          bool
	NoPut, NoDelete bool
	Responses       []WatchResponse
}

// WatchViolation is a broken watch guarantee.
type WatchViolation struct {
	// Watch indexes History.Watches.
	Watch    int
	Client   ClientID
	Revision Revision
	// Kind names the guarantee, e.g. "missing-event", "duplicate-event".
	Kind   string
	Detail string
}

// String prints the violation on one line.
func (v WatchViolation) String() string {
	return fmt.Sprintf("watch %d (%v) at %v: %s: %s", v.Watch, v.Client, v.Revision, v.Kind, v.Detail)
}

// valid checks a stream's own structure.
func (ws *WatchStream) valid() error {
	if ws.Key == "" {
		return fmt.Errorf("%w: empty key", ErrBadWatch)
	}
	for i, r := range ws.Responses {
		if i > 0 && r.Time < ws.Responses[i-1].Time {
			return fmt.Errorf("%w: response %d received before response %d", ErrBadWatch, i, i-1)
		}
		if r.Progress && len(r.Events) > 0 {
			return fmt.Errorf("%w: progress notification %d carries events", ErrBadWatch, i)
		}
	}
	return nil
}

// wants reports whether the watcher should receive ev.
func (ws *WatchStream) wants(ev WatchEvent) bool {
	if !inRange(ev.KV.Key, ws.Key, ws.RangeEnd) {
		return false
	}
	if ev.Type == EventPut {
		return !ws.NoPut
	}
	return !ws.NoDelete
}

// expectedFor lists the events of w the watcher should get, in key order.
func (ws *WatchStream) expectedFor(w revisionWrite) []WatchEvent {
	var evs []WatchEvent
	for _, ev := range w.events {
		if ws.wants(ev) {
			if !ws.PrevKv {
				ev.PrevKv = nil
			}
			ev.IsCreate = ev.Type == EventPut && ev.KV.Version == 1
			evs = append(evs, ev)
		}
	}
	return evs
}

// checkWatches checks every stream against the linearized writes.
//
// Past the last linearized write, an event is only a phantom when
// tailCertain: an indeterminate write may have created it, though the
// linearization placed it after the end.
func checkWatches(watches []WatchStream, writes []revisionWrite,
	comps []compaction, tailCertain bool) []WatchViolation {
	var out []WatchViolation
	for i := range watches {
		wc := watchChecker{ws: &watches[i], index: i, writes: writes, tailCertain: tailCertain}
		wc.run()
		wc.checkToldCompacted(comps)
		out = append(out, wc.violations...)
	}
	return out
}

// watchChecker walks one stream beside the linearized writes.
type watchChecker struct {
	ws     *WatchStream
	index  int
	writes []revisionWrite
	// tailCertain: no indeterminate write could follow the last write.
	tailCertain bool
	// next indexes the first write not yet accounted for.
	next int
	// lastRev is the revision of the last event delivered.
	lastRev    Revision
	seen       map[string]bool // "rev/key" of delivered events
	violations []WatchViolation
}

func (wc *watchChecker) report(rev Revision, kind, format string, args ...any) {
	wc.violations = append(wc.violations, WatchViolation{Watch: wc.index,
		Client: wc.ws.Client, Revision: rev, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

func (wc *watchChecker) run() {
	wc.seen = make(map[string]bool)
	start := wc.ws.StartRev
	if start == 0 && len(wc.ws.Responses) > 0 {
		start = firstEventRev(wc.ws.Responses)
	}
	for wc.next < len(wc.writes) && wc.writes[wc.next].rev < start {
		wc.next++
	}
	for _, r := range wc.ws.Responses {
		switch {
		case r.CompactRevision > 0:
			wc.checkCompacted(r)
			return
		case r.Progress:
			wc.skipTo(r.Revision, "progress-ahead")
		default:
			wc.checkResponse(r)
		}
	}
}

func firstEventRev(rs []WatchResponse) Revision {
	for _, r := range rs {
		if len(r.Events) > 0 {
			return r.Events[0].KV.ModRevision
		}
	}
	return 0
}

// skipTo accounts for every write up to rev, which the watcher vouches it
// has seen: each one it wanted and did not get is a violation of kind.
func (wc *watchChecker) skipTo(rev Revision, kind string) {
	for wc.next < len(wc.writes) && wc.writes[wc.next].rev <= rev {
		w := wc.writes[wc.next]
		wc.next++
		if w.uncertain || w.rev <= wc.lastRev {
			continue
		}
		if exp := wc.ws.expectedFor(w); len(exp) > 0 {
			wc.report(w.rev, kind, "%d event(s) of %v never delivered", len(exp), w.rev)
		}
	}
}

// checkResponse checks one response's events, revision by revision.
func (wc *watchChecker) checkResponse(r WatchResponse) {
	evs := r.Events
	if n := len(evs); n > 0 && r.Revision > 0 && r.Revision < evs[n-1].KV.ModRevision {
		wc.report(r.Revision, "header-behind", "response header %v precedes its event at %v",
			r.Revision, evs[n-1].KV.ModRevision)
	}
	for len(evs) > 0 {
		rev := evs[0].KV.ModRevision
		n := 1
		for n < len(evs) && evs[n].KV.ModRevision == rev {
			n++
		}
		wc.checkRevision(rev, evs[:n])
		evs = evs[n:]
	}
}

// checkRevision checks the events of one revision delivered together.
func (wc *watchChecker) checkRevision(rev Revision, got []WatchEvent) {
	if rev < wc.lastRev {
		wc.report(rev, "out-of-order", "%v delivered after %v", rev, wc.lastRev)
		return
	}
	if rev == wc.lastRev {
		wc.report(rev, "split-revision", "events of %v delivered in two responses", rev)
	}
	for _, ev := range got {
		id := fmt.Sprintf("%d/%s", ev.KV.ModRevision, ev.KV.Key)
		if wc.seen[id] {
			wc.report(rev, "duplicate-event", "%q at %v delivered twice", ev.KV.Key, rev)
		}
		wc.seen[id] = true
		if !wc.ws.wants(ev) {
			wc.report(rev, "unwanted-event", "%v of %q is outside the watch", ev.Type, ev.KV.Key)
		}
	}
	wc.skipTo(rev-1, "missing-event")
	if wc.next < len(wc.writes) && wc.writes[wc.next].rev == rev {
		w := wc.writes[wc.next]
		wc.next++
		if !w.uncertain {
			wc.compareEvents(rev, w.loose, wc.ws.expectedFor(w), got)
		}
	} else if wc.tailCertain || len(wc.writes) == 0 || rev <= wc.writes[len(wc.writes)-1].rev {
		wc.report(rev, "phantom-event", "no write created %v", rev)
	}
	wc.lastRev = rev
}
