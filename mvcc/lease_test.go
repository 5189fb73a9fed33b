package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

const second = mvcc.Time(1e9)

func TestLeaseLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		s.Promote(0)
		g, err := s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 1, ID: 7})
		require.NoError(t, err)
		require.Equal(t, int64(mvcc.DefaultLeaseMinTTL), g.TTL, "TTL raised to the minimum")
		_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 10, ID: 7})
		require.ErrorIs(t, err, etcdapi.ErrLeaseExist)
		_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 9000000001})
		require.ErrorIs(t, err, etcdapi.ErrLeaseTTLTooLarge)
		auto, err := s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 30})
		require.NoError(t, err)
		require.Positive(t, auto.ID)

		for _, k := range []string{"b", "a"} {
			_, err = s.Put(&etcdapi.PutRequest{Key: []byte(k), Value: []byte("v"), Lease: 7})
			require.NoError(t, err)
		}
		ttl, err := s.LeaseTimeToLive(&etcdapi.LeaseTimeToLiveRequest{ID: 7, Keys: true})
		require.NoError(t, err)
		require.Equal(t, int64(2), ttl.TTL)
		require.Equal(t, [][]byte{[]byte("a"), []byte("b")}, ttl.Keys)

		s.SetTime(1 * second)
		require.Empty(t, s.ExpiredLeases())
		ka, err := s.LeaseKeepAlive(&etcdapi.LeaseKeepAliveRequest{ID: 7})
		require.NoError(t, err)
		require.Equal(t, int64(2), ka.TTL)
		s.SetTime(3 * second)
		require.Equal(t, []mvcc.LeaseID{7}, s.ExpiredLeases())

		rev := s.Rev()
		r, err := s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: 7})
		require.NoError(t, err)
		require.Equal(t, rev+1, r.Header.Revision, "revoke deletes all keys in one revision")
		all := &etcdapi.RangeRequest{Key: []byte("a"), RangeEnd: []byte("c")}
		require.Empty(t, get(t, s, all).Kvs)
		_, err = s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: 7})
		require.ErrorIs(t, err, etcdapi.ErrLeaseNotFound)
		gone, err := s.LeaseTimeToLive(&etcdapi.LeaseTimeToLiveRequest{ID: 7})
		require.NoError(t, err)
		require.Equal(t, int64(-1), gone.TTL)

		ls, err := s.LeaseLeases()
		require.NoError(t, err)
		require.Equal(t, []*etcdapi.LeaseStatus{{ID: auto.ID}}, ls.Leases)
	})
}

func TestLeaseOnlyPrimaryExpires(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 5, ID: 1})
	require.NoError(t, err)
	s.SetTime(100 * second)
	require.Empty(t, s.ExpiredLeases(), "a follower never expires leases")
	_, err = s.LeaseKeepAlive(&etcdapi.LeaseKeepAliveRequest{ID: 1})
	require.ErrorIs(t, err, mvcc.ErrNotPrimary)
	s.Promote(2 * second)
	s.SetTime(106 * second)
	require.Empty(t, s.ExpiredLeases(), "a new leader extends every lease")
	s.SetTime(107 * second)
	require.Equal(t, []mvcc.LeaseID{1}, s.ExpiredLeases())
	s.Demote()
	require.Empty(t, s.ExpiredLeases())
}

func TestLeaseMovesWithPut(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	for _, id := range []int64{1, 2} {
		_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 5, ID: id})
		require.NoError(t, err)
	}
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("k"), Lease: 1})
	require.NoError(t, err)
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("k"), Value: []byte("v"), IgnoreLease: true})
	require.NoError(t, err)
	require.Equal(t, int64(1), get(t, s, &etcdapi.RangeRequest{Key: []byte("k")}).Kvs[0].Lease)
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("k"), Lease: 2})
	require.NoError(t, err)
	_, err = s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: 1})
	require.NoError(t, err)
	require.Len(t, get(t, s, &etcdapi.RangeRequest{Key: []byte("k")}).Kvs, 1, "k left lease 1")
}
