package cluster

import (
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// The Maintenance calls of Client, as clientv3's Maintenance interface has
// them (client/v3/maintenance.go, etcd v3.7.1). Status, Defragment, Hash
// and HashKV are about one member and go to the endpoint named, retried
// there alone; AlarmList and AlarmDisarm go through the log from whichever
// member the client calls; MoveLeader goes where the client's calls go,
// and only the leader accepts it (ErrNotLeader elsewhere). Each call ends
// with its response, a refusal (an *etcdapi.Error), or ErrDeadlineExceeded.

// Status asks endpoint for its status: leader, Raft term and indexes,
// store sizes and quota, and errors (no leader, raised alarms).
func (cl *Client) Status(endpoint sim.NodeID, done func(*etcdapi.StatusResponse, error)) {
	call := &maintCall{Status: &etcdapi.StatusRequest{}}
	cl.maint(endpoint, call, func(r *maintResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.Status, nil)
	})
}

// Defragment defragments endpoint's store alone, as etcd's does: on bbolt
// it rewrites the file without its free pages; on the memory backend it
// only answers.
func (cl *Client) Defragment(endpoint sim.NodeID, done func(*etcdapi.DefragmentResponse, error)) {
	cl.maint(endpoint, &maintCall{Defragment: &etcdapi.DefragmentRequest{}},
		func(r *maintResult, err error) {
			if err != nil {
				done(nil, err)
				return
			}
			done(r.Defragment, nil)
		})
}

// Hash asks endpoint for the hash of its whole store (mvcc's Store.Hash:
// every stored revision, the compaction revision, leases and alarms), on
// which members that applied the same entries agree.
func (cl *Client) Hash(endpoint sim.NodeID, done func(*etcdapi.HashResponse, error)) {
	cl.maint(endpoint, &maintCall{Hash: &etcdapi.HashRequest{}}, func(r *maintResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.Hash, nil)
	})
}

// HashKV asks endpoint for the hash of its key-value history up to rev (0:
// its current revision). It ends with etcdapi.ErrCompacted or ErrFutureRev
// for a revision the member cannot hash.
func (cl *Client) HashKV(endpoint sim.NodeID, rev int64,
	done func(*etcdapi.HashKVResponse, error)) {
	call := &maintCall{HashKV: &etcdapi.HashKVRequest{Revision: rev}}
	cl.maint(endpoint, call, func(r *maintResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.HashKV, nil)
	})
}

// MoveLeader asks the leader to hand leadership to the member transferee;
// it ends when transferee leads. It ends with etcdapi.ErrNotLeader on a
// member that does not lead, ErrBadLeaderTransferee for a transferee that
// is no voting member, and ErrTimeoutLeaderTransfer if the transfer did
// not happen in time. Like etcd's, the response has no header.
func (cl *Client) MoveLeader(transferee uint64, done func(*etcdapi.MoveLeaderResponse, error)) {
	call := &maintCall{MoveLeader: &etcdapi.MoveLeaderRequest{TargetID: transferee}}
	cl.maint(0, call, func(r *maintResult, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.MoveLeader, nil)
	})
}

// maint sends a Maintenance call to endpoint, or where calls go for 0.
func (cl *Client) maint(endpoint sim.NodeID, call *maintCall, done func(*maintResult, error)) {
	cl.startAt(endpoint, request{maint: call}, func(r *response, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.maint, nil)
	})
}

// AlarmList lists every raised alarm of the cluster (a GET through the
// log, so it sees every alarm applied before it).
func (cl *Client) AlarmList(done func(*etcdapi.AlarmResponse, error)) {
	cl.alarm(&etcdapi.AlarmRequest{Action: etcdapi.AlarmRequest_GET}, done)
}

// AlarmDisarm clears the alarm am names, through the log. With MemberID 0
// and Alarm NONE it lists the alarms and clears each in turn, answering
// those it cleared, as clientv3's AlarmDisarm does.
func (cl *Client) AlarmDisarm(am *etcdapi.AlarmMember, done func(*etcdapi.AlarmResponse, error)) {
	if am.MemberID != 0 || am.Alarm != etcdapi.AlarmType_NONE {
		cl.alarm(&etcdapi.AlarmRequest{Action: etcdapi.AlarmRequest_DEACTIVATE,
			MemberID: am.MemberID, Alarm: am.Alarm}, done)
		return
	}
	cl.AlarmList(func(list *etcdapi.AlarmResponse, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		cl.disarmEach(list.Alarms, &etcdapi.AlarmResponse{Header: list.Header}, done)
	})
}

// disarmEach clears alarms one call after another, gathering what each
// cleared into out.
func (cl *Client) disarmEach(alarms []*etcdapi.AlarmMember, out *etcdapi.AlarmResponse,
	done func(*etcdapi.AlarmResponse, error)) {
	if len(alarms) == 0 {
		done(out, nil)
		return
	}
	cl.AlarmDisarm(alarms[0], func(resp *etcdapi.AlarmResponse, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		out.Header = resp.Header
		out.Alarms = append(out.Alarms, resp.Alarms...)
		cl.disarmEach(alarms[1:], out, done)
	})
}

// alarm sends an AlarmRequest through the log.
func (cl *Client) alarm(req *etcdapi.AlarmRequest, done func(*etcdapi.AlarmResponse, error)) {
	cl.start(request{kv: &mvcc.Request{Alarm: req}}, func(r *response, err error) {
		if err == nil && r.resp.Err != nil {
			err = r.resp.Err
		}
		if err != nil {
			done(nil, err)
			return
		}
		done(r.resp.Alarm, nil)
	})
}
