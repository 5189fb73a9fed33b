package mvcc_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/testdata/proptest"
)

func TestRequestCodecRoundTrip(t *testing.T) {
	proptest.Check(t, 10000, func(t *rapid.T) {
		r := genRequest(t)
		if rapid.Bool().Draw(t, "nested") {
			r = &mvcc.Request{Txn: then(txnOp(&etcdapi.TxnRequest{
				Compare: []*etcdapi.Compare{{Key: []byte("k"), Value: []byte("v"), Lease: -3}},
				Success: []*etcdapi.RequestOp{getOp("a"), {}},
				Failure: []*etcdapi.RequestOp{delOp("a", "b")},
			}))}
		}
		got, err := mvcc.DecodeRequest(mvcc.AppendRequest(nil, r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	})
}

// FuzzDecodeRequest: any bytes decode or fail with ErrCorruptRecord, and
// what decodes encodes back to a request that decodes the same.
func FuzzDecodeRequest(f *testing.F) {
	put := &etcdapi.PutRequest{Key: []byte("a"), Lease: 4}
	f.Add(mvcc.AppendRequest(nil, &mvcc.Request{Put: put}))
	nested := then(putOp("a", "1"), txnOp(then(getOp("b"))))
	f.Add(mvcc.AppendRequest(nil, &mvcc.Request{Txn: nested}))
	f.Add(mvcc.AppendRequest(nil, &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte("a"),
		RangeEnd: []byte{0}, Limit: 3, SortOrder: 2, CountOnly: true}}))
	f.Add([]byte{2, 4, 200, 1}) // version 2, a txn claiming 200 compares
	f.Add(mvcc.AppendRequest(nil, &mvcc.Request{Alarm: &etcdapi.AlarmRequest{
		Action: etcdapi.AlarmRequest_ACTIVATE, MemberID: 3, Alarm: etcdapi.AlarmType_NOSPACE}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := mvcc.DecodeRequest(b)
		if err != nil {
			require.ErrorIs(t, err, mvcc.ErrCorruptRecord)
			return
		}
		again, err := mvcc.DecodeRequest(mvcc.AppendRequest(nil, r))
		require.NoError(t, err)
		require.Equal(t, r, again)
		s, err := mvcc.OpenMem(mvcc.Config{})
		require.NoError(t, err)
		s.Apply(1, r) // decoded garbage is bad input: an error, never a panic
		s.CheckInvariants()
	})
}
