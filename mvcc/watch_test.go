package mvcc_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// describe prints responses one per line for readable comparisons.
func describe(rs []etcdapi.WatchResponse) []string {
	var out []string
	for _, r := range rs {
		line := fmt.Sprintf("id=%d rev=%d", r.WatchId, r.Header.Revision)
		if r.Created {
			line += " created"
		}
		if r.Canceled {
			line += " canceled"
		}
		if r.CompactRevision != 0 {
			line += fmt.Sprintf(" compact=%d", r.CompactRevision)
		}
		for _, e := range r.Events {
			line += fmt.Sprintf(" %s:%s@%d", e.Type, e.Kv.Key, e.Kv.ModRevision)
			if e.PrevKv != nil {
				line += fmt.Sprintf("(prev %s)", e.PrevKv.Value)
			}
		}
		out = append(out, line)
	}
	return out
}

func TestWatchLiveAndHistory(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "a", "1") // 2
		put(t, s, "b", "1") // 3
		ws := s.NewWatchStream()
		_, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a"), RangeEnd: []byte("c"),
			StartRevision: 2, PrevKv: true})
		require.NoError(t, err)
		_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a"),
			Filters: []etcdapi.WatchCreateRequest_FilterType{etcdapi.WatchCreateRequest_NOPUT}})
		require.NoError(t, err)
		put(t, s, "a", "2")                                                   // 4
		_, err = s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("a")}) // 5
		require.NoError(t, err)
		require.Equal(t, []string{
			"id=0 rev=3 created",
			"id=1 rev=3 created",
			"id=1 rev=5 DELETE:a@5", // live, while watch 0 still replays history
			"id=0 rev=5 PUT:a@2 PUT:b@3 PUT:a@4(prev 1) DELETE:a@5(prev 2)",
		}, describe(ws.Poll(0)))
		put(t, s, "b", "2") // 6
		require.Equal(t, []string{"id=0 rev=6 PUT:b@6(prev 1)"}, describe(ws.Poll(0)))
		require.NoError(t, ws.Cancel(0))
		put(t, s, "b", "3")
		require.Equal(t, []string{"id=0 rev=6 canceled"}, describe(ws.Poll(0)))
		require.ErrorIs(t, ws.Cancel(0), mvcc.ErrWatcherNotExist)
		ws.RequestProgress()
		require.Equal(t, []string{"id=-1 rev=7"}, describe(ws.Poll(0)))
	})
}

func TestWatchCompacted(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	for i := range 5 {
		put(t, s, "k", fmt.Sprint(i)) // 2..6
	}
	_, err = s.Compact(&etcdapi.CompactionRequest{Revision: 5})
	require.NoError(t, err)
	ws := s.NewWatchStream()
	_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("k"), StartRevision: 3})
	require.NoError(t, err)
	_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("k"), StartRevision: 5})
	require.NoError(t, err)
	require.Equal(t, []string{
		"id=0 rev=6 created",
		"id=1 rev=6 created",
		"id=0 rev=0 canceled compact=5",
		"id=1 rev=6 PUT:k@5 PUT:k@6",
	}, describe(ws.Poll(0)))
	require.Contains(t, s.Marks(), mvcc.MarkWatchCompacted)
	_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("z"), RangeEnd: []byte("a")})
	require.ErrorIs(t, err, mvcc.ErrEmptyWatcherRange)
	_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("z"), WatchId: 1})
	require.ErrorIs(t, err, mvcc.ErrWatcherDuplicateID)
}

// A watcher whose buffer fills falls behind and catches up from history,
// without losing, repeating or splitting a revision.
func TestWatchSlowCatchesUp(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		ws := s.NewWatchStream()
		_, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("k"), RangeEnd: []byte("l")})
		require.NoError(t, err)
		const n = 1000
		for i := range n {
			_, err := s.Txn(&etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{
				putOp(fmt.Sprintf("k%d-a", i), "v"), putOp(fmt.Sprintf("k%d-b", i), "v")}})
			require.NoError(t, err)
		}
		next := int64(2)
		for polls := 0; next <= s.Rev(); polls++ {
			require.Less(t, polls, 100)
			for _, r := range ws.Poll(7) {
				for i := 0; i < len(r.Events); i += 2 {
					require.Equal(t, next, r.Events[i].Kv.ModRevision)
					require.Equal(t, next, r.Events[i+1].Kv.ModRevision)
					next++
				}
			}
		}
		require.Equal(t, int64(n+2), next)
		require.Contains(t, s.Marks(), mvcc.MarkWatchFellBehind)
	})
}

func TestWatchProgressNotify(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	ws := s.NewWatchStream()
	_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a"), ProgressNotify: true})
	require.NoError(t, err)
	ws.Poll(0)
	put(t, s, "b", "1")
	ws.ProgressNotifyTick()
	require.Equal(t, []string{"id=0 rev=2"}, describe(ws.Poll(0)))
	put(t, s, "a", "1")
	ws.ProgressNotifyTick()
	require.Equal(t, []string{"id=0 rev=3 PUT:a@3"}, describe(ws.Poll(0)),
		"events since the last tick: no progress")
}

// A negative start revision is refused as compacted, even before any
// compaction, and creates no watch (etcd v3.6.6 and later, v3.7; v3.6.5
// created the watch and then canceled it with CompactRevision -1).
func TestWatchNegativeStart(t *testing.T) {
	for _, version := range []string{mvcc.EtcdVersion37, mvcc.EtcdVersion36} {
		s, err := mvcc.OpenMem(mvcc.Config{EtcdVersion: version})
		require.NoError(t, err)
		ws := s.NewWatchStream()
		id, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a"), StartRevision: -3})
		require.ErrorIs(t, err, etcdapi.ErrCompacted)
		require.Equal(t, mvcc.WatchID(-1), id)
		_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("b"), RangeEnd: []byte("a"),
			StartRevision: -1})
		require.ErrorIs(t, err, etcdapi.ErrCompacted, "checked before the range")
		require.Empty(t, ws.Poll(0))
	}
}

// Since etcd v3.5.15 (PR 18274) compaction keeps a tombstone at exactly the
// compaction revision, so a watch from there still sees the delete, even
// after a restart.
func TestWatchSeesDeleteAtCompactRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "a", "1")                                                    // 2
		_, err := s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("a")}) // 3
		require.NoError(t, err)
		_, err = s.Compact(&etcdapi.CompactionRequest{Revision: 3})
		require.NoError(t, err)
		var snap bytes.Buffer
		require.NoError(t, s.Snapshot(&snap))
		restored, err := mvcc.OpenMem(mvcc.Config{})
		require.NoError(t, err)
		require.NoError(t, restored.Restore(&snap))
		require.Contains(t, s.Marks(), mvcc.MarkCompactKeptTombstone)
		require.Contains(t, restored.Marks(), mvcc.MarkRestoredLoneTombstone)
		for _, st := range []*mvcc.Store{s, restored} {
			ws := st.NewWatchStream()
			_, err = ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a"), StartRevision: 3})
			require.NoError(t, err)
			require.Equal(t, []string{"id=0 rev=3 created", "id=0 rev=3 DELETE:a@3"},
				describe(ws.Poll(0)))
			// The next compaction removes the tombstone for good.
			put(t, st, "b", "1") // 4
			_, err = st.Compact(&etcdapi.CompactionRequest{Revision: 4})
			require.NoError(t, err)
			st.CheckInvariants()
			h, err := st.HashKV(0)
			require.NoError(t, err)
			require.Equal(t, int64(4), h.CompactRevision)
		}
	})
}

func TestWatchCancelBeforePoll(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	ws := s.NewWatchStream()
	id, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: []byte("a")})
	require.NoError(t, err)
	put(t, s, "a", "1")
	require.NoError(t, ws.Cancel(id))
	require.Equal(t, []string{"id=0 rev=1 created", "id=0 rev=2 canceled"}, describe(ws.Poll(0)))
}
