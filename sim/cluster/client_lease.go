package cluster

import (
	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// The lease calls of Client, as clientv3's Lease interface has them.

// Grant asks for a lease of ttl seconds; id 0 lets the cluster choose.
func (cl *Client) Grant(ttl, id int64, done func(*etcdapi.LeaseGrantResponse, error)) {
	req := &mvcc.Request{LeaseGrant: &etcdapi.LeaseGrantRequest{TTL: ttl, ID: id}}
	cl.Do(req, func(resp *mvcc.Response, err error) {
		if err == nil && resp.Err != nil {
			err = resp.Err
		}
		if err != nil {
			done(nil, err)
			return
		}
		done(resp.LeaseGrant, nil)
	})
}

// KeepAliveOnce renews a lease once. A lease that does not exist (or ran
// out) ends with etcdapi.ErrLeaseNotFound, as clientv3's KeepAliveOnce
// turns the server's TTL 0 into that error.
func (cl *Client) KeepAliveOnce(id int64, done func(*etcdapi.LeaseKeepAliveResponse, error)) {
	call := &leaseCall{KeepAlive: &etcdapi.LeaseKeepAliveRequest{ID: id}}
	cl.start(request{lease: call}, func(r *response, err error) {
		switch {
		case err != nil:
			done(nil, err)
		case r.lease.KeepAlive.TTL <= 0:
			done(nil, etcdapi.ErrLeaseNotFound)
		default:
			done(r.lease.KeepAlive, nil)
		}
	})
}

// TimeToLive asks the leader how long a lease has left (TTL -1: it does
// not exist), and with keys set which keys it holds.
func (cl *Client) TimeToLive(id int64, keys bool, done func(*etcdapi.LeaseTimeToLiveResponse, error)) {
	call := &leaseCall{TimeToLive: &etcdapi.LeaseTimeToLiveRequest{ID: id, Keys: keys}}
	cl.start(request{lease: call}, func(r *response, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.lease.TimeToLive, nil)
	})
}

// Leases lists the leases the called member knows.
func (cl *Client) Leases(done func(*etcdapi.LeaseLeasesResponse, error)) {
	call := &leaseCall{Leases: &etcdapi.LeaseLeasesRequest{}}
	cl.start(request{lease: call}, func(r *response, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		done(r.lease.Leases, nil)
	})
}
