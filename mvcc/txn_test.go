package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func putOp(k, v string) *etcdapi.RequestOp {
	return &etcdapi.RequestOp{RequestPut: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

func delOp(k, end string) *etcdapi.RequestOp {
	r := &etcdapi.DeleteRangeRequest{Key: []byte(k)}
	if end != "" {
		r.RangeEnd = []byte(end)
	}
	return &etcdapi.RequestOp{RequestDeleteRange: r}
}

// then is a txn with no compares whose Success list is ops.
func then(ops ...*etcdapi.RequestOp) *etcdapi.TxnRequest {
	return &etcdapi.TxnRequest{Success: ops}
}

func txnOp(t *etcdapi.TxnRequest) *etcdapi.RequestOp { return &etcdapi.RequestOp{RequestTxn: t} }

func getOp(k string) *etcdapi.RequestOp {
	return &etcdapi.RequestOp{RequestRange: &etcdapi.RangeRequest{Key: []byte(k)}}
}

func TestTxnCompareAndBranches(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "a", "1") // 2
		resp, err := s.Txn(&etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: []byte("a"), Target: etcdapi.Compare_VALUE,
				Value: []byte("1")}},
			Success: []*etcdapi.RequestOp{putOp("b", "x"), putOp("c", "y"), getOp("b")},
			Failure: []*etcdapi.RequestOp{putOp("z", "no")},
		})
		require.NoError(t, err)
		require.True(t, resp.Succeeded)
		require.Equal(t, int64(3), resp.Header.Revision)
		require.Equal(t, int64(3), s.Rev(), "one txn is one revision")
		require.Equal(t, []*etcdapi.KeyValue{kv("b", "x", 3, 3, 1)},
			resp.Responses[2].ResponseRange.Kvs,
			"a range in a txn sees the txn's own writes")

		// A missing key compares as zero, except on VALUE.
		resp, err = s.Txn(&etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: []byte("nope"), Target: etcdapi.Compare_CREATE,
				CreateRevision: 0}},
			Success: []*etcdapi.RequestOp{getOp("a")},
		})
		require.NoError(t, err)
		require.True(t, resp.Succeeded)
		require.Equal(t, int64(3), resp.Header.Revision)
		resp, err = s.Txn(&etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: []byte("nope"), Target: etcdapi.Compare_VALUE,
				Result: etcdapi.Compare_NOT_EQUAL}},
		})
		require.NoError(t, err)
		require.False(t, resp.Succeeded)

		// Range compares need every key to match.
		resp, err = s.Txn(&etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: []byte("a"), RangeEnd: []byte("d"),
				Target: etcdapi.Compare_VERSION,
				Result: etcdapi.Compare_GREATER, Version: 0}},
			Success: []*etcdapi.RequestOp{delOp("a", "c")},
		})
		require.NoError(t, err)
		require.True(t, resp.Succeeded)
		require.Equal(t, int64(2), resp.Responses[0].ResponseDeleteRange.Deleted)
		require.Equal(t, int64(4), s.Rev())
	})
}

func TestTxnNested(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	put(t, s, "a", "1") // 2
	resp, err := s.Txn(&etcdapi.TxnRequest{
		Success: []*etcdapi.RequestOp{
			putOp("x", "1"),
			{RequestTxn: &etcdapi.TxnRequest{
				// Evaluated before the txn runs: "x" does not exist yet.
				Compare: []*etcdapi.Compare{{Key: []byte("x"), Target: etcdapi.Compare_VERSION,
					Version: 0}},
				Success: []*etcdapi.RequestOp{putOp("y", "then")},
				Failure: []*etcdapi.RequestOp{putOp("y", "else")},
			}},
		},
	})
	require.NoError(t, err)
	inner := resp.Responses[1].ResponseTxn
	require.True(t, inner.Succeeded)
	require.Equal(t, int64(0), inner.Header.Revision, "etcd fills only the outer header")
	r := get(t, s, &etcdapi.RangeRequest{Key: []byte("y")})
	require.Equal(t, "then", string(r.Kvs[0].Value))
	require.Equal(t, int64(3), r.Kvs[0].ModRevision)
}

func TestTxnRejects(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{MaxTxnOps: 4})
	require.NoError(t, err)
	put(t, s, "a", "1")
	cases := []struct {
		name string
		txn  *etcdapi.TxnRequest
		err  error
	}{
		{"duplicate put", then(putOp("k", "1"), putOp("k", "2")), etcdapi.ErrDuplicateKey},
		{"put in deleted range", then(delOp("a", "z"), putOp("k", "2")), etcdapi.ErrDuplicateKey},
		{"nested put twice", then(putOp("k", "1"), txnOp(then(putOp("k", "2")))),
			etcdapi.ErrDuplicateKey},
		{"too many ops", then(getOp("a"), getOp("a"), getOp("a"), getOp("a"), getOp("a")),
			etcdapi.ErrTooManyOps},
		{"nested budget", then(getOp("a"), getOp("a"), txnOp(then(getOp("a"), getOp("a")))),
			etcdapi.ErrTooManyOps},
		{"empty op", then(&etcdapi.RequestOp{}), etcdapi.ErrKeyNotFound},
		{"empty compare key", &etcdapi.TxnRequest{Compare: []*etcdapi.Compare{{}}},
			etcdapi.ErrEmptyKey},
		{"unknown lease", then(&etcdapi.RequestOp{RequestPut: &etcdapi.PutRequest{Key: []byte("k"),
			Lease: 9}}), etcdapi.ErrLeaseNotFound},
		{"future range", then(&etcdapi.RequestOp{RequestRange: &etcdapi.RangeRequest{
			Key: []byte("k"), Revision: 99}}), etcdapi.ErrFutureRev},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Txn(c.txn)
			require.ErrorIs(t, err, c.err)
			require.Equal(t, int64(2), s.Rev())
		})
	}
	// Both branches of a nested txn may put the same key.
	inner := &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{putOp("k", "1")},
		Failure: []*etcdapi.RequestOp{putOp("k", "2")}}
	_, err = s.Txn(then(txnOp(inner)))
	require.NoError(t, err)
}
