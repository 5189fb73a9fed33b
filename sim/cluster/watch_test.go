package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
	"etcdsim/sim/cluster"
)

// watchNodeID is the test's own client node, far from the cluster's ids.
const watchNodeID = sim.NodeID(9000)

// watchNode is a client node the test drives: a WatchClient, and a Client
// for the odd request, recording what each watch delivers the way the
// cluster's watchers do.
type watchNode struct {
	w       *sim.World
	wc      *cluster.WatchClient
	kv      *cluster.Client
	watches []*linearizability.WatchStream
}

func (n *watchNode) Start() {}

func (n *watchNode) Receive(from sim.NodeID, msg any) {
	if !n.wc.Receive(from, msg) {
		n.kv.Receive(from, msg)
	}
}

func (n *watchNode) Fire(tag uint64) {
	if !n.wc.Fire(tag) {
		n.kv.Fire(tag)
	}
}

// watch opens a watch and returns the record of what it delivers.
func (n *watchNode) watch(
	req *etcdapi.WatchCreateRequest) (*linearizability.WatchStream, *cluster.Watch) {
	ws := &linearizability.WatchStream{Client: linearizability.ClientID(1000 + len(n.watches)),
		Request: req, Created: linearizability.Time(n.w.Now())}
	n.watches = append(n.watches, ws)
	w := n.wc.Watch(req, func(r *etcdapi.WatchResponse) {
		ws.Responses = append(ws.Responses,
			linearizability.WatchDelivery{Time: linearizability.Time(n.w.Now()), Response: r})
	})
	return ws, w
}

// watchCluster is a cluster whose clients only write (puts, deletes, two-key
// txns over five keys, 200 a second), without watchers of its own, and the
// test's watch node; it runs until the first leader.
func watchCluster(t *testing.T, seed uint64) (*sim.World, *cluster.Cluster, *watchNode) {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Clients, cfg.Watchers, cfg.Lockers = 4, 0, 0
	cfg.Workload = cluster.Workload{Keys: 5, PutPct: 70, DeletePct: 20, MultiPct: 10, Rate: 200}
	w, c := newCluster(t, seed, cfg)
	node := &watchNode{w: w}
	require.NoError(t, w.AddNode(watchNodeID, func(p *sim.Proc) sim.Node {
		node.wc = cluster.NewWatchClient(p, cluster.DefaultWatchConfig(), c.Members())
		node.kv = cluster.NewClient(p, cluster.DefaultClientConfig(), c.Members())
		return node
	}))
	require.NoError(t, w.RunFor(3*time.Second))
	_, ok := c.Leader()
	require.True(t, ok, "seed %d: no leader after 3s", seed)
	return w, c, node
}

// prefixFrom1 watches every workload key from revision 1 with PrevKv.
func prefixFrom1() *etcdapi.WatchCreateRequest {
	return &etcdapi.WatchCreateRequest{Key: []byte("k"), RangeEnd: etcdapi.PrefixEnd([]byte("k")),
		StartRevision: 1, PrevKv: true}
}

// requireWatchesHold checks the node's watches against the cluster's
// history, and that a watch of everything from revision 1 saw every
// revision up to the newest any client saw, each once, in order.
func requireWatchesHold(t *testing.T, seed uint64, c *cluster.Cluster, n *watchNode) {
	t.Helper()
	h := c.History()
	for _, ws := range n.watches {
		h.Watches = append(h.Watches, *ws)
	}
	res, err := linearizability.Check(h, linearizability.Options{})
	require.NoError(t, err)
	require.Equal(t, linearizability.Linearizable, res.Verdict, "seed %d", seed)
	require.Empty(t, res.WatchViolations, "seed %d", seed)

	newest := int64(0)
	for _, op := range h.Ops {
		if out, ok := op.Output.(linearizability.EtcdResponse); ok {
			newest = max(newest, int64(out.Revision))
		}
	}
	// Revision 1 is the empty store; the clients write only "k" keys, so
	// every later revision has events, a two-key txn's two sharing one.
	prev, events := int64(1), 0
	for _, d := range n.watches[0].Responses {
		evs := d.Response.Events
		for i, ev := range evs {
			events++
			if i > 0 && ev.Kv.ModRevision == evs[i-1].Kv.ModRevision {
				continue
			}
			require.Equal(t, prev+1, ev.Kv.ModRevision, "seed %d: after revision %d", seed, prev)
			prev = ev.Kv.ModRevision
		}
	}
	require.GreaterOrEqual(t, prev, newest, "seed %d: the watch stopped short", seed)
	t.Logf("seed %d: %d events up to revision %d", seed, events, prev)
}

// settle stops the clients and lets every answer and event arrive.
func settle(t *testing.T, w *sim.World, c *cluster.Cluster) {
	t.Helper()
	c.StopClients()
	require.NoError(t, w.RunFor(5*time.Second))
	require.NoError(t, c.Violation())
}

// A watch whose member crashes resumes on another from the revision after
// the last one it delivered: every event arrives once, in order.
func TestWatchResumesAcrossAMemberCrash(t *testing.T) {
	const seed = 1
	w, c, n := watchCluster(t, seed)
	n.watch(prefixFrom1())
	require.NoError(t, w.RunFor(2*time.Second))
	victim := n.wc.Member()
	require.NotZero(t, victim)
	t.Logf("seed %d: crashing %s, the watch's member", seed, victim)
	require.NoError(t, w.Crash(victim, sim.CrashOptions{TornWrites: true}))
	require.NoError(t, w.RunFor(3*time.Second))
	require.NotEqual(t, victim, n.wc.Member(), "seed %d: the watch moved", seed)
	require.NoError(t, w.Restart(victim))
	require.NoError(t, w.RunFor(2*time.Second))
	settle(t, w, c)
	require.GreaterOrEqual(t, n.wc.Resumes(), 1, "seed %d", seed)
	requireWatchesHold(t, seed, c, n)
}

// A watch resumes when its member is cut off: from the client (the stream
// falls silent and the client gives it up after WatchConfig.Timeout), or
// from the other members only (the member keeps answering, but has no
// leader, and cancels the stream as etcd does for WithRequireLeader).
func TestWatchResumesAcrossAPartition(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(w *sim.World, c *cluster.Cluster, victim sim.NodeID) error
	}{
		{"member isolated", func(w *sim.World, _ *cluster.Cluster, victim sim.NodeID) error {
			return w.Network().Isolate(victim)
		}},
		{"member cut off from the cluster", func(w *sim.World, c *cluster.Cluster,
			victim sim.NodeID) error {
			var rest []sim.NodeID
			for _, id := range c.Members() {
				if id != victim {
					rest = append(rest, id)
				}
			}
			return w.Network().Split([]sim.NodeID{victim}, rest)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const seed = 2
			w, c, n := watchCluster(t, seed)
			n.watch(prefixFrom1())
			n.watch(&etcdapi.WatchCreateRequest{Key: []byte("k1"), Filters: []etcdapi.
				WatchCreateRequest_FilterType{etcdapi.WatchCreateRequest_NODELETE}})
			require.NoError(t, w.RunFor(2*time.Second))
			victim := n.wc.Member()
			t.Logf("seed %d: cutting off %s, the watch's member", seed, victim)
			require.NoError(t, tc.cut(w, c, victim))
			require.NoError(t, w.RunFor(8*time.Second))
			require.NotEqual(t, victim, n.wc.Member(), "seed %d: the watch moved", seed)
			w.Network().Heal()
			settle(t, w, c)
			require.GreaterOrEqual(t, n.wc.Resumes(), 1, "seed %d", seed)
			requireWatchesHold(t, seed, c, n)
		})
	}
}

// A watch from a compacted revision gets etcd's compacted response:
// CompactRevision set, Canceled, and nothing after it; one from the
// compaction on gets its events.
func TestWatchFromACompactedRevision(t *testing.T) {
	const seed = 3
	w, c, n := watchCluster(t, seed)
	require.NoError(t, w.RunFor(2*time.Second))
	var compacted int64
	n.kv.Do(&mvcc.Request{Compaction: &etcdapi.CompactionRequest{Revision: 50}},
		func(resp *mvcc.Response, err error) {
			require.NoError(t, err)
			require.NoError(t, resp.Err)
			compacted = 50
		})
	require.NoError(t, w.RunFor(time.Second))
	require.Equal(t, int64(50), compacted, "seed %d: the compaction did not return", seed)

	old, _ := n.watch(prefixFrom1())
	fresh, _ := n.watch(&etcdapi.WatchCreateRequest{Key: []byte("k"),
		RangeEnd: etcdapi.PrefixEnd([]byte("k")), StartRevision: 50})
	require.NoError(t, w.RunFor(time.Second))
	settle(t, w, c)

	require.NotEmpty(t, old.Responses)
	end := old.Responses[len(old.Responses)-1].Response
	require.True(t, end.Canceled, "seed %d", seed)
	require.Equal(t, int64(50), end.CompactRevision, "seed %d", seed)
	for _, d := range old.Responses {
		require.Empty(t, d.Response.Events, "seed %d: a compacted watch got events", seed)
	}
	first := fresh.Responses[1].Response.Events[0]
	require.Equal(t, int64(50), first.Kv.ModRevision, "seed %d", seed)
	h := c.History()
	h.Watches = []linearizability.WatchStream{*old, *fresh}
	res, err := linearizability.Check(h, linearizability.Options{})
	require.NoError(t, err)
	require.Equal(t, linearizability.Linearizable, res.Verdict)
	require.Empty(t, res.WatchViolations, "seed %d", seed)
	t.Logf("seed %d: from revision 1 told compacted at %d; from 50, %d responses", seed,
		end.CompactRevision, len(fresh.Responses))
}

// The Watch service honours every field of a create request (watch ID,
// key range, filters, PrevKv, ProgressNotify), answers progress requests
// and cancels.
func TestWatchServiceFields(t *testing.T) {
	const seed = 4
	w, c, n := watchCluster(t, seed)
	puts, putsWatch := n.watch(&etcdapi.WatchCreateRequest{Key: []byte("k0"), StartRevision: 1,
		PrevKv: true, WatchId: 7, Filters: []etcdapi.WatchCreateRequest_FilterType{
			etcdapi.WatchCreateRequest_NODELETE}})
	dels, _ := n.watch(&etcdapi.WatchCreateRequest{Key: []byte("k1"), RangeEnd: []byte("k3"),
		Filters: []etcdapi.WatchCreateRequest_FilterType{etcdapi.WatchCreateRequest_NOPUT}})
	quiet, _ := n.watch(&etcdapi.WatchCreateRequest{Key: []byte("quiet"), ProgressNotify: true})
	require.NoError(t, w.RunFor(2*time.Second))
	require.Zero(t, n.wc.Resumes(), "seed %d: no fault, no resumption", seed)

	events := 0
	for _, d := range puts.Responses {
		r := d.Response
		for _, ev := range r.Events {
			require.Equal(t, int64(7), r.WatchId)
			require.Equal(t, etcdapi.PUT, ev.Type)
			require.Equal(t, "k0", string(ev.Kv.Key))
			require.Equal(t, ev.Kv.Version > 1, ev.PrevKv != nil, "PrevKv of %v", ev.Kv)
			events++
		}
	}
	require.Positive(t, events)
	for _, d := range dels.Responses {
		for _, ev := range d.Response.Events {
			require.Equal(t, etcdapi.DELETE, ev.Type)
			require.Contains(t, []string{"k1", "k2"}, string(ev.Kv.Key))
		}
	}
	notified := 0
	for _, d := range quiet.Responses {
		require.Empty(t, d.Response.Events)
		if d.Response.IsProgressNotify() && d.Response.WatchId >= 0 {
			notified++ // the member's periodic notification, not a requested one
		}
	}
	require.GreaterOrEqual(t, notified, 1, "seed %d: ProgressNotify sends notifications", seed)

	asked := len(puts.Responses)
	n.wc.RequestProgress()
	require.NoError(t, w.RunFor(100*time.Millisecond))
	answered := false
	for _, d := range puts.Responses[asked:] {
		answered = answered || d.Response.WatchId == -1 && d.Response.IsProgressNotify()
	}
	require.True(t, answered, "seed %d: a stream-wide progress answer", seed)

	putsWatch.Cancel()
	canceled := len(puts.Responses)
	require.NoError(t, w.RunFor(time.Second))
	require.Len(t, puts.Responses, canceled, "seed %d: nothing after Cancel", seed)
	settle(t, w, c)
	h := c.History()
	h.Watches = []linearizability.WatchStream{*puts, *dels, *quiet}
	res, err := linearizability.Check(h, linearizability.Options{})
	require.NoError(t, err)
	require.Empty(t, res.WatchViolations, "seed %d", seed)
	t.Logf("seed %d: %d puts of k0 to watch 7, %d periodic progress notifications", seed,
		events, notified)
}

// With the Kubernetes profile a watcher's prefix watch is an informer's:
// it lists the keys first, records the list, and watches from the
// revision after it; the watch is checked from there.
func TestKubernetesWatchersListThenWatch(t *testing.T) {
	const seed = 5
	cfg := cluster.DefaultConfig()
	cfg.Workload, cfg.Lockers = cluster.KubernetesWorkload(), 0
	w, c := newCluster(t, seed, cfg)
	require.NoError(t, w.RunFor(5*time.Second))
	c.StopClients()
	require.NoError(t, w.RunFor(2*time.Second))
	h := c.History()
	listRevs := map[int64]bool{}
	for _, op := range h.Ops {
		in := op.Input.(linearizability.EtcdRequest)
		if in.Range != nil && len(in.Range.RangeEnd) > 0 && in.Range.Limit == 0 && !op.Unknown {
			listRevs[int64(op.Output.(linearizability.EtcdResponse).Revision)] = true
		}
	}
	informers := 0
	for _, ws := range h.Watches {
		if len(ws.Request.RangeEnd) > 0 {
			require.True(t, listRevs[ws.Request.StartRevision-1],
				"seed %d: a prefix watch from r%d follows no list", seed, ws.Request.StartRevision)
			informers++
		}
	}
	require.Equal(t, cfg.Watchers, informers)
	res, err := linearizability.Check(h, linearizability.Options{})
	require.NoError(t, err)
	require.Equal(t, linearizability.Linearizable, res.Verdict, "seed %d", seed)
	require.Empty(t, res.WatchViolations, "seed %d", seed)
}
