package mvcc_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// TestCompactKeepsKeyRecreatedInSameTxn: a txn deletes every key from "fk/"
// on and puts "fk/b" again, so one main revision ends a generation and
// starts the next. Compacting at that revision must keep the new value;
// etcd v3.6.5 drops it and dies on the next read (etcd-io/etcd#22376).
func TestCompactKeepsKeyRecreatedInSameTxn(t *testing.T) {
	for _, backend := range []string{"mem", "bolt"} {
		t.Run(backend, func(t *testing.T) {
			var s *mvcc.Store
			var err error
			if backend == "mem" {
				s, err = mvcc.OpenMem(mvcc.Config{})
			} else {
				s, err = mvcc.OpenBolt(filepath.Join(t.TempDir(), "db"), mvcc.Config{})
			}
			require.NoError(t, err)
			defer s.Close()
			compactRecreated(t, s)
		})
	}
}

func compactRecreated(t *testing.T, s *mvcc.Store) {
	for _, k := range []string{"fk/a", "fk/b"} {
		_, err := s.Put(&etcdapi.PutRequest{Key: []byte(k), Value: []byte("1")})
		require.NoError(t, err)
	}
	txn, err := s.Txn(&etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{
		{RequestDeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte("fk/"), RangeEnd: []byte{0}}},
		{RequestPut: &etcdapi.PutRequest{Key: []byte("fk/b"), Value: []byte("2")}},
	}})
	require.NoError(t, err)
	rev := txn.Header.Revision
	_, err = s.Compact(&etcdapi.CompactionRequest{Revision: rev})
	require.NoError(t, err)
	s.CheckInvariants()
	got, err := s.Range(&etcdapi.RangeRequest{Key: []byte("fk/"), RangeEnd: []byte("fk0")})
	require.NoError(t, err)
	require.Len(t, got.Kvs, 1)
	kv := got.Kvs[0]
	require.Equal(t, "fk/b", string(kv.Key))
	require.Equal(t, "2", string(kv.Value))
	require.Equal(t, rev, kv.CreateRevision)
	require.EqualValues(t, 1, kv.Version)
}

// TestIgnoreValuePutAfterFromKeyDeleteIsRefused: the same kind of txn, but
// the put keeps the old value (IgnoreValue), which the delete just removed.
// etcd v3.6.5 accepts it and panics applying it (etcd-io/etcd#22445); we
// refuse it with etcdapi.ErrKeyNotFound before anything is written.
func TestIgnoreValuePutAfterFromKeyDeleteIsRefused(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("fk/b"), Value: []byte("1")})
	require.NoError(t, err)
	before := s.Rev()
	for _, put := range []*etcdapi.PutRequest{
		{Key: []byte("fk/b"), IgnoreValue: true},
		{Key: []byte("fk/b"), Value: []byte("2"), IgnoreLease: true},
	} {
		_, err = s.Txn(&etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{
			{RequestDeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte("fk/"),
				RangeEnd: []byte{0}}},
			{RequestPut: put},
		}})
		require.ErrorIs(t, err, etcdapi.ErrKeyNotFound)
	}
	require.Equal(t, before, s.Rev(), "a refused txn writes nothing")
	got, err := s.Range(&etcdapi.RangeRequest{Key: []byte("fk/b")})
	require.NoError(t, err)
	require.Len(t, got.Kvs, 1)
	s.CheckInvariants()
}
