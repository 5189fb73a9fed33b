package linearizability

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc/etcdapi"
)

// Which keys a lease revocation deletes depends on the puts that attached
// them to the lease; on a key an indeterminate put may touch, the
// linearization's guess may add or miss a delete that the watcher rightly
// did not or did get. Elsewhere a missing delete is still caught.
func TestWatchToleratesRevokeDeletesOfLooseKeys(t *testing.T) {
	del := func(key string) *etcdapi.Event {
		return &etcdapi.Event{Type: etcdapi.DELETE,
			Kv: &etcdapi.KeyValue{Key: []byte(key), ModRevision: 3}}
	}
	looseB := func(k []byte) bool { return string(k) == "b" }
	strict := func([]byte) bool { return false }
	run := func(loose func([]byte) bool, exp, got []*etcdapi.Event) []WatchViolation {
		writes := []revisionWrite{{rev: 3, events: exp, loose: loose}}
		ws := []WatchStream{{Request: &etcdapi.WatchCreateRequest{Key: []byte("a"),
			RangeEnd: []byte("z"), StartRevision: 3},
			Responses: []WatchDelivery{{Response: &etcdapi.WatchResponse{Events: got}}}}}
		return checkWatches(ws, writes, nil, true)
	}
	both, onlyA := []*etcdapi.Event{del("a"), del("b")}, []*etcdapi.Event{del("a")}
	require.Empty(t, run(looseB, both, onlyA), "the guess attached b; it was not")
	require.Empty(t, run(looseB, onlyA, both), "the guess left b out; it was attached")
	require.Empty(t, run(looseB, both, both))
	vs := run(strict, both, onlyA)
	require.Len(t, vs, 1)
	require.Equal(t, "missing-event", vs[0].Kind)
	vs = run(looseB, both, []*etcdapi.Event{del("b")})
	require.Len(t, vs, 1, "a, not loose, is missing")
	require.Equal(t, "missing-event", vs[0].Kind)
}
