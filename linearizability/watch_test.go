package linearizability_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

// watchHistory writes revisions 2..6 (the last one a txn over two keys)
// and returns it with the responses a correct watcher of ["a", "c") from
// revision 2 with PrevKv receives.
func watchHistory() (lin.History, []lin.WatchDelivery) {
	txn := lin.EtcdRequest{Txn: &etcdapi.TxnRequest{
		Success: []*etcdapi.RequestOp{putOp("a", "3"), putOp("b", "2")}}}
	h := (&builder{}).
		op(0, 10, 20, put("a", "1"), putOK(2)).
		op(0, 30, 40, put("b", "1"), putOK(3)).
		op(0, 50, 60, put("a", "2"), putOK(4)).
		op(0, 70, 80, del("a"), deleted(5, 1)).
		op(0, 90, 100, txn, txnOK(6, true, putResult(), putResult())).h
	a1, a2, b1 := kv("a", "1", 2, 2, 1), kv("a", "2", 2, 4, 2), kv("b", "1", 3, 3, 1)
	rs := []lin.WatchDelivery{
		watchEvents(21, 2, putEvent(a1, nil)),
		watchEvents(41, 3, putEvent(b1, nil)),
		watchEvents(61, 4, putEvent(a2, a1)),
		watchEvents(65, 4), // a progress notification
		watchEvents(81, 5, &etcdapi.Event{Type: etcdapi.DELETE,
			Kv: &etcdapi.KeyValue{Key: []byte("a"), ModRevision: 5}, PrevKv: a2}),
		watchEvents(101, 6, putEvent(kv("a", "3", 6, 6, 1), nil), putEvent(kv("b", "2", 3, 6, 2), b1)),
	}
	return h, rs
}

func putEvent(kv, prev *etcdapi.KeyValue) *etcdapi.Event {
	return &etcdapi.Event{Type: etcdapi.PUT, Kv: kv, PrevKv: prev}
}

// watchEvents is a response received at t with header revision rev (0:
// none); without events, it is a progress notification.
func watchEvents(t lin.Time, rev int64, evs ...*etcdapi.Event) lin.WatchDelivery {
	r := &etcdapi.WatchResponse{Events: evs}
	if rev != 0 {
		r.Header = &etcdapi.ResponseHeader{Revision: rev}
	}
	return lin.WatchDelivery{Time: t, Response: r}
}

// watcher watches ["a", "c") from revision 2 with PrevKv.
func watcher(created lin.Time, rs []lin.WatchDelivery) lin.WatchStream {
	return lin.WatchStream{Created: created, Responses: rs, Request: &etcdapi.WatchCreateRequest{
		Key: []byte("a"), RangeEnd: []byte("c"), StartRevision: 2, PrevKv: true}}
}

func checkWatch(t *testing.T, h lin.History, ws lin.WatchStream) []lin.WatchViolation {
	t.Helper()
	h.Watches = []lin.WatchStream{ws}
	res, err := lin.Check(h, lin.Options{})
	require.NoError(t, err)
	require.Equal(t, lin.Linearizable, res.Verdict)
	require.Equal(t, len(res.WatchViolations) > 0, res.Failed())
	return res.WatchViolations
}

func TestWatchCorrectStreamPasses(t *testing.T) {
	h, rs := watchHistory()
	ws := watcher(5, rs)
	require.Empty(t, checkWatch(t, h, ws))

	// A watcher of "b" alone, without PrevKv, sees only b's events; a
	// creation response is skipped.
	created := watchEvents(6, 1)
	created.Response.Created = true
	only := lin.WatchStream{Created: 5, Request: &etcdapi.WatchCreateRequest{Key: []byte("b"),
		StartRevision: 2}, Responses: []lin.WatchDelivery{created,
		watchEvents(41, 0, putEvent(kv("b", "1", 3, 3, 1), nil)),
		watchEvents(101, 0, putEvent(kv("b", "2", 3, 6, 2), nil)),
	}}
	require.Empty(t, checkWatch(t, h, only))

	// A watcher of deletes alone (filter NOPUT) sees the delete of "a".
	dels := watcher(5, []lin.WatchDelivery{watchEvents(81, 5, &etcdapi.Event{
		Type: etcdapi.DELETE, Kv: &etcdapi.KeyValue{Key: []byte("a"), ModRevision: 5}})})
	dels.Request.PrevKv = false
	dels.Request.Filters = []etcdapi.WatchCreateRequest_FilterType{etcdapi.WatchCreateRequest_NOPUT}
	require.Empty(t, checkWatch(t, h, dels))
}

func TestWatchViolations(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(rs []lin.WatchDelivery) []lin.WatchDelivery
		want   string
	}{
		{"gap", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			return append(rs[:1:1], rs[2:]...)
		}, "missing-event"},
		{"duplicate", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[0].Response.Events = append(rs[0].Response.Events, rs[0].Response.Events[0])
			return rs
		}, "duplicate-event"},
		{"out of order", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[1].Response, rs[2].Response = rs[2].Response, rs[1].Response
			return rs
		}, "out-of-order"},
		{"wrong prev kv", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[2].Response.Events[0].PrevKv = nil
			return rs
		}, "wrong-prev-kv"},
		{"wrong value", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[2].Response.Events[0].Kv = kv("a", "9", 2, 4, 2)
			return rs
		}, "wrong-event"},
		{"wrong version", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[2].Response.Events[0].Kv = kv("a", "2", 4, 4, 1)
			return rs
		}, "wrong-event"},
		{"split revision", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			evs := rs[5].Response.Events
			return append(rs[:5:5], watchEvents(101, 6, evs[0]), watchEvents(102, 6, evs[1:]...))
		}, "split-revision"},
		{"progress ahead of events", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[3].Response.Header.Revision = 5
			return rs
		}, "progress-ahead"},
		{"event nobody wrote", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			return append(rs, watchEvents(200, 0, putEvent(kv("a", "4", 6, 7, 2), nil)))
		}, "phantom-event"},
		{"header behind its events", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[2].Response.Header.Revision = 3
			return rs
		}, "header-behind"},
		{"event outside the range", func(rs []lin.WatchDelivery) []lin.WatchDelivery {
			rs[0].Response.Events[0].Kv = kv("z", "1", 2, 2, 1)
			return rs
		}, "unwanted-event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, rs := watchHistory()
			ws := watcher(5, tt.mutate(rs))
			vs := checkWatch(t, h, ws)
			require.NotEmpty(t, vs)
			kinds := make([]string, len(vs))
			for i, v := range vs {
				kinds[i] = v.Kind
			}
			require.Contains(t, kinds, tt.want, "%v", vs)
		})
	}
}

func TestWatchResumptionWithoutLoss(t *testing.T) {
	h, rs := watchHistory()
	// The stream broke after revision 3 and resumed from 4: fine.
	ws := watcher(5, rs)
	require.Empty(t, checkWatch(t, h, ws))
	// Resumed from 5 instead: revision 4 is lost.
	lossy := ws
	lossy.Responses = append(append([]lin.WatchDelivery(nil), rs[:2]...), rs[4:]...)
	vs := checkWatch(t, h, lossy)
	require.Len(t, vs, 1)
	require.Equal(t, "missing-event", vs[0].Kind)
	require.Equal(t, lin.Revision(4), vs[0].Revision)
}

func TestWatchCompactedWatcherIsTold(t *testing.T) {
	h, rs := watchHistory()
	h.Ops = append(h.Ops, lin.Operation{ID: 99, Call: 102, Return: 103,
		Input:  lin.EtcdRequest{Compact: &etcdapi.CompactionRequest{Revision: 4}},
		Output: lin.EtcdResponse{Revision: 6, Compact: &etcdapi.CompactionResponse{}}})
	late := watcher(200, rs)
	vs := checkWatch(t, h, late)
	require.Len(t, vs, 1)
	require.Equal(t, "compaction-not-reported", vs[0].Kind)

	told := late
	told.Responses = []lin.WatchDelivery{{Time: 201, Response: &etcdapi.WatchResponse{
		Canceled: true, CompactRevision: 4}}}
	require.Empty(t, checkWatch(t, h, told))
}

// A watch from the current revision (StartRevision 0) is checked from the
// revision after its Created response's header: a progress notification
// then vouches for the revisions between, and only for them, even before
// any event arrives.
func TestWatchFromNowStartsAfterItsCreatedRevision(t *testing.T) {
	h, rs := watchHistory()
	created := watchEvents(45, 3)
	created.Response.Created = true
	fromNow := func(rs ...lin.WatchDelivery) lin.WatchStream {
		ws := watcher(44, append([]lin.WatchDelivery{created}, rs...))
		ws.Request.StartRevision = 0
		return ws
	}
	// Created at 3: revisions 4 to 6 are due, and delivered.
	require.Empty(t, checkWatch(t, h, fromNow(rs[2:]...)))
	// A progress notification at 4 before any event: revision 4 is lost.
	vs := checkWatch(t, h, fromNow(watchEvents(62, 4), rs[4], rs[5]))
	require.NotEmpty(t, vs)
	require.Equal(t, "progress-ahead", vs[0].Kind)
	require.Equal(t, lin.Revision(4), vs[0].Revision)
	// Nothing but progress at 6 on a watch of "z", which nobody writes.
	z := fromNow(watchEvents(101, 6))
	z.Request.Key, z.Request.RangeEnd = []byte("z"), nil
	require.Empty(t, checkWatch(t, h, z))
	// Without a Created response or an event nothing says where the
	// watch began: its progress notifications vouch for nothing.
	bare := watcher(44, []lin.WatchDelivery{watchEvents(101, 6)})
	bare.Request.StartRevision = 0
	require.Empty(t, checkWatch(t, h, bare))
}
