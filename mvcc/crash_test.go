package mvcc_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/testdata/proptest"
)

// genRequest draws one log entry: puts (some with a lease), deletes, txns,
// lease grants and revokes, alarm requests, compactions.
func genRequest(t *rapid.T) *mvcc.Request {
	key := []byte(rapid.SampledFrom(modelKeys).Draw(t, "key"))
	lease := int64(rapid.IntRange(0, 3).Draw(t, "lease"))
	switch rapid.IntRange(0, 7).Draw(t, "kind") {
	case 0, 1:
		return &mvcc.Request{Put: &etcdapi.PutRequest{Key: key, Value: []byte("v"), Lease: lease}}
	case 2:
		return &mvcc.Request{DeleteRange: &etcdapi.DeleteRangeRequest{Key: key,
			RangeEnd: []byte{0}}}
	case 3:
		return &mvcc.Request{Txn: &etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: key, Target: etcdapi.Compare_VERSION,
				Result: etcdapi.Compare_GREATER}},
			Success: []*etcdapi.RequestOp{delOp(string(key), "")},
			Failure: []*etcdapi.RequestOp{putOp(string(key), "t")},
		}}
	case 4:
		return &mvcc.Request{LeaseGrant: &etcdapi.LeaseGrantRequest{ID: lease, TTL: 30}}
	case 5:
		return &mvcc.Request{LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: lease}}
	case 6:
		return &mvcc.Request{Alarm: &etcdapi.AlarmRequest{
			Action:   etcdapi.AlarmRequest_AlarmAction(rapid.IntRange(0, 2).Draw(t, "action")),
			MemberID: uint64(rapid.IntRange(0, 3).Draw(t, "member")),
			Alarm:    etcdapi.AlarmType(rapid.IntRange(0, 2).Draw(t, "alarm"))}}
	}
	rev := int64(rapid.IntRange(0, 30).Draw(t, "rev"))
	return &mvcc.Request{Compaction: &etcdapi.CompactionRequest{Revision: rev}}
}

// crashesMax bounds the crashes of one TestCrashReplay run.
const crashesMax = 3

// TestCrashReplay applies a random log to a bbolt store that commits and
// crashes at random points and, after each crash, replays the log from the
// start; the consistent index must make it end byte-identical (snapshot)
// to a memory store that applied the log once.
func TestCrashReplay(t *testing.T) {
	dir := t.TempDir()
	n := 0
	proptest.Check(t, 300, func(t *rapid.T) {
		n++
		log := rapid.SliceOfN(rapid.Custom(genRequest), 1, 40).Draw(t, "log")
		ref, err := mvcc.OpenMem(mvcc.Config{})
		require.NoError(t, err)
		var want []*mvcc.Response
		for i, r := range log {
			resp, ok := ref.Apply(uint64(i+1), r)
			require.True(t, ok)
			want = append(want, resp)
		}
		path := fmt.Sprintf("%s/crash%d", dir, n)
		s, err := mvcc.OpenBolt(path, mvcc.Config{})
		require.NoError(t, err)
		defer func() { _ = s.Close() }()
		crashes := 0
		for i := 0; i < len(log); i++ {
			resp, ok := s.Apply(uint64(i+1), log[i])
			if ok {
				require.Equal(t, want[i], resp, "entry %d", i+1)
			}
			if rapid.IntRange(0, 3).Draw(t, "commit") == 0 {
				require.NoError(t, s.Commit())
			}
			if crashes < crashesMax && rapid.IntRange(0, 9).Draw(t, "crash") == 0 {
				crashes++
				require.NoError(t, s.Abandon())
				s, err = mvcc.OpenBolt(path, mvcc.Config{})
				require.NoError(t, err)
				s.CheckInvariants()
				i = -1 // the member replays its whole log
			}
		}
		s.CheckInvariants()
		require.Equal(t, uint64(len(log)), s.ConsistentIndex())
		var a, b bytes.Buffer
		require.NoError(t, ref.Snapshot(&a))
		require.NoError(t, s.Snapshot(&b))
		require.Equal(t, a.Bytes(), b.Bytes())
		h1, err := ref.HashKV(0)
		require.NoError(t, err)
		h2, err := s.HashKV(0)
		require.NoError(t, err)
		require.Equal(t, h1, h2)
	})
}
