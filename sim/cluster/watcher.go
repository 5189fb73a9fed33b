package cluster

import (
	"strconv"
	"time"

	"etcdsim/linearizability"
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// Watcher nodes take the ids after the clients' range: clients are
// clientIDBase+1 .. clientIDBase+1000 (Validate's bound), watchers
// watcherIDBase+1 .. watcherIDBase+watchersMax.
const (
	watcherIDBase = clientIDBase + 1000
	watchersMax   = 100
)

// Bounds of a watcher: reopensMax bounds the watches it opens again after
// one ended (compacted, canceled); watcherStartPoll is how often it looks
// for the cluster's first leader before it starts.
const (
	watcherReopensMax = 100
	watcherStartPoll  = 100 * time.Millisecond
)

// tagWatcherStart is a watcher's timer before it starts watching.
const tagWatcherStart = 1

// watcher is a node of the workload that watches the keys the workers
// write, through a WatchClient, and records every response its watches
// deliver in the history's Watches, one WatchStream per watch however many
// streams it lived on (the checker's logical watcher).
//
// Watcher i (from 0) opens two watches once the cluster has its first
// leader: every workload key (the workload's prefix), and its key i with a
// filter.
// Even watchers watch the prefix from revision 1 with PrevKv and the key
// from now without deletes; odd ones the prefix from now with
// ProgressNotify and the key from revision 1 without puts. A watch that
// ends (compacted) is opened again from now, as a clientv3 user would
// after listing the keys again.
//
// With the Kubernetes profile the prefix watch is an informer's: it lists
// the keys first (a linearizable range, recorded in the history) and
// watches from the revision after the list's, and it does so again when
// the watch ends.
type watcher struct {
	c       *Cluster
	p       *sim.Proc
	index   int
	wc      *WatchClient
	cl      *Client
	reopens int
}

// addWatchers adds the configured watcher nodes to the world.
func (c *Cluster) addWatchers() error {
	for i := 0; i < c.cfg.Watchers; i++ {
		index := i
		if err := c.w.AddNode(sim.NodeID(watcherIDBase+1+i), func(p *sim.Proc) sim.Node {
			return &watcher{c: c, p: p, index: index,
				wc: NewWatchClient(p, DefaultWatchConfig(), c.memberIDs),
				cl: NewClient(p, c.cfg.Client, c.memberIDs)}
		}); err != nil {
			return err
		}
	}
	return nil
}

// Start waits for the cluster's first leader, as workers do.
func (wt *watcher) Start() { wt.maybeStart() }

func (wt *watcher) maybeStart() {
	if wt.c.leaderChanges == 0 {
		if _, err := wt.p.SetTimer(watcherStartPoll, tagWatcherStart); err != nil {
			failf("watcher timer: %v", err)
		}
		return
	}
	even := wt.index%2 == 0
	keys := []byte(wt.c.cfg.Workload.KeyPrefix())
	prefix := &etcdapi.WatchCreateRequest{Key: keys,
		RangeEnd: etcdapi.PrefixEnd(keys), PrevKv: even, ProgressNotify: !even}
	key := &etcdapi.WatchCreateRequest{
		Key: []byte(wt.c.cfg.Workload.KeyPrefix() + strconv.Itoa(wt.index%wt.c.cfg.Workload.Keys))}
	if even {
		prefix.StartRevision = 1
		key.Filters = []etcdapi.WatchCreateRequest_FilterType{etcdapi.WatchCreateRequest_NODELETE}
	} else {
		key.StartRevision = 1
		key.Filters = []etcdapi.WatchCreateRequest_FilterType{etcdapi.WatchCreateRequest_NOPUT}
	}
	if wt.c.cfg.Workload.Profile == ProfileKubernetes {
		prefix.StartRevision = 0
		wt.listThenWatch(prefix)
	} else {
		wt.watch(prefix)
	}
	wt.watch(key)
}

// listThenWatch is a Kubernetes informer's start: list every key, then
// watch req from the revision after the list's. A list that fails is
// tried again after watcherStartPoll, as a reflector retries.
func (wt *watcher) listThenWatch(req *etcdapi.WatchCreateRequest) {
	list := &mvcc.Request{Range: &etcdapi.RangeRequest{Key: req.Key, RangeEnd: req.RangeEnd}}
	call, process := wt.c.w.Now(), wt.c.newProcess()
	wt.cl.Do(list, func(resp *mvcc.Response, err error) {
		if err != nil || resp.Err != nil {
			wt.p.Logf("list before watching: %v %v", err, resp)
			if _, err := wt.c.w.Schedule(watcherStartPoll, "relist", func() {
				wt.listThenWatch(req)
			}); err != nil {
				failf("watcher relist: %v", err)
			}
			return
		}
		wt.c.record(linearizability.Operation{Client: process, Call: lt(call),
			Return: lt(wt.c.w.Now()), Input: historyRequest(list), Output: historyResponse(resp)})
		from := *req
		from.StartRevision = resp.Range.Header.Revision + 1
		wt.watch(&from)
	})
}

// watch opens a watch of req and records what it delivers.
func (wt *watcher) watch(req *etcdapi.WatchCreateRequest) {
	h := &wt.c.history
	i := len(h.Watches)
	h.Watches = append(h.Watches, linearizability.WatchStream{Client: wt.c.newProcess(),
		Request: req, Created: lt(wt.c.w.Now())})
	wt.wc.Watch(req, func(resp *etcdapi.WatchResponse) { wt.record(i, req, resp) })
}

// record adds a response to watch i's history, and opens the watch again
// from now once it ends.
func (wt *watcher) record(i int, req *etcdapi.WatchCreateRequest, resp *etcdapi.WatchResponse) {
	ws := &wt.c.history.Watches[i]
	ws.Responses = append(ws.Responses, linearizability.WatchDelivery{Time: lt(wt.c.w.Now()),
		Response: resp})
	if !resp.Canceled {
		return
	}
	wt.p.Logf("watch %d ended: compact revision %d, %q", i, resp.CompactRevision, resp.CancelReason)
	if wt.reopens == watcherReopensMax {
		wt.p.Logf("watch %d not reopened: %d reopened already", i, wt.reopens)
		return
	}
	wt.reopens++
	again := *req
	again.StartRevision = 0
	if wt.c.cfg.Workload.Profile == ProfileKubernetes && len(again.Filters) == 0 {
		wt.listThenWatch(&again) // an informer lists again
		return
	}
	wt.watch(&again)
}

func (wt *watcher) Fire(tag uint64) {
	if wt.wc.Fire(tag) || wt.cl.Fire(tag) {
		return
	}
	if tag == tagWatcherStart {
		wt.maybeStart()
	}
}

func (wt *watcher) Receive(from sim.NodeID, msg any) {
	if !wt.wc.Receive(from, msg) && !wt.cl.Receive(from, msg) {
		wt.p.Logf("unexpected message %T from %s", msg, from)
	}
}
