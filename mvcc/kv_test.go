package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func TestPutRangeRevisions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		require.Equal(t, int64(1), s.Rev())
		require.Equal(t, int64(2), put(t, s, "a", "1").Header.Revision)
		require.Equal(t, int64(3), put(t, s, "a", "2").Header.Revision)
		require.Equal(t, int64(4), put(t, s, "b", "x").Header.Revision)
		r := get(t, s, &etcdapi.RangeRequest{Key: []byte("a")})
		require.Equal(t, []*etcdapi.KeyValue{kv("a", "2", 2, 3, 2)}, r.Kvs)
		require.Equal(t, int64(1), r.Count)
		require.Equal(t, int64(4), r.Header.Revision)

		old := get(t, s, &etcdapi.RangeRequest{Key: []byte("a"), Revision: 2})
		require.Equal(t, []*etcdapi.KeyValue{kv("a", "1", 2, 2, 1)}, old.Kvs)

		all := get(t, s, &etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte{0}})
		require.Equal(t, []string{"a", "b"}, keysOf(all.Kvs))

		del, err := s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("a"), PrevKv: true})
		require.NoError(t, err)
		require.Equal(t, int64(1), del.Deleted)
		require.Equal(t, int64(5), del.Header.Revision)
		require.Equal(t, []*etcdapi.KeyValue{kv("a", "2", 2, 3, 2)}, del.PrevKvs)

		// Version restarts at 1 in a new generation.
		require.Equal(t, int64(6), put(t, s, "a", "3").Header.Revision)
		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("a")})
		require.Equal(t, []*etcdapi.KeyValue{kv("a", "3", 6, 6, 1)}, r.Kvs)
		gone := get(t, s, &etcdapi.RangeRequest{Key: []byte("a"), Revision: 5})
		require.Empty(t, gone.Kvs)
		require.Equal(t, int64(0), gone.Count)

		// Deleting nothing does not raise the revision.
		del, err = s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("zz")})
		require.NoError(t, err)
		require.Equal(t, int64(0), del.Deleted)
		require.Equal(t, int64(6), del.Header.Revision)
	})
}

func TestRangeOptions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "k1", "c") // 2
		put(t, s, "k2", "b") // 3
		put(t, s, "k3", "a") // 4
		put(t, s, "k1", "d") // 5
		r := get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"), Limit: 2})
		require.Equal(t, []string{"k1", "k2"}, keysOf(r.Kvs))
		require.True(t, r.More)
		require.Equal(t, int64(3), r.Count)

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"),
			SortTarget: etcdapi.RangeRequest_VALUE})
		require.Equal(t, []string{"k3", "k2", "k1"}, keysOf(r.Kvs))

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"),
			SortOrder: etcdapi.RangeRequest_DESCEND, SortTarget: etcdapi.RangeRequest_MOD,
			Limit: 1})
		require.Equal(t, []string{"k1"}, keysOf(r.Kvs))
		require.True(t, r.More)

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"),
			CountOnly: true})
		require.Nil(t, r.Kvs)
		require.Equal(t, int64(3), r.Count)

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"),
			KeysOnly: true})
		require.Nil(t, r.Kvs[0].Value)

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"),
			MinModRevision: 4})
		require.Equal(t, []string{"k1", "k3"}, keysOf(r.Kvs))
		require.Equal(t, int64(3), r.Count, "count is before the revision filters, as etcd")

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"),
			MaxCreateRevision: 3})
		require.Equal(t, []string{"k1", "k2"}, keysOf(r.Kvs))

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k3"), RangeEnd: []byte("k1")})
		require.Empty(t, r.Kvs, "range end before key matches nothing")

		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l"), Limit: -1})
		require.Len(t, r.Kvs, 3, "negative limit means no limit, as etcd")
	})
}

func TestBadInput(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	put(t, s, "a", "1")
	rng := func(r *etcdapi.RangeRequest) func() error {
		return func() error { _, e := s.Range(r); return e }
	}
	pt := func(r *etcdapi.PutRequest) func() error {
		return func() error { _, e := s.Put(r); return e }
	}
	cpt := func(rev int64) func() error {
		return func() error {
			_, e := s.Compact(&etcdapi.CompactionRequest{Revision: rev})
			return e
		}
	}
	a := []byte("a")
	cases := []struct {
		name string
		err  error
		call func() error
	}{
		{"range empty key", etcdapi.ErrEmptyKey, rng(&etcdapi.RangeRequest{})},
		{"bad sort order", etcdapi.ErrInvalidSortOption,
			rng(&etcdapi.RangeRequest{Key: a, SortOrder: 7})},
		{"bad sort target", etcdapi.ErrInvalidSortOption,
			rng(&etcdapi.RangeRequest{Key: a, SortTarget: -1})},
		{"future rev", etcdapi.ErrFutureRev, rng(&etcdapi.RangeRequest{Key: a, Revision: 9})},
		{"put empty key", etcdapi.ErrEmptyKey, pt(&etcdapi.PutRequest{})},
		{"value provided", etcdapi.ErrValueProvided,
			pt(&etcdapi.PutRequest{Key: a, Value: a, IgnoreValue: true})},
		{"lease provided", etcdapi.ErrLeaseProvided,
			pt(&etcdapi.PutRequest{Key: a, Lease: 5, IgnoreLease: true})},
		{"ignore value missing key", etcdapi.ErrKeyNotFound,
			pt(&etcdapi.PutRequest{Key: []byte("zz"), IgnoreValue: true})},
		{"unknown lease", etcdapi.ErrLeaseNotFound, pt(&etcdapi.PutRequest{Key: a, Lease: 5})},
		{"too large", etcdapi.ErrRequestTooLarge,
			pt(&etcdapi.PutRequest{Key: a, Value: make([]byte, 2<<20)})},
		{"delete empty key", etcdapi.ErrEmptyKey, func() error {
			_, e := s.DeleteRange(&etcdapi.DeleteRangeRequest{})
			return e
		}},
		{"compact future", etcdapi.ErrFutureRev, cpt(3)},
		{"compact negative", etcdapi.ErrCompacted, cpt(-4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.call(), c.err)
			require.Equal(t, int64(2), s.Rev(), "a refused request changes nothing")
		})
	}
}

func TestCompact(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "a", "1")                                                    // 2
		put(t, s, "a", "2")                                                    // 3
		put(t, s, "b", "1")                                                    // 4
		_, err := s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("b")}) // 5
		require.NoError(t, err)
		_, err = s.Compact(&etcdapi.CompactionRequest{Revision: 4})
		require.NoError(t, err)
		_, err = s.Range(&etcdapi.RangeRequest{Key: []byte("a"), Revision: 3})
		require.ErrorIs(t, err, etcdapi.ErrCompacted)
		r := get(t, s, &etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte{0}, Revision: 4})
		require.Equal(t, []*etcdapi.KeyValue{kv("a", "2", 2, 3, 2), kv("b", "1", 4, 4, 1)}, r.Kvs)
		_, err = s.Compact(&etcdapi.CompactionRequest{Revision: 4})
		require.ErrorIs(t, err, etcdapi.ErrCompacted)
		_, err = s.Compact(&etcdapi.CompactionRequest{Revision: 5})
		require.NoError(t, err)
		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte{0}, Revision: 5})
		require.Equal(t, []string{"a"}, keysOf(r.Kvs))
		// Version continues after compaction.
		require.Equal(t, int64(6), put(t, s, "a", "3").Header.Revision)
		r = get(t, s, &etcdapi.RangeRequest{Key: []byte("a")})
		require.Equal(t, []*etcdapi.KeyValue{kv("a", "3", 2, 6, 3)}, r.Kvs)
	})
}

// A nil request is an empty message, as protobuf decodes it: an error or
// a no-op, never a panic.
func TestNilRequests(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	_, err = s.Range(nil)
	require.ErrorIs(t, err, etcdapi.ErrEmptyKey)
	_, err = s.Put(nil)
	require.ErrorIs(t, err, etcdapi.ErrEmptyKey)
	_, err = s.DeleteRange(nil)
	require.ErrorIs(t, err, etcdapi.ErrEmptyKey)
	_, err = s.Txn(nil)
	require.NoError(t, err)
	_, err = s.Txn(&etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{{RequestTxn: nil}, nil}})
	require.ErrorIs(t, err, etcdapi.ErrKeyNotFound)
	_, err = s.Compact(nil)
	require.NoError(t, err)
	_, err = s.LeaseRevoke(nil)
	require.ErrorIs(t, err, etcdapi.ErrLeaseNotFound)
	_, err = s.NewWatchStream().Watch(nil)
	require.NoError(t, err)
	resp, ok := s.Apply(1, nil)
	require.True(t, ok)
	require.NoError(t, resp.Err)
}
