package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
)

func putOp(k, v string) *mvcc.RequestOp {
	return &mvcc.RequestOp{RequestPut: &mvcc.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

func delOp(k, end string) *mvcc.RequestOp {
	r := &mvcc.DeleteRangeRequest{Key: []byte(k)}
	if end != "" {
		r.RangeEnd = []byte(end)
	}
	return &mvcc.RequestOp{RequestDeleteRange: r}
}

// then is a txn with no compares whose Success list is ops.
func then(ops ...*mvcc.RequestOp) *mvcc.TxnRequest { return &mvcc.TxnRequest{Success: ops} }

func txnOp(t *mvcc.TxnRequest) *mvcc.RequestOp { return &mvcc.RequestOp{RequestTxn: t} }

func getOp(k string) *mvcc.RequestOp {
	return &mvcc.RequestOp{RequestRange: &mvcc.RangeRequest{Key: []byte(k)}}
}

func TestTxnCompareAndBranches(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		put(t, s, "a", "1") // 2
		resp, err := s.Txn(&mvcc.TxnRequest{
			Compare: []*mvcc.Compare{{Key: []byte("a"), Target: mvcc.Compare_VALUE,
				Value: []byte("1")}},
			Success: []*mvcc.RequestOp{putOp("b", "x"), putOp("c", "y"), getOp("b")},
			Failure: []*mvcc.RequestOp{putOp("z", "no")},
		})
		require.NoError(t, err)
		require.True(t, resp.Succeeded)
		require.Equal(t, int64(3), resp.Header.Revision)
		require.Equal(t, int64(3), s.Rev(), "one txn is one revision")
		require.Equal(t, []*mvcc.KeyValue{kv("b", "x", 3, 3, 1)},
			resp.Responses[2].ResponseRange.Kvs,
			"a range in a txn sees the txn's own writes")

		// A missing key compares as zero, except on VALUE.
		resp, err = s.Txn(&mvcc.TxnRequest{
			Compare: []*mvcc.Compare{{Key: []byte("nope"), Target: mvcc.Compare_CREATE,
				CreateRevision: 0}},
			Success: []*mvcc.RequestOp{getOp("a")},
		})
		require.NoError(t, err)
		require.True(t, resp.Succeeded)
		require.Equal(t, int64(3), resp.Header.Revision)
		resp, err = s.Txn(&mvcc.TxnRequest{
			Compare: []*mvcc.Compare{{Key: []byte("nope"), Target: mvcc.Compare_VALUE,
				Result: mvcc.Compare_NOT_EQUAL}},
		})
		require.NoError(t, err)
		require.False(t, resp.Succeeded)

		// Range compares need every key to match.
		resp, err = s.Txn(&mvcc.TxnRequest{
			Compare: []*mvcc.Compare{{Key: []byte("a"), RangeEnd: []byte("d"),
				Target: mvcc.Compare_VERSION,
				Result: mvcc.Compare_GREATER, Version: 0}},
			Success: []*mvcc.RequestOp{delOp("a", "c")},
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
	resp, err := s.Txn(&mvcc.TxnRequest{
		Success: []*mvcc.RequestOp{
			putOp("x", "1"),
			{RequestTxn: &mvcc.TxnRequest{
				// Evaluated before the txn runs: "x" does not exist yet.
				Compare: []*mvcc.Compare{{Key: []byte("x"), Target: mvcc.Compare_VERSION,
					Version: 0}},
				Success: []*mvcc.RequestOp{putOp("y", "then")},
				Failure: []*mvcc.RequestOp{putOp("y", "else")},
			}},
		},
	})
	require.NoError(t, err)
	inner := resp.Responses[1].ResponseTxn
	require.True(t, inner.Succeeded)
	require.Equal(t, int64(0), inner.Header.Revision, "etcd fills only the outer header")
	r := get(t, s, &mvcc.RangeRequest{Key: []byte("y")})
	require.Equal(t, "then", string(r.Kvs[0].Value))
	require.Equal(t, int64(3), r.Kvs[0].ModRevision)
}

func TestTxnRejects(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{MaxTxnOps: 4})
	require.NoError(t, err)
	put(t, s, "a", "1")
	cases := []struct {
		name string
		txn  *mvcc.TxnRequest
		err  error
	}{
		{"duplicate put", then(putOp("k", "1"), putOp("k", "2")), mvcc.ErrDuplicateKey},
		{"put in deleted range", then(delOp("a", "z"), putOp("k", "2")), mvcc.ErrDuplicateKey},
		{"nested put twice", then(putOp("k", "1"), txnOp(then(putOp("k", "2")))),
			mvcc.ErrDuplicateKey},
		{"too many ops", then(getOp("a"), getOp("a"), getOp("a"), getOp("a"), getOp("a")),
			mvcc.ErrTooManyOps},
		{"nested budget", then(getOp("a"), getOp("a"), txnOp(then(getOp("a"), getOp("a")))),
			mvcc.ErrTooManyOps},
		{"empty op", then(&mvcc.RequestOp{}), mvcc.ErrKeyNotFound},
		{"empty compare key", &mvcc.TxnRequest{Compare: []*mvcc.Compare{{}}}, mvcc.ErrEmptyKey},
		{"unknown lease", then(&mvcc.RequestOp{RequestPut: &mvcc.PutRequest{Key: []byte("k"),
			Lease: 9}}), mvcc.ErrLeaseNotFound},
		{"future range", then(&mvcc.RequestOp{RequestRange: &mvcc.RangeRequest{Key: []byte("k"),
			Revision: 99}}), mvcc.ErrFutureRev},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Txn(c.txn)
			require.ErrorIs(t, err, c.err)
			require.Equal(t, int64(2), s.Rev())
		})
	}
	// Both branches of a nested txn may put the same key.
	inner := &mvcc.TxnRequest{Success: []*mvcc.RequestOp{putOp("k", "1")},
		Failure: []*mvcc.RequestOp{putOp("k", "2")}}
	_, err = s.Txn(then(txnOp(inner)))
	require.NoError(t, err)
}
