package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// scriptNode is a client node that a test drives by hand: calls start
// from scheduled functions, and answers come back through callbacks.
type scriptNode struct{ cl *cluster.Client }

func (n *scriptNode) Start()                           {}
func (n *scriptNode) Fire(tag uint64)                  { n.cl.Fire(tag) }
func (n *scriptNode) Receive(from sim.NodeID, msg any) { n.cl.Receive(from, msg) }

// leaseCluster is a quiet 3-member cluster without workers, with one
// scripted client calling every member, and a leader.
func leaseCluster(t *testing.T, seed uint64) (*sim.World, *cluster.Cluster, *cluster.Client) {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Members, cfg.Clients, cfg.Watchers, cfg.Lockers = 3, 0, 0, 0
	w, c := newCluster(t, seed, cfg)
	cl := clientAt(t, w, 900, c.Members()...)
	require.NoError(t, w.RunFor(3*time.Second))
	_, ok := c.Leader()
	require.True(t, ok)
	return w, c, cl
}

// call runs one client call to its end and returns what done got.
func call[T any](t *testing.T, w *sim.World, start func(done func(T, error))) (T, error) {
	t.Helper()
	var got T
	var err error
	finished := false
	_, serr := w.Schedule(0, "test call", func() {
		start(func(r T, e error) { got, err, finished = r, e, true })
	})
	require.NoError(t, serr)
	for range 10_000 {
		if finished {
			return got, err
		}
		require.True(t, w.Step(), "world stopped: %v", w.Err())
	}
	t.Fatal("call did not finish")
	return got, err
}

func putWithLease(cl *cluster.Client, key string, lease int64) func(func(*mvcc.Response, error)) {
	return func(done func(*mvcc.Response, error)) {
		cl.Do(&mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte(key), Value: []byte("v"),
			Lease: lease}}, done)
	}
}

func getKey(cl *cluster.Client, key string) func(func(*mvcc.Response, error)) {
	return func(done func(*mvcc.Response, error)) {
		cl.Do(&mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte(key)}}, done)
	}
}

// A lease nobody keeps alive runs out on the leader's clock: the leader
// proposes its revocation and its keys are deleted; a lease kept alive
// keeps its keys. A keep-alive of the gone lease gets etcd's error.
func TestLeasesExpireUnlessKeptAlive(t *testing.T) {
	w, _, cl := leaseCluster(t, 1)
	for _, id := range []int64{1, 2} {
		resp, err := call(t, w, func(done func(*etcdapi.LeaseGrantResponse, error)) {
			cl.Grant(3, id, done)
		})
		require.NoError(t, err)
		require.Equal(t, id, resp.ID)
		_, err = call(t, w, putWithLease(cl, "k"+string(rune('0'+id)), id))
		require.NoError(t, err)
	}
	for range 8 { // 4s: lease 2 is kept alive every half second
		require.NoError(t, w.RunFor(500*time.Millisecond))
		_, err := call(t, w, func(done func(*etcdapi.LeaseKeepAliveResponse, error)) {
			cl.KeepAliveOnce(2, done)
		})
		require.NoError(t, err)
	}
	gone, err := call(t, w, getKey(cl, "k1"))
	require.NoError(t, err)
	require.Empty(t, gone.Range.Kvs, "lease 1 ran out and its key went with it")
	kept, err := call(t, w, getKey(cl, "k2"))
	require.NoError(t, err)
	require.Len(t, kept.Range.Kvs, 1, "lease 2 was kept alive")
	require.Equal(t, int64(2), kept.Range.Kvs[0].Lease)

	_, err = call(t, w, func(done func(*etcdapi.LeaseKeepAliveResponse, error)) {
		cl.KeepAliveOnce(1, done)
	})
	require.ErrorIs(t, err, etcdapi.ErrLeaseNotFound)
	ttl, err := call(t, w, func(done func(*etcdapi.LeaseTimeToLiveResponse, error)) {
		cl.TimeToLive(2, true, done)
	})
	require.NoError(t, err)
	require.Positive(t, ttl.TTL)
	require.Equal(t, [][]byte{[]byte("k2")}, ttl.Keys)
	leases, err := call(t, w, func(done func(*etcdapi.LeaseLeasesResponse, error)) {
		cl.Leases(done)
	})
	require.NoError(t, err)
	require.Equal(t, []*etcdapi.LeaseStatus{{ID: 2}}, leases.Leases)
}

// When the leader crashes, the new leader's lessor takes over: it extends
// every lease by an election timeout, so a lease its client keeps alive
// through the election survives it.
func TestNewLeaderExtendsLeases(t *testing.T) {
	w, c, cl := leaseCluster(t, 2)
	_, err := call(t, w, func(done func(*etcdapi.LeaseGrantResponse, error)) { cl.Grant(3, 7, done) })
	require.NoError(t, err)
	_, err = call(t, w, putWithLease(cl, "held", 7))
	require.NoError(t, err)
	old, _ := c.Leader()
	require.NoError(t, w.Crash(old, sim.CrashOptions{}))
	for range 10 { // 5s, across the election
		require.NoError(t, w.RunFor(500*time.Millisecond))
		_, _ = call(t, w, func(done func(*etcdapi.LeaseKeepAliveResponse, error)) {
			cl.KeepAliveOnce(7, done)
		})
	}
	now, ok := c.Leader()
	require.True(t, ok)
	require.NotEqual(t, old, now)
	held, err := call(t, w, getKey(cl, "held"))
	require.NoError(t, err)
	require.Len(t, held.Range.Kvs, 1, "the lease outlived its leader")
}
