package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim/cluster"
)

// A request larger than the store's limit (etcd's --max-request-bytes) is
// refused with etcd's ErrRequestTooLarge before it is proposed, and the
// client does not retry it; one just under the limit is written, although
// with its framing the log entry is larger than the limit.
func TestRequestsOverTheSizeLimitAreRefused(t *testing.T) {
	w, _, cl := leaseCluster(t, 3)
	limit := mvcc.DefaultMaxRequestBytes
	put := func(n int) func(func(*mvcc.Response, error)) {
		return func(done func(*mvcc.Response, error)) {
			cl.Do(&mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("big"), Value: make([]byte, n)}}, done)
		}
	}
	_, err := call(t, w, put(limit+1))
	require.ErrorIs(t, err, etcdapi.ErrRequestTooLarge)
	require.Equal(t, etcdapi.CodeInvalidArgument, etcdapi.CodeOf(err), "final: not retried")
	resp, err := call(t, w, put(limit-32))
	require.NoError(t, err)
	require.NoError(t, resp.Err)
	got, err := call(t, w, getKey(cl, "big"))
	require.NoError(t, err)
	require.Len(t, got.Range.Kvs[0].Value, limit-32)
}

// A larger --max-request-bytes lets larger requests through the whole
// stack: Raft's own entry limit follows the store's request limit.
func TestALargerRequestLimitReachesRaft(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Members, cfg.Clients, cfg.Watchers, cfg.Lockers = 3, 0, 0, 0
	cfg.Store.MaxRequestBytes = 2 << 20
	w, c := newCluster(t, 4, cfg)
	cl := clientAt(t, w, 900, c.Members()...)
	require.NoError(t, w.RunFor(3*time.Second))
	value := make([]byte, 2<<20-64) // above 1.5 MiB, etcd's default
	resp, err := call(t, w, func(done func(*mvcc.Response, error)) {
		cl.Do(&mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte("big"), Value: value}}, done)
	})
	require.NoError(t, err)
	require.NoError(t, resp.Err)
}
