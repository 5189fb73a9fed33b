package cluster_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// maintConfig is a quiet 3-member cluster: no workers, watchers or other
// load, only the scripted clients a test adds. It is built field by field
// so that no load DefaultConfig may gain runs beside the script.
func maintConfig() cluster.Config {
	def := cluster.DefaultConfig()
	return cluster.Config{Members: 3, TickInterval: def.TickInterval,
		ElectionTicks: def.ElectionTicks, HeartbeatTicks: def.HeartbeatTicks, PreVote: true,
		CheckQuorum: true, SnapshotEvery: def.SnapshotEvery, SnapshotCatchUp: def.SnapshotCatchUp,
		Client: def.Client, Workload: def.Workload}
}

// maintCluster starts cfg's cluster and waits for a leader.
func maintCluster(t *testing.T, seed uint64, cfg cluster.Config) (*sim.World, *cluster.Cluster) {
	t.Helper()
	w, c := newCluster(t, seed, cfg)
	require.NoError(t, w.RunFor(3*time.Second))
	_, ok := c.Leader()
	require.True(t, ok)
	return w, c
}

// clientAt adds a scripted client node id calling endpoints.
func clientAt(t *testing.T, w *sim.World, id sim.NodeID, endpoints ...sim.NodeID) *cluster.Client {
	t.Helper()
	return clientWith(t, w, id, cluster.DefaultClientConfig(), endpoints...)
}

// clientWith adds a scripted client node id with cfg calling endpoints,
// and starts it.
func clientWith(t *testing.T, w *sim.World, id sim.NodeID, cfg cluster.ClientConfig,
	endpoints ...sim.NodeID) *cluster.Client {
	t.Helper()
	var cl *cluster.Client
	require.NoError(t, w.AddNode(id, func(p *sim.Proc) sim.Node {
		cl = cluster.NewClient(p, cfg, endpoints)
		return &scriptNode{cl: cl}
	}))
	require.NoError(t, w.RunFor(time.Millisecond)) // start it
	require.NotNil(t, cl)
	return cl
}

func do(t *testing.T, w *sim.World, cl *cluster.Client, req *mvcc.Request) (*mvcc.Response, error) {
	t.Helper()
	return call(t, w, func(done func(*mvcc.Response, error)) { cl.Do(req, done) })
}

func putReq(k string, v []byte) *mvcc.Request {
	return &mvcc.Request{Put: &etcdapi.PutRequest{Key: []byte(k), Value: v}}
}

func getReq(k string) *mvcc.Request {
	return &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte(k)}}
}

func hashKV(t *testing.T, w *sim.World, cl *cluster.Client, id sim.NodeID,
	rev int64) (*etcdapi.HashKVResponse, error) {
	t.Helper()
	return call(t, w, func(done func(*etcdapi.HashKVResponse, error)) { cl.HashKV(id, rev, done) })
}

func status(t *testing.T, w *sim.World, cl *cluster.Client, id sim.NodeID) *etcdapi.StatusResponse {
	t.Helper()
	st, err := call(t, w, func(done func(*etcdapi.StatusResponse, error)) { cl.Status(id, done) })
	require.NoError(t, err)
	require.Equal(t, uint64(id), st.Header.MemberId, "answered by the endpoint named")
	return st
}

// Status, Hash, HashKV and Defragment answer about the member named:
// members that applied the same entries report the same leader, term,
// indexes, size and hashes; a write changes the hashes; HashKV refuses a
// compacted or future revision; defragmenting changes nothing a client
// sees (the memory backend has no file to rewrite).
func TestMaintenanceAnswersAboutEachMember(t *testing.T) {
	w, c := maintCluster(t, 3, maintConfig())
	cl := clientAt(t, w, 900, c.Members()...)
	for i := range 5 {
		_, err := do(t, w, cl, putReq(fmt.Sprint("k", i%2), []byte("value")))
		require.NoError(t, err)
	}
	require.NoError(t, w.RunFor(500*time.Millisecond)) // every member applies
	leader, _ := c.Leader()
	first := status(t, w, cl, leader)
	require.Equal(t, uint64(leader), first.Leader)
	require.Equal(t, first.RaftIndex, first.RaftAppliedIndex)
	require.Positive(t, first.DbSizeInUse)
	require.Equal(t, mvcc.DefaultQuotaBackendBytes, first.DbSizeQuota)
	require.Equal(t, mvcc.EtcdVersion37, first.Version)
	require.Empty(t, first.Errors)
	require.False(t, first.IsLearner)
	hashes := map[uint32]bool{}
	for _, id := range c.Members() {
		st := status(t, w, cl, id)
		require.Equal(t, first.Leader, st.Leader)
		require.Equal(t, first.RaftTerm, st.RaftTerm)
		require.Equal(t, first.RaftAppliedIndex, st.RaftAppliedIndex)
		require.Equal(t, first.DbSizeInUse, st.DbSizeInUse)
		require.Equal(t, int64(6), st.Header.Revision)
		h, err := call(t, w, func(done func(*etcdapi.HashResponse, error)) { cl.Hash(id, done) })
		require.NoError(t, err)
		require.Equal(t, uint64(id), h.Header.MemberId)
		hashes[h.Hash] = true
		kv, err := hashKV(t, w, cl, id, 4)
		require.NoError(t, err)
		require.Equal(t, int64(4), kv.HashRevision)
		hashes[kv.Hash] = true

		_, err = hashKV(t, w, cl, id, 99)
		require.ErrorIs(t, err, etcdapi.ErrFutureRev)
		d, err := call(t, w, func(done func(*etcdapi.DefragmentResponse, error)) {
			cl.Defragment(id, done)
		})
		require.NoError(t, err)
		require.NotNil(t, d)
		h2, err := call(t, w, func(done func(*etcdapi.HashResponse, error)) { cl.Hash(id, done) })
		require.NoError(t, err)
		require.Equal(t, h.Hash, h2.Hash, "defragmenting changes no content")
	}
	require.Len(t, hashes, 2, "members agree on Hash, and on HashKV at revision 4")

	_, err := do(t, w, cl, &mvcc.Request{Compaction: &etcdapi.CompactionRequest{Revision: 5}})
	require.NoError(t, err)
	_, err = hashKV(t, w, cl, leader, 4)
	require.ErrorIs(t, err, etcdapi.ErrCompacted)
	h, err := call(t, w, func(done func(*etcdapi.HashResponse, error)) { cl.Hash(leader, done) })
	require.NoError(t, err)
	require.False(t, hashes[h.Hash], "compaction changed the store's hash")
	require.NoError(t, c.Violation())
}

// A call about one member goes to it alone: a crashed endpoint's status
// is not answered by another member.
func TestStatusOfACrashedMemberTimesOut(t *testing.T) {
	w, c := maintCluster(t, 4, maintConfig())
	cl := clientAt(t, w, 900, c.Members()...)
	leader, _ := c.Leader()
	var down sim.NodeID
	for _, id := range c.Members() {
		if id != leader {
			down = id
			break
		}
	}
	require.NoError(t, w.Crash(down, sim.CrashOptions{}))
	_, err := call(t, w, func(done func(*etcdapi.StatusResponse, error)) { cl.Status(down, done) })
	require.ErrorIs(t, err, cluster.ErrDeadlineExceeded)
	st := status(t, w, cl, leader)
	require.Equal(t, uint64(leader), st.Leader)
}

// MoveLeader: only the leader accepts it; the target must be a voting
// member; moving to the leader itself answers at once; moving to a
// follower answers once the follower leads, and the cluster serves on.
func TestMoveLeader(t *testing.T) {
	w, c := maintCluster(t, 5, maintConfig())
	leader, _ := c.Leader()
	var follower sim.NodeID
	for _, id := range c.Members() {
		if id != leader {
			follower = id
		}
	}
	atFollower := clientAt(t, w, 900, follower)
	atLeader := clientAt(t, w, 901, leader)
	move := func(cl *cluster.Client, to sim.NodeID) error {
		_, err := call(t, w, func(done func(*etcdapi.MoveLeaderResponse, error)) {
			cl.MoveLeader(uint64(to), done)
		})
		return err
	}
	require.ErrorIs(t, move(atFollower, follower), etcdapi.ErrNotLeader)
	require.ErrorIs(t, move(atLeader, 42), etcdapi.ErrBadLeaderTransferee)
	require.NoError(t, move(atLeader, leader), "the leader already leads")
	require.NoError(t, move(atLeader, follower))
	now, ok := c.Leader()
	require.True(t, ok)
	require.Equal(t, follower, now, "the transferee leads when the call answers")
	require.Equal(t, uint64(follower), status(t, w, atFollower, follower).Leader)
	require.ErrorIs(t, move(atLeader, leader), etcdapi.ErrNotLeader, "the old leader stepped down")
	_, err := do(t, w, atFollower, putReq("after", []byte("move")))
	require.NoError(t, err)
	require.NoError(t, c.Violation())
}

// A transfer to a member the leader cannot reach never completes: Raft
// aborts it, and the leader answers ErrTimeoutLeaderTransfer (to a client
// whose deadline is later than the member's bound, two election timeouts)
// and keeps leading.
func TestMoveLeaderTimesOut(t *testing.T) {
	w, c := maintCluster(t, 8, maintConfig())
	leader, _ := c.Leader()
	target := c.Members()[0]
	if target == leader {
		target = c.Members()[1]
	}
	var cl *cluster.Client
	require.NoError(t, w.AddNode(900, func(p *sim.Proc) sim.Node {
		cfg := cluster.DefaultClientConfig()
		cfg.Timeout = 5 * time.Second
		cl = cluster.NewClient(p, cfg, []sim.NodeID{leader})
		return &scriptNode{cl: cl}
	}))
	require.NoError(t, w.Network().Block(leader, target))
	start := w.Now()
	_, err := call(t, w, func(done func(*etcdapi.MoveLeaderResponse, error)) {
		cl.MoveLeader(uint64(target), done)
	})
	require.ErrorIs(t, err, etcdapi.ErrTimeoutLeaderTransfer)
	require.GreaterOrEqual(t, w.Now().Sub(start), 2*time.Second)
	now, _ := c.Leader()
	require.Equal(t, leader, now)
	require.NoError(t, c.Violation())
}

// The NOSPACE alarm is the cluster's, as in etcd: once a write passes the
// backend quota, the alarm is raised through the log and every member
// refuses puts, txns with puts and lease grants, while reads, deletes and
// compaction work. Compacting brings the size under the quota, but writes
// stay refused (now when applied) until the alarm is disarmed; after
// compaction, defragmentation and disarming, every member writes again.
func TestNoSpaceAlarmIsClusterWide(t *testing.T) {
	cfg := maintConfig()
	cfg.Store.QuotaBackendBytes = 64 << 10
	w, c := maintCluster(t, 6, cfg)
	members := c.Members()
	cl := clientAt(t, w, 900, members...)
	fillQuota(t, w, cl)
	require.NoError(t, w.RunFor(time.Second)) // the alarm's proposal applies

	alarms, err := call(t, w, cl.AlarmList)
	require.NoError(t, err)
	require.NotEmpty(t, alarms.Alarms)
	for _, a := range alarms.Alarms {
		require.Equal(t, etcdapi.AlarmType_NOSPACE, a.Alarm)
		require.Contains(t, members, sim.NodeID(a.MemberID))
	}
	at := map[sim.NodeID]*cluster.Client{}
	for i, id := range members {
		at[id] = clientAt(t, w, sim.NodeID(910+i), id)
		st := status(t, w, cl, id)
		require.Contains(t, strings.Join(st.Errors, ";"), "alarm:NOSPACE")
	}
	requireWrites(t, w, at, etcdapi.ErrNoSpace, "raised")
	txn := &mvcc.Request{Txn: &etcdapi.TxnRequest{Success: []*etcdapi.RequestOp{
		{RequestPut: &etcdapi.PutRequest{Key: []byte("t")}}}}}
	_, err = do(t, w, cl, txn)
	require.ErrorIs(t, err, etcdapi.ErrNoSpace)
	for _, id := range members {
		resp, err := do(t, w, at[id], getReq("k0"))
		require.NoError(t, err, "reads work at %s", id)
		require.Len(t, resp.Range.Kvs, 1)
	}
	del := &mvcc.Request{DeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte("k3")}}
	_, err = do(t, w, cl, del)
	require.NoError(t, err, "deletes work")

	resp, err := do(t, w, cl, getReq("k0"))
	require.NoError(t, err)
	_, err = do(t, w, cl, &mvcc.Request{Compaction: &etcdapi.CompactionRequest{
		Revision: resp.Range.Header.Revision}})
	require.NoError(t, err, "compaction works")
	require.NoError(t, w.RunFor(500*time.Millisecond))
	for _, id := range members {
		st := status(t, w, cl, id)
		require.Less(t, st.DbSizeInUse, cfg.Store.QuotaBackendBytes/2, "compaction freed space")
	}
	requireWrites(t, w, at, etcdapi.ErrNoSpace, "below the quota, still raised")
	for _, id := range members {
		_, err := call(t, w, func(done func(*etcdapi.DefragmentResponse, error)) {
			cl.Defragment(id, done)
		})
		require.NoError(t, err)
	}
	disarmed, err := call(t, w, func(done func(*etcdapi.AlarmResponse, error)) {
		cl.AlarmDisarm(&etcdapi.AlarmMember{}, done)
	})
	require.NoError(t, err)
	require.ElementsMatch(t, alarms.Alarms, disarmed.Alarms)
	alarms, err = call(t, w, cl.AlarmList)
	require.NoError(t, err)
	require.Empty(t, alarms.Alarms)
	requireWrites(t, w, at, nil, "disarmed")
	require.NoError(t, c.Violation())
}

// fillQuota overwrites four keys with 4 KiB values until a put is refused
// for space.
func fillQuota(t *testing.T, w *sim.World, cl *cluster.Client) {
	t.Helper()
	value := make([]byte, 4<<10)
	var err error
	for i := 0; err == nil; i++ {
		require.Less(t, i, 100, "the quota was never reached")
		_, err = do(t, w, cl, putReq(fmt.Sprint("k", i%4), value))
	}
	require.ErrorIs(t, err, etcdapi.ErrNoSpace)
}

// requireWrites requires a put and a lease grant at each member of at to
// end with want.
func requireWrites(t *testing.T, w *sim.World, at map[sim.NodeID]*cluster.Client, want error,
	why string) {
	t.Helper()
	for _, id := range sortedIDs(at) {
		_, err := do(t, w, at[id], putReq("tiny", nil))
		require.ErrorIs(t, err, want, "%s: put at %s", why, id)
		_, err = call(t, w, func(done func(*etcdapi.LeaseGrantResponse, error)) {
			at[id].Grant(60, 0, done)
		})
		require.ErrorIs(t, err, want, "%s: grant at %s", why, id)
	}
}

func sortedIDs[V any](m map[sim.NodeID]V) []sim.NodeID {
	ids := make([]sim.NodeID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Under a workload, a cluster whose quota fills refuses writes for space
// from then on; the refused writes took no effect and stay out of the
// history, which checks linearizable.
func TestNoSpaceUnderLoadStaysLinearizable(t *testing.T) {
	cfg := maintConfig()
	cfg.Clients, cfg.Watchers = 5, 2
	cfg.Store.QuotaBackendBytes = 128 << 10
	w, c := newCluster(t, 7, cfg)
	require.NoError(t, w.RunFor(8*time.Second))
	c.StopClients()
	require.NoError(t, w.RunFor(2*time.Second))
	require.NoError(t, c.Violation())
	leader, ok := c.Leader()
	require.True(t, ok)
	cl := clientAt(t, w, 900, leader)
	alarms, err := call(t, w, cl.AlarmList)
	require.NoError(t, err)
	require.NotEmpty(t, alarms.Alarms, "the workload filled the quota")
	for _, op := range c.History().Ops {
		if out, ok := op.Output.(linearizability.EtcdResponse); ok {
			require.NotErrorIs(t, out.Err, etcdapi.ErrNoSpace, "a refusal is not an outcome")
		}
	}
	res := checkLinearizable(t, c)
	require.Equal(t, linearizability.Linearizable, res.Verdict)
}
