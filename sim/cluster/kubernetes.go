package cluster

import (
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// Workload profiles: the traffic of etcd's robustness tests, after their
// two traffic profiles (etcd's tests/robustness/traffic).
const (
	// ProfileEtcd mixes every KV and lease request (Workload's fields).
	ProfileEtcd = "etcd"
	// ProfileKubernetes is Kubernetes' use of etcd: paginated lists at one
	// revision, creates, and updates and deletes guarded by the mod
	// revision last read (optimistic concurrency), over "/registry/pods/".
	ProfileKubernetes = "kubernetes"
)

// KeyPrefix is the prefix every key of the workload has.
func (wl Workload) KeyPrefix() string {
	if wl.Profile == ProfileKubernetes {
		return "/registry/pods/default/pod-"
	}
	return "k"
}

// KubernetesWorkload is ProfileKubernetes over ten pods at the default
// rate.
func KubernetesWorkload() Workload {
	wl := DefaultWorkload()
	wl.Profile, wl.Keys, wl.LeasePct = ProfileKubernetes, 10, 0
	return wl
}

// kubernetesPageLimit is a list's page size (Kubernetes asks 500 by
// default; a few pods need a small one to paginate at all).
const kubernetesPageLimit = 3

// drawKubernetes draws a Kubernetes request. A list goes page by page: the
// first page reads the current revision, the next ones read the same
// revision from the key after the last one returned, as the API server's
// continue tokens do; between pages the worker does nothing else.
func (wk *worker) drawKubernetes() *mvcc.Request {
	if wk.listFrom != nil {
		return wk.listPage(wk.listFrom, wk.listRev)
	}
	key := wk.key()
	switch roll := wk.r.IntN(100); {
	case roll < 20:
		wk.listRev = 0
		return wk.listPage([]byte(wk.c.cfg.Workload.KeyPrefix()), 0)
	case roll < 35:
		return &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte(key)}}
	case roll < 50:
		return wk.guarded(key, 0, &etcdapi.RequestOp{RequestPut: wk.put(key)}) // create
	case roll < 85:
		return wk.guarded(key, wk.modRev[key], &etcdapi.RequestOp{RequestPut: wk.put(key)})
	}
	return wk.guarded(key, wk.modRev[key], &etcdapi.RequestOp{
		RequestDeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte(key)}})
}

// listPage reads one page of the pods from key on, at rev (0: now).
func (wk *worker) listPage(from []byte, rev int64) *mvcc.Request {
	prefix := []byte(wk.c.cfg.Workload.KeyPrefix())
	return &mvcc.Request{Range: &etcdapi.RangeRequest{Key: from, RangeEnd: etcdapi.PrefixEnd(prefix),
		Limit: kubernetesPageLimit, Revision: rev}}
}

// guarded is Kubernetes' GuaranteedUpdate: op if key's mod revision is
// still modRev (0: the key does not exist, a create), else a read of the
// key to learn its current state.
func (wk *worker) guarded(key string, modRev int64, op *etcdapi.RequestOp) *mvcc.Request {
	cmp := &etcdapi.Compare{Key: []byte(key), Target: etcdapi.Compare_MOD,
		Result: etcdapi.Compare_EQUAL, ModRevision: modRev}
	return &mvcc.Request{Txn: &etcdapi.TxnRequest{
		Compare: []*etcdapi.Compare{cmp},
		Success: []*etcdapi.RequestOp{op},
		Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: []byte(key)}}},
	}}
}

// noteList follows a list's pages: after a page with more to come, the
// next request is the next page at the first page's revision.
func (wk *worker) noteList(req *etcdapi.RangeRequest, resp *mvcc.Response) {
	if wk.c.cfg.Workload.Profile != ProfileKubernetes || req.Limit != kubernetesPageLimit {
		return
	}
	if resp == nil || resp.Err != nil || resp.Range == nil || !resp.Range.More {
		wk.listFrom, wk.listRev = nil, 0
		return
	}
	if wk.listRev == 0 {
		wk.listRev = resp.Range.Header.Revision
	}
	last := resp.Range.Kvs[len(resp.Range.Kvs)-1].Key
	wk.listFrom = append(append([]byte(nil), last...), 0)
}
