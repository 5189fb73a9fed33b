package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func TestApplyConsumesIndexEvenOnError(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	resp, ok := s.Apply(1, &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("a"), Lease: 3}})
	require.True(t, ok)
	require.ErrorIs(t, resp.Err, etcdapi.ErrLeaseNotFound)
	require.Equal(t, uint64(1), s.ConsistentIndex())
	require.Equal(t, int64(1), s.Rev())
	resp, ok = s.Apply(2, &mvcc.Request{LeaseGrant: &etcdapi.LeaseGrantRequest{TTL: 10}})
	require.True(t, ok)
	require.NoError(t, resp.Err)
	require.Positive(t, resp.LeaseGrant.ID)
}

func TestValidateRequest(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{MaxRequestBytes: 100})
	require.NoError(t, err)
	empty := &mvcc.Request{Put: &etcdapi.PutRequest{}}
	require.ErrorIs(t, s.ValidateRequest(empty), etcdapi.ErrEmptyKey)
	big := &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("k"), Value: make([]byte, 200)}}
	require.ErrorIs(t, s.ValidateRequest(big), etcdapi.ErrRequestTooLarge)
	dup := &mvcc.Request{Txn: then(putOp("k", "1"), putOp("k", "2"))}
	require.ErrorIs(t, s.ValidateRequest(dup), etcdapi.ErrDuplicateKey)
	rng := &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte("k")}}
	require.NoError(t, s.ValidateRequest(rng))
}

func TestHashKV(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "a", "1")
		h2, err := s.HashKV(0)
		require.NoError(t, err)
		require.Equal(t, int64(2), h2.HashRevision, "0 hashes the current revision")
		put(t, s, "a", "2")
		again, err := s.HashKV(2)
		require.NoError(t, err)
		require.Equal(t, h2.Hash, again.Hash, "a hash at a revision does not change later")
		require.Equal(t, int64(2), again.HashRevision)
		require.Equal(t, int64(3), again.Header.Revision)
		h3, err := s.HashKV(0)
		require.NoError(t, err)
		require.NotEqual(t, h2.Hash, h3.Hash)
		require.Equal(t, int64(3), h3.HashRevision)
		_, err = s.HashKV(9)
		require.ErrorIs(t, err, etcdapi.ErrFutureRev)
	})
}

func TestClosedStore(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		require.NoError(t, s.Close())
		_, err := s.Put(&etcdapi.PutRequest{Key: []byte("a")})
		require.ErrorIs(t, err, mvcc.ErrClosed)
		_, err = s.Range(&etcdapi.RangeRequest{Key: []byte("a")})
		require.ErrorIs(t, err, mvcc.ErrClosed)
		require.ErrorIs(t, s.Close(), mvcc.ErrClosed)
	})
}
