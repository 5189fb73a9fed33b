package cluster_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// membershipConfig is a 3-member cluster with a light workload, so that
// membership changes happen under load and the history is checked.
func membershipConfig() cluster.Config {
	cfg := maintConfig()
	cfg.Clients = 3
	return cfg
}

// healthyCluster starts cfg's cluster and runs past etcd's HealthInterval,
// so that the strict reconfiguration checks see a connected quorum.
func healthyCluster(t *testing.T, seed uint64, cfg cluster.Config) (*sim.World, *cluster.Cluster) {
	t.Helper()
	t.Logf("seed %d", seed)
	w, c := newCluster(t, seed, cfg)
	require.NoError(t, w.RunFor(7*time.Second))
	_, ok := c.Leader()
	require.True(t, ok)
	return w, c
}

// noRetryClient is a scripted client that takes every refusal as final,
// so that a test sees the refusal itself.
func noRetryClient(t *testing.T, w *sim.World, id sim.NodeID, eps ...sim.NodeID) *cluster.Client {
	t.Helper()
	cfg := cluster.DefaultClientConfig()
	cfg.RetriesMax = 0
	return clientWith(t, w, id, cfg, eps...)
}

func addLearner(t *testing.T, w *sim.World, cl *cluster.Client, url string) (*etcdapi.MemberAddResponse, error) {
	t.Helper()
	return call(t, w, func(done func(*etcdapi.MemberAddResponse, error)) {
		cl.MemberAddAsLearner([]string{url}, done)
	})
}

func addVoter(t *testing.T, w *sim.World, cl *cluster.Client, url string) (*etcdapi.MemberAddResponse, error) {
	t.Helper()
	return call(t, w, func(done func(*etcdapi.MemberAddResponse, error)) {
		cl.MemberAdd([]string{url}, done)
	})
}

func promote(t *testing.T, w *sim.World, cl *cluster.Client, id uint64) error {
	t.Helper()
	_, err := call(t, w, func(done func(*etcdapi.MemberPromoteResponse, error)) {
		cl.MemberPromote(id, done)
	})
	return err
}

func remove(t *testing.T, w *sim.World, cl *cluster.Client, id uint64) error {
	t.Helper()
	_, err := call(t, w, func(done func(*etcdapi.MemberRemoveResponse, error)) {
		cl.MemberRemove(id, done)
	})
	return err
}

func memberList(t *testing.T, w *sim.World, cl *cluster.Client, lin bool) []*etcdapi.Member {
	t.Helper()
	resp, err := call(t, w, func(done func(*etcdapi.MemberListResponse, error)) {
		cl.MemberList(lin, done)
	})
	require.NoError(t, err)
	return resp.Members
}

// describeMembers renders a member list on one line.
func describeMembers(ms []*etcdapi.Member) string {
	s := ""
	for _, m := range ms {
		s += fmt.Sprintf("%d:%s:%v:learner=%v ", m.ID, m.Name, m.PeerURLs, m.IsLearner)
	}
	return s
}

// A learner joins under load: MemberAdd changes the configuration only;
// once its process starts it catches up and publishes its name; it is
// promoted, its store hashes as the leader's, then a follower and the
// leader itself are removed. Removed members answer ErrStopped; the
// history stays linearizable and Raft's safety holds throughout.
func TestMembershipLearnerJoinPromoteRemoveUnderLoad(t *testing.T) {
	w, c := healthyCluster(t, 21, membershipConfig())
	cl := clientAt(t, w, 900, c.Members()...)

	added, err := addLearner(t, w, cl, "http://m4:2380")
	require.NoError(t, err)
	require.Equal(t, uint64(4), added.Member.ID)
	require.True(t, added.Member.IsLearner)
	require.Len(t, added.Members, 4)
	require.Equal(t, "", added.Members[3].Name, "not started yet")

	require.ErrorIs(t, promote(t, w, cl, 4), etcdapi.ErrMemberLearnerNotReady, "not started")
	require.NoError(t, c.StartMember(4))
	require.NoError(t, w.RunFor(3*time.Second))
	st := status(t, w, cl, 4)
	require.True(t, st.IsLearner)
	require.Positive(t, st.RaftAppliedIndex)
	members := memberList(t, w, cl, true)
	require.Equal(t, "m4", members[3].Name, "published: %s", describeMembers(members))

	require.NoError(t, promote(t, w, cl, 4))
	require.NoError(t, w.RunFor(time.Second))
	st = status(t, w, cl, 4)
	require.False(t, st.IsLearner)
	require.Contains(t, c.Members(), sim.NodeID(4))

	leader, _ := c.Leader()
	var follower sim.NodeID
	for _, id := range c.Members() {
		if id != leader && id != 4 {
			follower = id
		}
	}
	require.NoError(t, remove(t, w, cl, uint64(follower)))
	require.NoError(t, w.RunFor(time.Second))
	stopped := noRetryClient(t, w, 901, follower)
	_, err = do(t, w, stopped, putReq("x", []byte("y")))
	require.ErrorIs(t, err, etcdapi.ErrStopped, "a removed member stopped")

	cl.SetEndpoints(leader)
	require.NoError(t, remove(t, w, cl, uint64(leader)), "the leader answers its own removal")
	require.NoError(t, w.RunFor(3*time.Second))
	now, ok := c.Leader()
	require.True(t, ok, "the rest elect a leader")
	require.NotEqual(t, leader, now)
	cl.SetEndpoints(c.Members()...) // removed members among them answer ErrStopped
	require.NoError(t, call1(t, w, cl.Sync))
	var rest []sim.NodeID
	for _, id := range []sim.NodeID{1, 2, 3, 4} {
		if id != leader && id != follower {
			rest = append(rest, id)
		}
	}
	require.Equal(t, rest, cl.Endpoints(), "Sync lists the started voters")
	_, err = do(t, w, cl, putReq("after", []byte("removals")))
	require.NoError(t, err)

	c.StopClients()
	require.NoError(t, w.RunFor(2*time.Second))
	rev := status(t, w, cl, now).Header.Revision
	want, err := hashKV(t, w, cl, now, rev)
	require.NoError(t, err)
	for _, id := range rest {
		got, err := hashKV(t, w, cl, id, rev)
		require.NoError(t, err)
		require.Equal(t, want.Hash, got.Hash, "HashKV of %s at %d", id, rev)
	}
	require.NoError(t, c.Violation())
	res := checkLinearizable(t, c)
	require.Equal(t, linearizability.Linearizable, res.Verdict)
}

// call1 runs a call whose done takes only an error.
func call1(t *testing.T, w *sim.World, start func(done func(error))) error {
	t.Helper()
	_, err := call(t, w, func(done func(struct{}, error)) {
		start(func(err error) { done(struct{}{}, err) })
	})
	return err
}

// Each refusal of etcd's Cluster service, in a quiet cluster: bad URLs,
// an unhealthy cluster (connected for less than HealthInterval), a peer
// URL in use, too many learners, a learner not ready, a member not found
// or not a learner, not enough started members; a second change while one
// is pending is left unanswered, as etcd's, and changes nothing.
func TestMembershipRefusals(t *testing.T) {
	const seed = 22
	t.Logf("seed %d", seed)
	w, c := newCluster(t, seed, maintConfig())
	require.NoError(t, w.RunFor(3*time.Second))
	cl := clientAt(t, w, 900, c.Members()...)
	_, err := addVoter(t, w, cl, "http://m4:2380")
	require.ErrorIs(t, err, etcdapi.ErrUnhealthy, "connected for less than HealthInterval")
	require.NoError(t, w.RunFor(5*time.Second))

	for _, urls := range [][]string{nil, {"m4:2380"}, {"ftp://m4:2380"}, {"http://m4"}} {
		_, err := call(t, w, func(done func(*etcdapi.MemberAddResponse, error)) {
			cl.MemberAdd(urls, done)
		})
		require.ErrorIs(t, err, etcdapi.ErrMemberBadURLs, "%q", urls)
	}
	_, err = addLearner(t, w, cl, "http://m1:2380")
	require.ErrorIs(t, err, etcdapi.ErrPeerURLExist)
	_, err = addLearner(t, w, cl, "http://m4:2380")
	require.NoError(t, err)
	_, err = addLearner(t, w, cl, "http://m5:2380")
	require.ErrorIs(t, err, etcdapi.ErrTooManyLearners)
	require.ErrorIs(t, promote(t, w, cl, 4), etcdapi.ErrMemberLearnerNotReady, "never started")
	require.ErrorIs(t, promote(t, w, cl, 1), etcdapi.ErrMemberNotLearner)
	require.ErrorIs(t, promote(t, w, cl, 42), etcdapi.ErrMemberNotFound)
	require.ErrorIs(t, remove(t, w, cl, 42), etcdapi.ErrMemberNotFound)
	_, err = call(t, w, func(done func(*etcdapi.MemberUpdateResponse, error)) {
		cl.MemberUpdate(42, []string{"http://x:1"}, done)
	})
	require.ErrorIs(t, err, etcdapi.ErrMemberNotFound)
	_, err = call(t, w, func(done func(*etcdapi.MemberUpdateResponse, error)) {
		cl.MemberUpdate(4, []string{"http://m2:2380"}, done)
	})
	require.ErrorIs(t, err, etcdapi.ErrPeerURLExist)
	require.NoError(t, remove(t, w, cl, 4), "a learner never started goes")
	require.ErrorIs(t, remove(t, w, cl, 4), etcdapi.ErrMemberNotFound, "removed for good")

	// Two voters added but never started: 3 of 5 started. A sixth voter
	// would need 4; removing a started voter would leave 2 of 4.
	for _, url := range []string{"http://m5:2380", "http://m6:2380"} {
		_, err := addVoter(t, w, cl, url)
		require.NoError(t, err)
	}
	_, err = addVoter(t, w, cl, "http://m7:2380")
	require.ErrorIs(t, err, etcdapi.ErrMemberNotEnoughStarted)
	require.ErrorIs(t, remove(t, w, cl, 1), etcdapi.ErrMemberNotEnoughStarted)
	require.NoError(t, remove(t, w, cl, 6), "an unstarted voter may go")

	// Two changes at once from two clients: the second finds the first
	// pending and is never answered.
	other := clientAt(t, w, 901, c.Members()...)
	before := memberList(t, w, cl, true)
	var first, second error
	firstDone, secondDone := false, false
	_, err = w.Schedule(0, "two changes", func() {
		cl.MemberUpdate(5, []string{"http://m5b:2380"}, func(_ *etcdapi.MemberUpdateResponse, e error) {
			first, firstDone = e, true
		})
		other.MemberRemove(5, func(_ *etcdapi.MemberRemoveResponse, e error) {
			second, secondDone = e, true
		})
	})
	require.NoError(t, err)
	require.NoError(t, w.RunWhile(func() bool { return !firstDone || !secondDone }, 1_000_000))
	after := memberList(t, w, cl, true)
	if first == nil {
		require.ErrorIs(t, second, cluster.ErrDeadlineExceeded)
		require.Len(t, after, len(before), "the removal did not happen")
		require.Equal(t, []string{"http://m5b:2380"}, after[len(after)-1].PeerURLs, "the update did")
	} else {
		require.ErrorIs(t, first, cluster.ErrDeadlineExceeded)
		require.NoError(t, second)
		require.Len(t, after, len(before)-1, "the removal happened, the update did not")
	}
	require.NoError(t, c.Violation())
}

// A membership change is replicated state: it survives snapshots (taken
// every 50 entries here, so the log behind the changes is compacted) and
// the loss of power on every member at once; a member added after the
// log was compacted catches up from a snapshot. The run replays: the same
// seed gives the same trace hash.
func TestMembershipSurvivesPowerLossAndSnapshots(t *testing.T) {
	const seed = 23
	run := func() uint64 {
		cfg := membershipConfig()
		cfg.SnapshotEvery, cfg.SnapshotCatchUp = 50, 10
		w, c := healthyCluster(t, seed, cfg)
		cl := clientAt(t, w, 900, c.Members()...)
		_, err := addLearner(t, w, cl, "http://m4:2380")
		require.NoError(t, err)
		require.NoError(t, c.StartMember(4))
		require.NoError(t, w.RunFor(2*time.Second))
		require.NoError(t, promote(t, w, cl, 4))
		_, err = call(t, w, func(done func(*etcdapi.MemberUpdateResponse, error)) {
			cl.MemberUpdate(4, []string{"http://m4b:2380"}, done)
		})
		require.NoError(t, err)
		require.NoError(t, remove(t, w, cl, 2))
		require.NoError(t, w.RunFor(3*time.Second)) // snapshots past the changes
		before := memberList(t, w, cl, true)
		require.Len(t, before, 3, describeMembers(before))

		for _, id := range c.Members() {
			require.NoError(t, w.Crash(id, sim.CrashOptions{TornWrites: true}))
		}
		require.NoError(t, w.RunFor(time.Second))
		for _, id := range c.Members() {
			require.NoError(t, w.Restart(id))
		}
		require.NoError(t, w.RunFor(5*time.Second))
		_, ok := c.Leader()
		require.True(t, ok)
		cl.SetEndpoints(1, 3, 4)
		require.Equal(t, before, memberList(t, w, cl, true), "after power loss")
		for _, id := range []sim.NodeID{1, 3, 4} {
			require.Equal(t, before, memberList(t, w, clientAt(t, w, 910+id, id), false), "at %s", id)
		}
		stopped := noRetryClient(t, w, 902, 2)
		_, err = do(t, w, stopped, getReq("k"))
		require.ErrorIs(t, err, etcdapi.ErrStopped, "the removed member stays removed")

		require.NoError(t, w.RunFor(5*time.Second)) // healthy again
		added, err := addLearner(t, w, cl, "http://m5:2380")
		require.NoError(t, err)
		require.Equal(t, uint64(5), added.Member.ID, "IDs are never reused")
		installed := 0
		w.Trace().SetSink(func(r sim.Record) {
			if r.Node == 5 && strings.HasPrefix(r.Text, "installed snapshot") {
				installed++
			}
		})
		require.NoError(t, c.StartMember(5))
		require.NoError(t, w.RunFor(3*time.Second))
		st := status(t, w, cl, 5)
		leader, _ := c.Leader()
		require.GreaterOrEqual(t, 10*st.RaftAppliedIndex, 9*status(t, w, cl, leader).RaftAppliedIndex,
			"caught up")
		require.Positive(t, installed, "from a snapshot: the log behind it is compacted")
		require.NoError(t, promote(t, w, cl, 5))
		c.StopClients()
		require.NoError(t, w.RunFor(2*time.Second))
		rev := status(t, w, cl, leader).Header.Revision
		want, err := hashKV(t, w, cl, leader, rev)
		require.NoError(t, err)
		got, err := hashKV(t, w, cl, 5, rev)
		require.NoError(t, err)
		require.Equal(t, want.Hash, got.Hash)
		require.NoError(t, c.Violation())
		res := checkLinearizable(t, c)
		require.Equal(t, linearizability.Linearizable, res.Verdict)
		return w.Trace().Hash()
	}
	first := run()
	require.Equal(t, first, run(), "seed %d replays with the same trace hash", seed)
}

// A learner serves no Watch, as etcd's (v3rpc isRPCSupportedForLearner):
// a watch opened on it is reset with ErrNotSupportedForLearner and never
// created there.
func TestLearnersServeNoWatch(t *testing.T) {
	const seed = 24
	w, c := healthyCluster(t, seed, membershipConfig())
	cl := clientAt(t, w, 900, c.Members()...)
	_, err := addLearner(t, w, cl, "http://m4:2380")
	require.NoError(t, err)
	require.NoError(t, c.StartMember(4))
	require.NoError(t, w.RunFor(3*time.Second))
	node := &watchNode{w: w}
	require.NoError(t, w.AddNode(watchNodeID, func(p *sim.Proc) sim.Node {
		node.wc = cluster.NewWatchClient(p, cluster.DefaultWatchConfig(), []sim.NodeID{4})
		node.kv = cluster.NewClient(p, cluster.DefaultClientConfig(), []sim.NodeID{4})
		return node
	}))
	require.NoError(t, w.RunFor(time.Millisecond))
	ws, _ := node.watch(prefixFrom1())
	require.NoError(t, w.RunFor(3*time.Second))
	for _, d := range ws.Responses {
		require.False(t, d.Response.Created, "seed %d: the learner created a watch", seed)
	}
	require.Positive(t, node.wc.Resumes(), "seed %d: the client was sent away", seed)
}
