package cluster

import (
	"slices"

	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// The Cluster calls of Client, as clientv3's Cluster interface has them
// (client/v3/cluster.go, etcd v3.7.1). Each goes where the client's calls
// go; a follower forwards a change to the leader, which answers. Each call
// ends with its response, a refusal (an *etcdapi.Error: nothing changed),
// or ErrDeadlineExceeded (the change may or may not have happened; a
// second change proposed while one is pending ends so, as in etcd).

// MemberAdd adds a voting member with peerURLs to the configuration; the
// response names its ID. Its process is started apart
// (Cluster.StartMember).
func (cl *Client) MemberAdd(peerURLs []string, done func(*etcdapi.MemberAddResponse, error)) {
	cl.memberAdd(&etcdapi.MemberAddRequest{PeerURLs: peerURLs}, done)
}

// MemberAddAsLearner adds a learner: it receives the log but does not vote
// until promoted.
func (cl *Client) MemberAddAsLearner(peerURLs []string,
	done func(*etcdapi.MemberAddResponse, error)) {
	cl.memberAdd(&etcdapi.MemberAddRequest{PeerURLs: peerURLs, IsLearner: true}, done)
}

func (cl *Client) memberAdd(req *etcdapi.MemberAddRequest,
	done func(*etcdapi.MemberAddResponse, error)) {
	cl.cluster(&clusterCall{Add: req}, func(r *clusterResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.Add, nil)
	})
}

// MemberRemove removes member id; a removed member stops serving.
func (cl *Client) MemberRemove(id uint64, done func(*etcdapi.MemberRemoveResponse, error)) {
	cl.cluster(&clusterCall{Remove: &etcdapi.MemberRemoveRequest{ID: id}},
		func(r *clusterResult, err error) {
			if err != nil {
				done(nil, err)
				return
			}
			done(r.Remove, nil)
		})
}

// MemberUpdate replaces member id's peer URLs.
func (cl *Client) MemberUpdate(id uint64, peerURLs []string,
	done func(*etcdapi.MemberUpdateResponse, error)) {
	call := &clusterCall{Update: &etcdapi.MemberUpdateRequest{ID: id, PeerURLs: peerURLs}}
	cl.cluster(call, func(r *clusterResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.Update, nil)
	})
}

// MemberPromote makes learner id a voter, once its log is within 10% of
// the leader's.
func (cl *Client) MemberPromote(id uint64, done func(*etcdapi.MemberPromoteResponse, error)) {
	cl.cluster(&clusterCall{Promote: &etcdapi.MemberPromoteRequest{ID: id}},
		func(r *clusterResult, err error) {
			if err != nil {
				done(nil, err)
				return
			}
			done(r.Promote, nil)
		})
}

// MemberList lists the members: with linearizable, as of a read index
// (clientv3's default); otherwise the member's applied view
// (WithSerializable), which may be stale.
func (cl *Client) MemberList(linearizable bool, done func(*etcdapi.MemberListResponse, error)) {
	call := &clusterCall{List: &etcdapi.MemberListRequest{Linearizable: linearizable}}
	cl.cluster(call, func(r *clusterResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.List, nil)
	})
}

// Sync replaces the client's endpoints with the started voting members of
// a linearizable MemberList, as clientv3's Client.Sync does (a member's
// node ID stands for its client URLs). Workload clients do not sync: they
// keep the members they were built with.
func (cl *Client) Sync(done func(error)) {
	cl.MemberList(true, func(r *etcdapi.MemberListResponse, err error) {
		if err != nil {
			done(err)
			return
		}
		var eps []sim.NodeID
		for _, m := range r.Members {
			if m.Name != "" && !m.IsLearner {
				eps = append(eps, sim.NodeID(m.ID))
			}
		}
		assertf(len(eps) > 0, "client %s: a linearizable member list without voters", cl.p.ID())
		cl.SetEndpoints(eps...)
		done(nil)
	})
}

// SetEndpoints replaces the members the client calls.
func (cl *Client) SetEndpoints(eps ...sim.NodeID) {
	cl.endpoints = append([]sim.NodeID(nil), eps...)
	if !slices.Contains(cl.endpoints, cl.pinned) {
		cl.pinned = 0
	}
}

// Endpoints returns the members the client calls.
func (cl *Client) Endpoints() []sim.NodeID { return append([]sim.NodeID(nil), cl.endpoints...) }

// cluster sends a Cluster call where calls go.
func (cl *Client) cluster(call *clusterCall, done func(*clusterResult, error)) {
	cl.start(request{cluster: call}, func(r *response, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.cluster, nil)
	})
}
