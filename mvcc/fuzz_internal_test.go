package mvcc

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc/etcdapi"
)

func FuzzRevisionEncoding(f *testing.F) {
	f.Add(int64(2), int64(0), false)
	f.Add(int64(1<<40), int64(3), true)
	f.Fuzz(func(t *testing.T, main, sub int64, tomb bool) {
		if main < 0 || sub < 0 {
			t.Skip("revisions are never negative")
		}
		rev := revision{main: main, sub: sub}
		b := appendRevBytes(nil, rev, tomb)
		got, gotTomb, err := decodeRevBytes(b)
		require.NoError(t, err)
		require.Equal(t, rev, got)
		require.Equal(t, tomb, gotTomb)
		// Byte order is revision order.
		next := appendRevBytes(nil, revision{main: main, sub: sub + 1}, false)
		if sub+1 > 0 {
			require.Negative(t, bytes.Compare(b[:revBytesLen], next))
		}
	})
}

func FuzzDecodeRevBytes(f *testing.F) {
	f.Add(appendRevBytes(nil, revision{main: 5, sub: 1}, true))
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rev, tomb, err := decodeRevBytes(b)
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptRecord)
			return
		}
		require.Equal(t, b, appendRevBytes(nil, rev, tomb))
	})
}

func FuzzKeyValueEncoding(f *testing.F) {
	f.Add([]byte("key"), []byte("value"), int64(2), int64(3), int64(2), int64(7))
	f.Add([]byte("k"), []byte{}, int64(0), int64(-1), int64(0), int64(-9))
	f.Fuzz(func(t *testing.T, key, value []byte, create, mod, ver, lease int64) {
		kv := etcdapi.KeyValue{Key: key, Value: value, CreateRevision: create, ModRevision: mod,
			Version: ver, Lease: lease}
		got, err := decodeKV(appendKV(nil, &kv))
		require.NoError(t, err)
		if len(kv.Value) == 0 {
			kv.Value = nil
		}
		if len(kv.Key) == 0 {
			kv.Key = got.Key
		}
		require.Equal(t, kv, got)
		// Arbitrary bytes decode or fail cleanly.
		_, err = decodeKV(append(key, value...))
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptRecord)
		}
	})
}

func seedSnapshot(f *testing.F) []byte {
	s, err := OpenMem(Config{})
	require.NoError(f, err)
	_, err = s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: 4, TTL: 10})
	require.NoError(f, err)
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("a"), Value: []byte("1"), Lease: 4})
	require.NoError(f, err)
	_, err = s.Put(&etcdapi.PutRequest{Key: []byte("b"), Value: []byte("2")})
	require.NoError(f, err)
	_, err = s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte("b")})
	require.NoError(f, err)
	_, err = s.Compact(&etcdapi.CompactionRequest{Revision: 3})
	require.NoError(f, err)
	var buf bytes.Buffer
	require.NoError(f, s.Snapshot(&buf))
	return buf.Bytes()
}

// FuzzSnapshotRestore feeds arbitrary streams to Restore: it must refuse or
// produce a store whose invariants hold and that snapshots again.
func FuzzSnapshotRestore(f *testing.F) {
	good := seedSnapshot(f)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(snapMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := OpenMem(Config{})
		require.NoError(t, err)
		if err := s.Restore(bytes.NewReader(b)); err != nil {
			require.Equal(t, int64(1), s.Rev(), "a refused snapshot changes nothing")
			return
		}
		s.checkInvariants(true)
		var again bytes.Buffer
		require.NoError(t, s.Snapshot(&again))
		s2, err := OpenMem(Config{})
		require.NoError(t, err)
		require.NoError(t, s2.Restore(&again))
		require.Equal(t, s.Rev(), s2.Rev())
	})
}

// FuzzSnapshotRecords frames arbitrary record payloads with valid lengths
// and checksums, so that the fuzzer reaches the checks behind the CRC:
// record decoding and the rebuild of a store from strange but
// well-framed contents.
func FuzzSnapshotRecords(f *testing.F) {
	// Payloads framed as kind, length, bytes: two puts of "a" (revisions 2
	// and 3, the second on lease 4), lease 4, a compaction revision, and an
	// alarm.
	revKey := func(main byte) []byte {
		return []byte{0, 0, 0, 0, 0, 0, 0, main, '_', 0, 0, 0, 0, 0, 0, 0, 0}
	}
	rev2 := append(append([]byte{1, 25}, revKey(2)...), 1, 'a', 1, 'x', 4, 4, 2, 0)
	rev3 := append(append([]byte{1, 25}, revKey(3)...), 1, 'a', 1, 'y', 4, 6, 4, 8)
	lease4 := []byte{2, 9, 0, 0, 0, 0, 0, 0, 0, 4, 20}
	f.Add(append(append(bytes.Clone(rev2), rev3...), lease4...))
	meta := append([]byte{0, 27, 18, 0, 0, 0, 0, 0, 0, 0, 2}, "finishedCompactRev"...)
	f.Add(append(bytes.Clone(rev2), meta...))
	alarm := []byte{3, 12, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1} // member 2's NOSPACE
	f.Add(append(bytes.Clone(rev2), alarm...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf bytes.Buffer
		sw := snapWriter{w: &buf}
		sw.raw([]byte(snapMagic))
		sw.raw([]byte{0, 0, 0, byte(snapVersion)})
		kinds := []snapKind{snapMeta, snapRev, snapLease, snapAlarm, snapKind(7)}
		for len(data) >= 2 {
			kind, n := kinds[int(data[0])%len(kinds)], min(int(data[1]), len(data)-2)
			sw.record(kind, data[2:2+n])
			data = data[2+n:]
		}
		sw.record(snapEnd, binary.AppendUvarint(nil, uint64(sw.n)))
		s, err := OpenMem(Config{})
		require.NoError(t, err)
		if err := s.Restore(&buf); err != nil {
			require.ErrorIs(t, err, ErrSnapshotCorrupt)
			return
		}
		s.checkInvariants(true)
		_, err = s.Put(&etcdapi.PutRequest{Key: []byte("after"), Value: []byte("restore")})
		if s.noSpace() {
			require.ErrorIs(t, err, etcdapi.ErrNoSpace, "a restored NOSPACE alarm refuses puts")
			s.AlarmDisarm()
			_, err = s.Put(&etcdapi.PutRequest{Key: []byte("after"), Value: []byte("restore")})
		}
		require.NoError(t, err)
		s.checkInvariants(true)
		_, err = s.Range(&etcdapi.RangeRequest{Key: []byte{0}, RangeEnd: []byte{0}})
		require.NoError(t, err)
	})
}
