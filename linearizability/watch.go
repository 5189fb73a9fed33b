package linearizability

import (
	"fmt"
	"math"

	"etcdsim/mvcc/etcdapi"
)

// WatchStream is one logical watcher: the create request of its first
// stream, and the responses of that stream and of every stream resumed
// after a disconnect, in the order the client received them.
type WatchStream struct {
	Client ClientID
	// Request is the first stream's create request. Its Key, RangeEnd,
	// StartRevision, Filters and PrevKv are read. StartRevision 0 watches
	// from the current revision: events are checked from the one after the
	// header revision of the first Created response recorded, else from
	// the first delivered event; a stream with neither has nothing to
	// check.
	Request *etcdapi.WatchCreateRequest
	// Created is when the first stream was opened.
	Created   Time
	Responses []WatchDelivery
}

// WatchDelivery is one response of a watch stream and when the client
// received it. A response with events is checked against the linearized
// writes; a progress notification (Response.IsProgressNotify) vouches
// that every event up to its header revision was delivered; a response
// with CompactRevision set tells the watcher its start revision was
// compacted, and ends the stream. Other responses without events (created,
// canceled) are skipped.
type WatchDelivery struct {
	Time     Time
	Response *etcdapi.WatchResponse
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
	if ws.Request == nil || len(ws.Request.Key) == 0 {
		return fmt.Errorf("%w: no create request, or an empty key", ErrBadWatch)
	}
	for _, f := range ws.Request.Filters {
		if f != etcdapi.WatchCreateRequest_NOPUT && f != etcdapi.WatchCreateRequest_NODELETE {
			return fmt.Errorf("%w: filter %d", ErrBadWatch, f)
		}
	}
	for i, d := range ws.Responses {
		if d.Response == nil {
			return fmt.Errorf("%w: response %d is nil", ErrBadWatch, i)
		}
		if i > 0 && d.Time < ws.Responses[i-1].Time {
			return fmt.Errorf("%w: response %d received before response %d", ErrBadWatch, i, i-1)
		}
		for _, ev := range d.Response.Events {
			if ev == nil || ev.Kv == nil {
				return fmt.Errorf("%w: response %d has an event without a key-value", ErrBadWatch, i)
			}
			if ev.Type != etcdapi.PUT && ev.Type != etcdapi.DELETE {
				return fmt.Errorf("%w: response %d has an event of type %d", ErrBadWatch, i, ev.Type)
			}
		}
	}
	return nil
}

// filters reports whether the watcher's request drops puts and deletes.
func (ws *WatchStream) filters() (noPut, noDelete bool) {
	for _, f := range ws.Request.Filters {
		noPut = noPut || f == etcdapi.WatchCreateRequest_NOPUT
		noDelete = noDelete || f == etcdapi.WatchCreateRequest_NODELETE
	}
	return noPut, noDelete
}

// wants reports whether the watcher should receive ev.
func (ws *WatchStream) wants(ev *etcdapi.Event) bool {
	if !inRange(ev.Kv.Key, ws.Request.Key, ws.Request.RangeEnd) {
		return false
	}
	noPut, noDelete := ws.filters()
	if ev.Type == etcdapi.PUT {
		return !noPut
	}
	return !noDelete
}

// expectedFor lists the events of w the watcher should get, in key order.
func (ws *WatchStream) expectedFor(w revisionWrite) []*etcdapi.Event {
	var evs []*etcdapi.Event
	for _, ev := range w.events {
		if !ws.wants(ev) {
			continue
		}
		if !ws.Request.PrevKv && ev.PrevKv != nil {
			c := *ev
			c.PrevKv = nil
			ev = &c
		}
		evs = append(evs, ev)
	}
	return evs
}

// headerRevision returns a response's header revision, 0 if it has none.
func headerRevision(r *etcdapi.WatchResponse) Revision {
	if r.Header == nil {
		return 0
	}
	return Revision(r.Header.Revision)
}

// eventTypeName names an event type in reports.
func eventTypeName(t etcdapi.Event_EventType) string {
	if t == etcdapi.DELETE {
		return "delete"
	}
	return "put"
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

// eventID names a delivered event: its revision and key.
type eventID struct {
	rev Revision
	key string
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
	seen       map[eventID]bool // delivered events
	violations []WatchViolation
}

func (wc *watchChecker) report(rev Revision, kind, format string, args ...any) {
	wc.violations = append(wc.violations, WatchViolation{Watch: wc.index,
		Client: wc.ws.Client, Revision: rev, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

func (wc *watchChecker) run() {
	wc.seen = make(map[eventID]bool)
	start := wc.ws.start()
	for wc.next < len(wc.writes) && wc.writes[wc.next].rev < start {
		wc.next++
	}
	for _, d := range wc.ws.Responses {
		r := d.Response
		switch {
		case r.CompactRevision > 0:
			wc.checkCompacted(r)
			return
		case r.IsProgressNotify():
			wc.skipTo(headerRevision(r), "progress-ahead")
		default:
			wc.checkResponse(r)
		}
	}
}

// start returns the first revision the watcher is checked from. A watch
// from the current revision (StartRevision 0) starts after the revision
// its Created response reports (etcd creates it there: v3rpc's recvLoop
// reads the stream's revision, then watches from the next one), or, with
// no Created response recorded, at its first event; with neither, past
// every revision, since nothing says where it began.
func (ws *WatchStream) start() Revision {
	if ws.Request.StartRevision != 0 {
		return Revision(ws.Request.StartRevision)
	}
	for _, d := range ws.Responses {
		r := d.Response
		if r.Created && !r.Canceled && r.Header != nil && r.Header.Revision > 0 {
			return Revision(r.Header.Revision) + 1
		}
		if len(r.Events) > 0 {
			return Revision(r.Events[0].Kv.ModRevision)
		}
	}
	return Revision(math.MaxInt64)
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
func (wc *watchChecker) checkResponse(r *etcdapi.WatchResponse) {
	evs := r.Events
	header := headerRevision(r)
	if n := len(evs); n > 0 && header > 0 && header < Revision(evs[n-1].Kv.ModRevision) {
		wc.report(header, "header-behind", "response header %v precedes its event at %v",
			header, Revision(evs[n-1].Kv.ModRevision))
	}
	for len(evs) > 0 {
		rev := Revision(evs[0].Kv.ModRevision)
		n := 1
		for n < len(evs) && Revision(evs[n].Kv.ModRevision) == rev {
			n++
		}
		wc.checkRevision(rev, evs[:n])
		evs = evs[n:]
	}
}

// checkRevision checks the events of one revision delivered together.
func (wc *watchChecker) checkRevision(rev Revision, got []*etcdapi.Event) {
	if rev < wc.lastRev {
		wc.report(rev, "out-of-order", "%v delivered after %v", rev, wc.lastRev)
		return
	}
	if rev == wc.lastRev {
		wc.report(rev, "split-revision", "events of %v delivered in two responses", rev)
	}
	for _, ev := range got {
		id := eventID{rev: Revision(ev.Kv.ModRevision), key: string(ev.Kv.Key)}
		if wc.seen[id] {
			wc.report(rev, "duplicate-event", "%q at %v delivered twice", ev.Kv.Key, rev)
		}
		wc.seen[id] = true
		if !wc.ws.wants(ev) {
			wc.report(rev, "unwanted-event", "%s of %q is outside the watch",
				eventTypeName(ev.Type), ev.Kv.Key)
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
