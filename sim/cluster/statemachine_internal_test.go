package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/raftimpl"
)

// A command survives encoding; a command cut short is refused.
func TestCommandEncodingRoundTripsAndRejectsDamage(t *testing.T) {
	for _, c := range []command{
		{client: 1, seq: 2, payload: []byte{1}},
		{client: ^uint64(0), seq: ^uint64(0), payload: make([]byte, 300)},
		{client: 0, seq: 0, payload: []byte("revoke")},
	} {
		data := appendCommand(nil, c)
		got, err := decodeCommand(data)
		require.NoError(t, err)
		require.Equal(t, c, got)
		head := len(data) - len(c.payload)
		for n := range head + 1 {
			_, err := decodeCommand(data[:n])
			require.ErrorIs(t, err, errBadCommand, "prefix of %d of %d bytes", n, len(data))
		}
	}
}

func putEntry(t *testing.T, index raftimpl.LogIndex, client, seq uint64, key, value string) raftimpl.Entry {
	t.Helper()
	req := &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte(key), Value: []byte(value)}}
	return raftimpl.Entry{Index: index, Term: 1, Type: raftimpl.EntryNormal,
		Data: appendCommand(nil, command{client: client, seq: seq, payload: mvcc.AppendRequest(nil, req)})}
}

func newTestSessions(t *testing.T) *sessions {
	t.Helper()
	kv, err := newMVCCMachine(mvcc.Config{}, "")
	require.NoError(t, err)
	return newSessions(kv)
}

// A command committed twice (a duplicated proposal) takes effect once; the
// duplicate still consumes its index.
func TestSessionsApplyEachCommandOnce(t *testing.T) {
	s := newTestSessions(t)
	for i, e := range []raftimpl.Entry{
		putEntry(t, 1, 7, 1, "a", "1"),
		putEntry(t, 2, 7, 1, "a", "1"),                  // the same command again
		{Index: 3, Term: 1, Type: raftimpl.EntryNormal}, // a leader's empty entry
		putEntry(t, 4, 7, 2, "a", "2"),
	} {
		_, _, applied, err := s.apply(&e)
		require.NoError(t, err)
		require.Equal(t, i == 0 || i == 3, applied, "entry %v", e.Index)
		require.Equal(t, e.Index, s.sm.appliedIndex())
	}
	kv := s.sm.(*mvccMachine)
	rr, err := kv.store.Range(&etcdapi.RangeRequest{Key: []byte("a")})
	require.NoError(t, err)
	require.Equal(t, "2", string(rr.Kvs[0].Value))
	require.Equal(t, int64(2), rr.Kvs[0].Version, "the duplicate put did not apply")
}

// Sessions and store survive a snapshot together; any damage to the
// session table, and a store snapshot cut short, is refused without
// changing the member's state.
func TestSessionsSnapshotRoundTripsAndRejectsDamage(t *testing.T) {
	s := newTestSessions(t)
	for i := range 5 {
		e := putEntry(t, raftimpl.LogIndex(i+1), uint64(100+i%2), uint64(i+1), "k", "v")
		_, _, _, err := s.apply(&e)
		require.NoError(t, err)
	}
	data, err := s.snapshot()
	require.NoError(t, err)

	r := newTestSessions(t)
	require.NoError(t, r.restore(data))
	require.Equal(t, s.last, r.last)
	require.Equal(t, raftimpl.LogIndex(5), r.sm.appliedIndex())
	dup := putEntry(t, 6, 100, 5, "k", "again") // seq 5 of client 100: applied before
	_, _, applied, err := r.apply(&dup)
	require.NoError(t, err)
	require.False(t, applied, "the restored sessions remember client 100")

	for n := 1; n < len(data); n += max(1, len(data)/50) {
		fresh := newTestSessions(t)
		require.Error(t, fresh.restore(data[:n]), "prefix of %d of %d bytes", n, len(data))
		require.Empty(t, fresh.last)
		require.Equal(t, raftimpl.LogIndex(0), fresh.sm.appliedIndex())
	}
	for i := range 8 { // a flipped bit in the session table
		bad := append([]byte(nil), data...)
		bad[i%len(bad)] ^= 1 << (i % 8)
		require.Error(t, newTestSessions(t).restore(bad), "bit %d flipped", i)
	}
}
