package mvcc_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

func putReq(k, v string) *mvcc.Request {
	return &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte(k), Value: []byte(v)}}
}

// A crash loses the uncommitted batch; the consistent index committed with
// the data tells the member which entries to apply again.
func TestBoltCrashAndReopen(t *testing.T) {
	path := t.TempDir() + "/db"
	s, err := mvcc.OpenBolt(path, mvcc.Config{})
	require.NoError(t, err)
	_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: 9, TTL: 60})
	require.NoError(t, err)
	for i := uint64(1); i <= 5; i++ {
		_, applied := s.Apply(i, putReq(fmt.Sprint("k", i), "v"))
		require.True(t, applied)
	}
	_, applied := s.Apply(3, putReq("k3", "again"))
	require.False(t, applied, "an applied index is a no-op")
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("leased"), Lease: 9})
	require.NoError(t, err)
	require.NoError(t, s.Commit())
	for i := uint64(6); i <= 8; i++ {
		s.Apply(i, putReq(fmt.Sprint("k", i), "v"))
	}
	require.NoError(t, s.Abandon())

	s, err = mvcc.OpenBolt(path, mvcc.Config{})
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, uint64(5), s.ConsistentIndex())
	require.Equal(t, int64(7), s.Rev())
	for i := uint64(1); i <= 8; i++ {
		s.Apply(i, putReq(fmt.Sprint("k", i), "v")) // the member replays its log
	}
	r := get(t, s, &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l")})
	require.Equal(t, int64(8), r.Count)
	require.Equal(t, int64(10), s.Rev())
	rev, err := s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: 9})
	require.NoError(t, err)
	require.Equal(t, int64(11), rev.Header.Revision, "lease and its key survived the crash")
}

func TestSnapshotRestore(t *testing.T) {
	for _, from := range backends() {
		for _, to := range backends() {
			t.Run(from.name+"-to-"+to.name, func(t *testing.T) {
				src, dst := from.open(t), to.open(t)
				_, err := src.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: 3, TTL: 60})
				require.NoError(t, err)
				put(t, src, "a", "1")
				put(t, src, "a", "2")
				_, err = src.Put(&etcdapi.PutRequest{Key: []byte("b"), Lease: 3})
				require.NoError(t, err)
				_, err = src.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("a")})
				require.NoError(t, err)
				_, err = src.Compact(&etcdapi.CompactionRequest{Revision: 3})
				require.NoError(t, err)
				var buf bytes.Buffer
				require.NoError(t, src.Snapshot(&buf))
				put(t, dst, "junk", "x")
				require.NoError(t, dst.Restore(bytes.NewReader(buf.Bytes())))
				require.Equal(t, src.Rev(), dst.Rev())
				require.Equal(t, src.CompactRev(), dst.CompactRev())
				all := &etcdapi.RangeRequest{Key: []byte{0}, RangeEnd: []byte{0}, Revision: 4}
				require.Equal(t, get(t, src, all), get(t, dst, all))
				_, err = dst.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: 3})
				require.NoError(t, err)
				require.Empty(t, get(t, dst, &etcdapi.RangeRequest{Key: []byte("b")}).Kvs)
			})
		}
	}
}

func TestRestoreRejectsCorruption(t *testing.T) {
	src, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	put(t, src, "a", "1")
	put(t, src, "b", "2")
	var buf bytes.Buffer
	require.NoError(t, src.Snapshot(&buf))
	good := buf.Bytes()
	dst, err := mvcc.OpenMem(mvcc.Config{})
	require.NoError(t, err)
	put(t, dst, "keep", "me")
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x40
		require.Error(t, dst.Restore(bytes.NewReader(bad)), "flipped byte %d", i)
		require.Error(t, dst.Restore(bytes.NewReader(good[:i])), "truncated at %d", i)
	}
	require.Equal(t, "me", string(get(t, dst,
		&etcdapi.RangeRequest{Key: []byte("keep")}).Kvs[0].Value))
	require.NoError(t, dst.Restore(bytes.NewReader(good)))
}

func TestDefrag(t *testing.T) {
	s, err := mvcc.OpenBolt(t.TempDir()+"/db", mvcc.Config{})
	require.NoError(t, err)
	defer s.Close()
	big := string(make([]byte, 4096))
	for i := range 500 {
		put(t, s, fmt.Sprint("k", i), big)
	}
	require.NoError(t, s.Commit())
	_, err = s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("k"), RangeEnd: []byte("l")})
	require.NoError(t, err)
	_, err = s.Compact(&etcdapi.CompactionRequest{Revision: s.Rev()})
	require.NoError(t, err)
	require.NoError(t, s.Commit())
	before := s.FileBytes()
	require.NoError(t, s.Defrag())
	require.Less(t, s.FileBytes(), before)
	put(t, s, "after", "defrag")
	require.Equal(t, int64(1), get(t, s, &etcdapi.RangeRequest{Key: []byte("after")}).Count)
}

func TestQuotaNoSpaceAlarm(t *testing.T) {
	s, err := mvcc.OpenMem(mvcc.Config{QuotaBackendBytes: 4096})
	require.NoError(t, err)
	big := make([]byte, 1000)
	var failed error
	for i := 0; i < 10 && failed == nil; i++ {
		_, failed = s.Put(&etcdapi.PutRequest{Key: []byte(fmt.Sprint("k", i)), Value: big})
	}
	require.ErrorIs(t, failed, etcdapi.ErrNoSpace)
	require.Equal(t, []*etcdapi.AlarmMember{{Alarm: etcdapi.AlarmType_NOSPACE}}, s.Alarms(),
		"a store used on its own raises NOSPACE as member 0")
	require.Equal(t, []mvcc.Mark{mvcc.MarkNoSpaceRaised}, s.Marks())
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("tiny")})
	require.ErrorIs(t, err, etcdapi.ErrNoSpace, "the alarm refuses every put")
	_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{TTL: 5})
	require.ErrorIs(t, err, etcdapi.ErrNoSpace)
	get(t, s, &etcdapi.RangeRequest{Key: []byte("k0")})
	_, err = s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("k"), RangeEnd: []byte("l")})
	require.NoError(t, err, "deletes are allowed")
	_, err = s.Compact(&etcdapi.CompactionRequest{Revision: s.Rev()})
	require.NoError(t, err, "compaction is allowed")
	s.AlarmDisarm()
	require.Empty(t, s.Alarms())
	put(t, s, "tiny", "")
}

func TestOpenBoltRejectsGarbage(t *testing.T) {
	path := t.TempDir() + "/db"
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("junk"), 4096), 0o600))
	_, err := mvcc.OpenBolt(path, mvcc.Config{})
	require.Error(t, err)
}
