package mvcc_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func alarmReq(action etcdapi.AlarmRequest_AlarmAction, member uint64,
	alarm etcdapi.AlarmType) *mvcc.Request {
	return &mvcc.Request{Alarm: &etcdapi.AlarmRequest{Action: action, MemberID: member,
		Alarm: alarm}}
}

const (
	get_       = etcdapi.AlarmRequest_GET
	activate   = etcdapi.AlarmRequest_ACTIVATE
	deactivate = etcdapi.AlarmRequest_DEACTIVATE
	noSpace    = etcdapi.AlarmType_NOSPACE
	corrupt    = etcdapi.AlarmType_CORRUPT
)

// AlarmRequests behave as etcd's applier's Alarm (v3.7.1
// server/etcdserver/apply/backend.go): ACTIVATE answers the alarm raised
// now or before, DEACTIVATE the alarm it cleared, GET the alarms of a type
// or all of them, in type and member order.
func TestAlarmRequests(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *mvcc.Store) {
		apply := func(i uint64, r *mvcc.Request) *etcdapi.AlarmResponse {
			resp, ok := s.Apply(i, r)
			require.True(t, ok)
			require.NoError(t, resp.Err)
			return resp.Alarm
		}
		raised := func(m uint64, a etcdapi.AlarmType) *etcdapi.AlarmMember {
			return &etcdapi.AlarmMember{MemberID: m, Alarm: a}
		}
		require.Equal(t, []*etcdapi.AlarmMember{raised(3, noSpace)},
			apply(1, alarmReq(activate, 3, noSpace)).Alarms)
		require.Equal(t, []*etcdapi.AlarmMember{raised(3, noSpace)},
			apply(2, alarmReq(activate, 3, noSpace)).Alarms, "raised before: answered again")
		apply(3, alarmReq(activate, 1, corrupt))
		apply(4, alarmReq(activate, 1, noSpace))
		require.Empty(t, apply(5, alarmReq(activate, 2, etcdapi.AlarmType_NONE)).Alarms)
		all := []*etcdapi.AlarmMember{raised(1, noSpace), raised(3, noSpace), raised(1, corrupt)}
		require.Equal(t, all, apply(6, alarmReq(get_, 0, etcdapi.AlarmType_NONE)).Alarms)
		require.Equal(t, all, s.Alarms())
		require.Equal(t, []*etcdapi.AlarmMember{raised(1, corrupt)},
			apply(7, alarmReq(get_, 0, corrupt)).Alarms)
		require.Empty(t, apply(8, alarmReq(deactivate, 2, noSpace)).Alarms, "never raised")
		require.Equal(t, []*etcdapi.AlarmMember{raised(3, noSpace)},
			apply(9, alarmReq(deactivate, 3, noSpace)).Alarms)
		require.Empty(t, apply(10, alarmReq(7, 1, noSpace)).Alarms, "an unknown action")
		require.Equal(t, []*etcdapi.AlarmMember{raised(1, noSpace), raised(1, corrupt)}, s.Alarms())
		s.AlarmDisarm()
		require.Equal(t, []*etcdapi.AlarmMember{raised(1, corrupt)}, s.Alarms(),
			"disarm clears every NOSPACE alarm, and only those")
		s.CheckInvariants()
	})
}

// In a cluster the store never raises NOSPACE by itself: ValidateRequest
// refuses a write that would reach the quota, Apply applies one that
// reaches it anyway and answers ErrNoSpace (etcd's quotaApplierV3), and
// only an ACTIVATE from the log
// raises the alarm, which then refuses every write that costs quota
// (etcd's capped applier), even below the quota, until DEACTIVATE.
func TestReplicatedNoSpace(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{QuotaBackendBytes: 2048})
	require.NoError(t, err)
	big := func(k string) *mvcc.Request {
		return &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte(k), Value: make([]byte, 600)}}
	}
	index := uint64(0)
	apply := func(r *mvcc.Request) *mvcc.Response {
		index++
		resp, ok := s.Apply(index, r)
		require.True(t, ok)
		return resp
	}
	require.NoError(t, apply(big("a")).Err)
	require.NoError(t, apply(big("a")).Err)
	require.ErrorIs(t, s.ValidateRequest(big("b")), etcdapi.ErrNoSpace, "the API layer's check")
	rev := s.Rev()
	over := apply(big("b"))
	require.ErrorIs(t, over.Err, etcdapi.ErrNoSpace, "proposed before the quota filled")
	require.NotNil(t, over.Put, "etcd's quotaApplierV3 applies it all the same")
	require.Equal(t, rev+1, s.Rev(), "the write took effect although it answers no space")
	require.Empty(t, s.Alarms(), "only the log raises alarms")

	require.NoError(t, apply(alarmReq(activate, 2, noSpace)).Err)
	small := &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("c")}}
	require.ErrorIs(t, s.ValidateRequest(small), etcdapi.ErrNoSpace, "over the quota now")
	rev = s.Rev()
	require.ErrorIs(t, apply(small).Err, etcdapi.ErrNoSpace, "the capped applier")
	require.Equal(t, rev, s.Rev(), "the capped applier writes nothing")
	grant := &mvcc.Request{LeaseGrant: &etcdapi.LeaseGrantRequest{ID: 1, TTL: 9}}
	require.ErrorIs(t, apply(grant).Err, etcdapi.ErrNoSpace)
	txnPut := &mvcc.Request{Txn: &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{
		{RequestPut: &etcdapi.PutRequest{Key: []byte("c")}}}}}
	require.ErrorIs(t, apply(txnPut).Err, etcdapi.ErrNoSpace)
	require.NoError(t, apply(&mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte("a")}}).Err)
	require.NoError(t, apply(&mvcc.Request{DeleteRange: &etcdapi.DeleteRangeRequest{
		Key: []byte("a"), RangeEnd: []byte("c")}}).Err, "deletes are allowed")
	require.NoError(t, apply(&mvcc.Request{Compaction: &etcdapi.CompactionRequest{
		Revision: s.Rev()}}).Err, "compaction is allowed")
	require.NoError(t, s.ValidateRequest(big("b")), "compaction and the delete freed space")
	require.ErrorIs(t, apply(big("b")).Err, etcdapi.ErrNoSpace, "the alarm holds until disarmed")

	require.NoError(t, apply(alarmReq(deactivate, 2, noSpace)).Err)
	require.Empty(t, s.Alarms())
	require.NoError(t, apply(big("b")).Err)
	s.CheckInvariants()
}

// Alarms are replicated state: they travel in snapshots, survive a bbolt
// reopen, and enter Hash, on which stores that applied the same entries
// agree whatever their backend.
func TestAlarmsPersistAndHash(t *testing.T) {
	path := t.TempDir() + "/db"
	bolt, err := mvcc.OpenBolt(path, mvcc.Config{BoltNoSync: true})
	require.NoError(t, err)
	mem, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	log := []*mvcc.Request{putReq("a", "1"), alarmReq(activate, 2, noSpace),
		alarmReq(activate, 1, corrupt), putReq("b", "2"), alarmReq(activate, 5, noSpace)}
	var before uint32
	for i, r := range log {
		if i == 1 {
			h, err := mem.Hash()
			require.NoError(t, err)
			before = h.Hash
		}
		mem.Apply(uint64(i+1), r)
		bolt.Apply(uint64(i+1), r)
	}
	hm, err := mem.Hash()
	require.NoError(t, err)
	hb, err := bolt.Hash()
	require.NoError(t, err)
	require.Equal(t, hm.Hash, hb.Hash, "backends agree")
	require.Equal(t, mem.Rev(), hm.Header.Revision)
	require.NotEqual(t, before, hm.Hash)

	var snap bytes.Buffer
	require.NoError(t, bolt.Snapshot(&snap))
	restored, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	require.NoError(t, restored.Restore(&snap))
	require.Equal(t, mem.Alarms(), restored.Alarms())
	hr, err := restored.Hash()
	require.NoError(t, err)
	require.Equal(t, hm.Hash, hr.Hash, "a snapshot keeps the hash")

	require.NoError(t, bolt.Close())
	bolt, err = mvcc.OpenBolt(path, mvcc.Config{BoltNoSync: true})
	require.NoError(t, err)
	defer bolt.Close()
	require.Equal(t, mem.Alarms(), bolt.Alarms())
	_, err = bolt.Put(&etcdapi.PutRequest{Key: []byte("c")})
	require.ErrorIs(t, err, etcdapi.ErrNoSpace, "the reopened store is still capped")
	bolt.CheckInvariants()
}

// An alarm request whose action or alarm does not fit etcd's int32 is not
// a request AlarmRequest can come from: the decoder refuses it.
func TestDecodeAlarmRequestIsStrict(t *testing.T) {
	good := mvcc.AppendRequest(nil, alarmReq(deactivate, 1<<40, noSpace))
	r, err := mvcc.DecodeRequest(good)
	require.NoError(t, err)
	require.Equal(t, uint64(1<<40), r.Alarm.MemberID)
	head := good[:2] // version and kind
	wide := binary.AppendVarint(bytes.Clone(head), 1<<32)
	wide = binary.AppendVarint(binary.AppendUvarint(wide, 1), int64(noSpace))
	_, err = mvcc.DecodeRequest(wide)
	require.ErrorIs(t, err, mvcc.ErrCorruptRecord)
	old := append([]byte{1}, good[1:]...)
	_, err = mvcc.DecodeRequest(old)
	require.ErrorIs(t, err, mvcc.ErrCorruptRecord, "version 1 is not read")
}
