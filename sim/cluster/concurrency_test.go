package cluster_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// recipeNode is a client node of the recipes that a test drives: it hands
// its messages and timers to its Concurrency.
type recipeNode struct{ cc *cluster.Concurrency }

func (n *recipeNode) Start()                           {}
func (n *recipeNode) Fire(tag uint64)                  { n.cc.Fire(tag) }
func (n *recipeNode) Receive(from sim.NodeID, msg any) { n.cc.Receive(from, msg) }

// recipeNodeBase numbers the recipe nodes of a test, apart from members.
const recipeNodeBase = 900

// recipeCluster is a quiet 3-member cluster with n recipe nodes, each
// with a session (TTL ttl seconds, lease 0x100+i), and a leader.
func recipeCluster(t *testing.T, seed uint64, n int, ttl int64) (*sim.World, *cluster.Cluster,
	[]*cluster.Session) {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Members, cfg.Clients, cfg.Watchers = 3, 0, 0
	w, c := newCluster(t, seed, cfg)
	nodes := make([]*recipeNode, n)
	for i := range nodes {
		nodes[i] = &recipeNode{}
		node := nodes[i]
		require.NoError(t, w.AddNode(sim.NodeID(recipeNodeBase+i), func(p *sim.Proc) sim.Node {
			node.cc = cluster.NewConcurrency(p, cluster.NewClient(p, cluster.DefaultClientConfig(),
				c.Members()), cluster.NewWatchClient(p, cluster.DefaultWatchConfig(), c.Members()))
			return node
		}))
	}
	require.NoError(t, w.RunFor(3*time.Second))
	_, ok := c.Leader()
	require.True(t, ok, "seed %d: no leader after 3s", seed)
	sessions := make([]*cluster.Session, n)
	for i, node := range nodes {
		s, err := call(t, w, func(done func(*cluster.Session, error)) {
			node.cc.NewSession(cluster.SessionOptions{TTL: ttl, GrantID: int64(0x100 + i)}, done)
		})
		require.NoError(t, err, "seed %d", seed)
		require.Equal(t, int64(0x100+i), s.Lease())
		sessions[i] = s
	}
	return w, c, sessions
}

// schedule runs fn at d from now.
func schedule(t *testing.T, w *sim.World, d time.Duration, fn func()) {
	t.Helper()
	_, err := w.Schedule(d, "test", fn)
	require.NoError(t, err)
}

// Three sessions take one mutex over and over: a holder takes it only
// when nobody else holds it, and the holders' fencing tokens (their keys'
// create revisions) rise in the order they took it.
func TestMutexExcludesSequentialHolders(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		w, _, sessions := recipeCluster(t, seed, 3, 10)
		holders, taken := 0, 0
		var revs []int64
		var loop func(m *cluster.Mutex, rounds int)
		loop = func(m *cluster.Mutex, rounds int) {
			if rounds == 0 {
				return
			}
			m.Lock(func(resp *etcdapi.LockResponse, err error) {
				require.NoError(t, err, "seed %d", seed)
				require.Zero(t, holders, "seed %d: %s took the lock while it was held", seed,
					resp.Key)
				require.Equal(t, m.Key(), string(resp.Key))
				holders++
				taken++
				revs = append(revs, m.Rev())
				schedule(t, w, 50*time.Millisecond, func() {
					holders--
					m.Unlock(func(_ *etcdapi.UnlockResponse, err error) {
						require.NoError(t, err, "seed %d", seed)
						loop(m, rounds-1)
					})
				})
			})
		}
		for _, s := range sessions {
			m := cluster.NewMutex(s, "locks/test")
			schedule(t, w, 0, func() { loop(m, 5) })
		}
		require.NoError(t, w.RunFor(10*time.Second))
		require.Equal(t, 15, taken, "seed %d: every round took the lock", seed)
		for i := 1; i < len(revs); i++ {
			require.Greater(t, revs[i], revs[i-1], "seed %d: tokens %v", seed, revs)
		}
	}
}

// A Lock canceled while it waits deletes its key and ends with
// ErrCanceled; the holder keeps the lock, and the next waiter's Lock
// needs only the holder's Unlock.
func TestMutexLockCanceledWhileWaiting(t *testing.T) {
	w, _, sessions := recipeCluster(t, 4, 3, 10)
	held := cluster.NewMutex(sessions[0], "locks/test")
	_, err := call(t, w, held.Lock)
	require.NoError(t, err)
	canceled, waiter := cluster.NewMutex(sessions[1], "locks/test"),
		cluster.NewMutex(sessions[2], "locks/test")
	var cancelErr error
	waiterDone := false
	schedule(t, w, 0, func() {
		canceled.Lock(func(_ *etcdapi.LockResponse, err error) { cancelErr = err })
	})
	schedule(t, w, 100*time.Millisecond, func() {
		waiter.Lock(func(_ *etcdapi.LockResponse, err error) {
			require.NoError(t, err)
			waiterDone = true
		})
	})
	schedule(t, w, 500*time.Millisecond, canceled.Cancel)
	require.NoError(t, w.RunFor(time.Second))
	require.ErrorIs(t, cancelErr, cluster.ErrCanceled)
	require.False(t, waiterDone, "the holder still holds")
	_, err = call(t, w, held.Unlock)
	require.NoError(t, err)
	require.NoError(t, w.RunFor(time.Second))
	require.True(t, waiterDone, "the canceled waiter's key is gone: the next one holds")
	_, err = call(t, w, canceled.Unlock)
	require.ErrorIs(t, err, cluster.ErrLockReleased)
}

// A holder cut off from the cluster keeps believing it holds until its
// session's deadline passes, while its lease runs out on the leader, is
// revoked, and the next waiter takes the lock: two holders overlap, the
// pause problem of every lease-based lock. The check counts the overlap
// as fenced (the later holder's token is higher), not as a violation: the
// first holder's lease was gone.
func TestCutOffHolderOverlapsFenced(t *testing.T) {
	const seed = 5
	w, c, sessions := recipeCluster(t, seed, 2, 2)
	a, b := cluster.NewMutex(sessions[0], "locks/test"), cluster.NewMutex(sessions[1], "locks/test")
	aCall := w.Now()
	_, err := call(t, w, a.Lock)
	require.NoError(t, err)
	aHold := cluster.LockHold{Locker: recipeNodeBase, Key: a.Key(), Lease: sessions[0].Lease(),
		Revision: a.Rev(), CreateCall: lt(aCall), Acquired: lt(w.Now())}
	var bHold cluster.LockHold
	schedule(t, w, 0, func() {
		bHold.CreateCall = lt(w.Now())
		b.Lock(func(resp *etcdapi.LockResponse, err error) {
			require.NoError(t, err)
			bHold = cluster.LockHold{Locker: recipeNodeBase + 1, Key: string(resp.Key),
				Lease: sessions[1].Lease(), Revision: b.Rev(), CreateCall: bHold.CreateCall,
				Acquired: lt(w.Now())}
		})
	})
	sessions[0].OnDone(func(err error) {
		require.ErrorIs(t, err, etcdapi.ErrSessionExpired)
		aHold.Released, aHold.Lost = lt(w.Now()), true
	})
	require.NoError(t, w.RunFor(500*time.Millisecond))
	require.NoError(t, w.Network().Isolate(recipeNodeBase))
	require.NoError(t, w.RunFor(5*time.Second))
	require.True(t, aHold.Lost, "seed %d: the cut-off holder learned its session ended", seed)
	require.NotZero(t, bHold.Acquired, "seed %d: the waiter took the lock", seed)
	require.Less(t, bHold.Acquired, aHold.Released,
		"seed %d: the waiter took the lock while the cut-off holder still believed it held", seed)
	require.Greater(t, bHold.Revision, aHold.Revision)
	t.Logf("seed %d: a holds from %v, lost at %v; b holds from %v", seed, aHold.Acquired,
		aHold.Released, bHold.Acquired)
	bHold.Released = lt(w.Now())
	res := cluster.CheckLocks(c.History(), []cluster.LockHold{aHold, bHold})
	require.Empty(t, res.Violations, "seed %d", seed)
	require.Equal(t, 1, res.Overlaps)
	require.Equal(t, 1, res.Fenced)
	require.Equal(t, 1, res.Lost)
}

// Three candidates campaign in turn: one leads at a time, in the order
// they campaigned; a non-leader's Proclaim fails with
// ErrElectionNotLeader; each Resign hands over to the next; and an
// observer sees every leader and the value the first one proclaimed.
func TestElectionHandsOverOnResign(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		w, _, sessions := recipeCluster(t, seed, 3, 10)
		watcher := cluster.NewElection(sessions[0], "svc")
		_, err := call(t, w, watcher.Leader)
		require.ErrorIs(t, err, etcdapi.ErrElectionNoLeader, "seed %d", seed)
		var observed []string
		closed := false
		obs := watcher.Observe(func(r *etcdapi.LeaderResponse) {
			if r == nil {
				closed = true
				return
			}
			observed = append(observed, fmt.Sprintf("%s=%s", r.Kv.Key, r.Kv.Value))
		})
		es := make([]*cluster.Election, 3)
		leading := -1
		for i := range es {
			es[i] = cluster.NewElection(sessions[i], "svc")
			schedule(t, w, time.Duration(i)*100*time.Millisecond, func() {
				es[i].Campaign([]byte(fmt.Sprintf("v%d", i)),
					func(resp *etcdapi.CampaignResponse, err error) {
						require.NoError(t, err, "seed %d", seed)
						require.Equal(t, -1, leading, "seed %d: %d won while %d led", seed, i,
							leading)
						require.Equal(t, es[i].Key(), string(resp.Leader.Key))
						leading = i
					})
			})
		}
		require.NoError(t, w.RunFor(time.Second))
		require.Equal(t, 0, leading, "seed %d: the first candidate leads", seed)

		never := cluster.NewElection(sessions[1], "svc")
		_, err = call(t, w, func(done func(*etcdapi.ProclaimResponse, error)) {
			never.Proclaim([]byte("x"), done)
		})
		require.ErrorIs(t, err, etcdapi.ErrElectionNotLeader, "seed %d: never campaigned", seed)
		stale := cluster.ResumeElection(sessions[1], "svc", es[0].Key(), es[0].Rev()-1)
		_, err = call(t, w, func(done func(*etcdapi.ProclaimResponse, error)) {
			stale.Proclaim([]byte("x"), done)
		})
		require.ErrorIs(t, err, etcdapi.ErrElectionNotLeader, "seed %d: not its revision", seed)
		_, err = call(t, w, func(done func(*etcdapi.ProclaimResponse, error)) {
			es[0].Proclaim([]byte("v0b"), done)
		})
		require.NoError(t, err, "seed %d", seed)

		for i := range es {
			require.Equal(t, i, leading, "seed %d", seed)
			l, err := call(t, w, watcher.Leader)
			require.NoError(t, err, "seed %d", seed)
			require.Equal(t, es[i].Key(), string(l.Kv.Key), "seed %d", seed)
			_, err = call(t, w, es[i].Resign)
			require.NoError(t, err, "seed %d", seed)
			leading = -1
			require.NoError(t, w.RunFor(500*time.Millisecond))
		}
		_, err = call(t, w, watcher.Leader)
		require.ErrorIs(t, err, etcdapi.ErrElectionNoLeader, "seed %d", seed)
		require.False(t, closed, "seed %d", seed)
		require.Equal(t, []string{
			"svc/100=v0", "svc/100=v0b", "svc/101=v1", "svc/102=v2",
		}, observed, "seed %d: the observer saw every leader", seed)
		obs.Cancel()
	}
}

// lt converts a world time to a history time.
func lt(t sim.Time) linearizability.Time { return linearizability.Time(t) }

// A session keeps its lease alive past its TTL for as long as it runs;
// Close ends it (OnDone without an error) and revokes the lease, so a
// Lock on it fails.
func TestSessionKeepsItsLeaseUntilClosed(t *testing.T) {
	w, _, sessions := recipeCluster(t, 6, 1, 2)
	s := sessions[0]
	ended := false
	s.OnDone(func(err error) {
		require.NoError(t, err)
		ended = true
	})
	require.NoError(t, w.RunFor(6*time.Second))
	require.False(t, s.Done(), "three TTLs later, the session lives")
	m := cluster.NewMutex(s, "locks/test")
	_, err := call(t, w, m.Lock)
	require.NoError(t, err, "its lease still exists")
	_, err = call(t, w, m.Unlock)
	require.NoError(t, err)
	_, err = call(t, w, func(done func(bool, error)) { s.Close(func(err error) { done(true, err) }) })
	require.NoError(t, err)
	require.True(t, ended)
	require.True(t, s.Done())
	require.NoError(t, s.Err())
	_, err = call(t, w, m.Lock)
	require.ErrorIs(t, err, etcdapi.ErrLeaseNotFound, "its lease was revoked")
}
