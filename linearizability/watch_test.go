package linearizability_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

// watchHistory writes revisions 2..6 (the last one a txn over two keys)
// and returns it with the events a correct watcher of ["a", "c") from
// revision 2 with PrevKv receives.
func watchHistory() (lin.History, []lin.WatchResponse) {
	txn := lin.EtcdRequest{Txn: &lin.TxnRequest{Success: []lin.TxnOp{
		{Put: &lin.PutRequest{Key: "a", Value: "3"}}, {Put: &lin.PutRequest{Key: "b", Value: "2"}}}}}
	h := (&builder{}).
		op(0, 10, 20, put("a", "1"), putOK(2)).
		op(0, 30, 40, put("b", "1"), putOK(3)).
		op(0, 50, 60, put("a", "2"), putOK(4)).
		op(0, 70, 80, del("a"), deleted(5, 1)).
		op(0, 90, 100, txn, lin.EtcdResponse{Revision: 6, Txn: &lin.TxnResponse{Succeeded: true,
			Responses: []lin.TxnOpResponse{{Put: &lin.PutResponse{}}, {Put: &lin.PutResponse{}}}}}).h
	a1, a2, b1 := kv("a", "1", 2, 2, 1), kv("a", "2", 2, 4, 2), kv("b", "1", 3, 3, 1)
	ev := func(k lin.KeyValue, prev *lin.KeyValue) lin.WatchEvent {
		return lin.WatchEvent{Type: lin.EventPut, KV: k, PrevKv: prev, IsCreate: k.Version == 1}
	}
	rs := []lin.WatchResponse{
		{Time: 21, Revision: 2, Events: []lin.WatchEvent{ev(a1, nil)}},
		{Time: 41, Revision: 3, Events: []lin.WatchEvent{ev(b1, nil)}},
		{Time: 61, Revision: 4, Events: []lin.WatchEvent{ev(a2, &a1)}},
		{Time: 65, Revision: 4, Progress: true},
		{Time: 81, Revision: 5, Events: []lin.WatchEvent{{Type: lin.EventDelete,
			KV: lin.KeyValue{Key: "a", ModRevision: 5}, PrevKv: &a2}}},
		{Time: 101, Revision: 6, Events: []lin.WatchEvent{ev(kv("a", "3", 6, 6, 1), nil),
			ev(kv("b", "2", 3, 6, 2), &b1)}},
	}
	return h, rs
}

// watcher watches ["a", "c") from revision 2 with PrevKv.
func watcher(created lin.Time, rs []lin.WatchResponse) lin.WatchStream {
	return lin.WatchStream{Key: "a", RangeEnd: "c", StartRev: 2, PrevKv: true, Created: created,
		Responses: rs}
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

	// A watcher of "b" alone, without PrevKv, sees only b's events.
	only := lin.WatchStream{Key: "b", StartRev: 2, Created: 5, Responses: []lin.WatchResponse{
		{Time: 41, Events: []lin.WatchEvent{
			{Type: lin.EventPut, KV: kv("b", "1", 3, 3, 1), IsCreate: true}}},
		{Time: 101, Events: []lin.WatchEvent{{Type: lin.EventPut, KV: kv("b", "2", 3, 6, 2)}}},
	}}
	require.Empty(t, checkWatch(t, h, only))
}

func TestWatchViolations(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(rs []lin.WatchResponse) []lin.WatchResponse
		want   string
	}{
		{"gap", func(rs []lin.WatchResponse) []lin.WatchResponse {
			return append(rs[:1:1], rs[2:]...)
		}, "missing-event"},
		{"duplicate", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[0].Events = append(rs[0].Events, rs[0].Events[0])
			return rs
		}, "duplicate-event"},
		{"out of order", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[1].Events, rs[2].Events = rs[2].Events, rs[1].Events
			return rs
		}, "out-of-order"},
		{"wrong prev kv", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[2].Events[0].PrevKv = nil
			return rs
		}, "wrong-prev-kv"},
		{"wrong is-create", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[2].Events[0].IsCreate = true
			return rs
		}, "wrong-is-create"},
		{"wrong value", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[2].Events[0].KV.Value = "9"
			return rs
		}, "wrong-event"},
		{"split revision", func(rs []lin.WatchResponse) []lin.WatchResponse {
			last := rs[5]
			first, second := last, last
			first.Events, second.Events = last.Events[:1], last.Events[1:]
			return append(rs[:5:5], first, second)
		}, "split-revision"},
		{"progress ahead of events", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[3].Revision = 5
			return rs
		}, "progress-ahead"},
		{"event nobody wrote", func(rs []lin.WatchResponse) []lin.WatchResponse {
			return append(rs, lin.WatchResponse{Time: 200, Events: []lin.WatchEvent{
				{Type: lin.EventPut, KV: kv("a", "4", 6, 7, 2)}}})
		}, "phantom-event"},
		{"header behind its events", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[2].Revision = 3
			return rs
		}, "header-behind"},
		{"event outside the range", func(rs []lin.WatchResponse) []lin.WatchResponse {
			rs[0].Events[0].KV.Key = "z"
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
	lossy.Responses = append(append([]lin.WatchResponse(nil), rs[:2]...), rs[4:]...)
	vs := checkWatch(t, h, lossy)
	require.Len(t, vs, 1)
	require.Equal(t, "missing-event", vs[0].Kind)
	require.Equal(t, lin.Revision(4), vs[0].Revision)
}

func TestWatchCompactedWatcherIsTold(t *testing.T) {
	h, rs := watchHistory()
	h.Ops = append(h.Ops, lin.Operation{ID: 99, Call: 102, Return: 103,
		Input:  lin.EtcdRequest{Compact: &lin.CompactRequest{Revision: 4}},
		Output: lin.EtcdResponse{Revision: 6}})
	late := watcher(200, rs)
	vs := checkWatch(t, h, late)
	require.Len(t, vs, 1)
	require.Equal(t, "compaction-not-reported", vs[0].Kind)

	told := late
	told.Responses = []lin.WatchResponse{{Time: 201, CompactRevision: 4}}
	require.Empty(t, checkWatch(t, h, told))
}
