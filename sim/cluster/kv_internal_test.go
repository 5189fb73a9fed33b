package cluster

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
)

// A command survives encoding; every strict prefix of its encoding, and
// the encoding with a byte appended, is refused as malformed. (Table-driven
// rather than rapid: importing rapid here would put its tables in the
// benchmarks' binary, and every GC cycle would scan them.)
func TestCommandEncodingRoundTripsAndRejectsDamage(t *testing.T) {
	long := strings.Repeat("k", 300) // lengths past 127 take two varint bytes
	for _, c := range []command{
		{op: linearizability.KVInput{Kind: linearizability.KVPut}},
		{client: 1, seq: 2, op: linearizability.KVInput{Kind: linearizability.KVPut, Key: "a", Value: "1"}},
		{client: ^uint64(0), seq: ^uint64(0), op: linearizability.KVInput{Kind: linearizability.KVAppend, Key: long, Value: long}},
		{client: 200, seq: 1 << 40, op: linearizability.KVInput{Kind: linearizability.KVCAS, Key: "k", Value: "new", Expected: "old"}},
		{client: 3, seq: 4, op: linearizability.KVInput{Kind: linearizability.KVDelete, Key: "gone"}},
	} {
		data := c.marshal()
		got, err := unmarshalCommand(data)
		require.NoError(t, err)
		require.Equal(t, c, got)
		for n := range len(data) {
			_, err := unmarshalCommand(data[:n])
			require.ErrorIs(t, err, errBadCommand, "prefix of %d of %d bytes", n, len(data))
		}
		_, err = unmarshalCommand(append(data, 0))
		require.ErrorIs(t, err, errBadCommand)
	}
}

// A store survives its snapshot, and a cut snapshot is refused.
func TestKVSnapshotRoundTripsAndRejectsTruncation(t *testing.T) {
	s := newKVStore()
	s.data["a"], s.data[""], s.data[strings.Repeat("x", 200)] = "1", "empty key", ""
	s.sessions[1], s.sessions[1<<50] = 7, 1<<33
	for _, store := range []*kvStore{newKVStore(), s} {
		data := store.snapshot()
		got, err := restoreKVStore(data)
		require.NoError(t, err)
		require.Equal(t, store, got)
		for n := 1; n < len(data); n++ {
			_, err := restoreKVStore(data[:n])
			require.ErrorIs(t, err, errBadCommand, "prefix of %d of %d bytes", n, len(data))
		}
	}
}
