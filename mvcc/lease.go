package mvcc

import (
	"math"

	"etcdsim/mvcc/etcdapi"
)

// The lease service. Grant and Revoke change state on every member and go
// through Apply; KeepAlive, TimeToLive and ExpiredLeases are answered by the
// primary (the leader's store), as in etcd. Time comes from SetTime.

// SetTime tells the store the member's clock; lease expiry is measured
// against it. Call it before Apply and the lease calls.
func (s *Store) SetTime(now Time) { s.now = now }

// LeaseGrant creates a lease (TTL in seconds, raised to Config.LeaseMinTTL).
// ID 0 lets the store choose an ID deterministically from its state, so
// that every member picks the same. It returns etcdapi.ErrNoSpace,
// etcdapi.ErrLeaseTTLTooLarge or etcdapi.ErrLeaseExist.
func (s *Store) LeaseGrant(r *etcdapi.LeaseGrantRequest) (*etcdapi.LeaseGrantResponse, error) {
	if r == nil {
		r = &etcdapi.LeaseGrantRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	over, err := s.quotaGate(leaseOverheadBytes)
	if err != nil {
		return nil, err
	}
	if s.noSpace() {
		return nil, etcdapi.ErrNoSpace
	}
	id := LeaseID(r.ID)
	if id == noLease {
		id = s.nextLeaseID()
	}
	l, err := s.lessor.grant(id, r.TTL, s.now)
	if err != nil {
		return nil, err
	}
	must(s.be.putLease(leaseRecord{id: l.id, ttl: l.ttl}))
	resp := &etcdapi.LeaseGrantResponse{Header: s.header(), ID: int64(l.id), TTL: l.ttl}
	if over {
		return resp, etcdapi.ErrNoSpace // granted, as etcd's quotaApplierV3.LeaseGrant
	}
	return resp, nil
}

// nextLeaseID derives a positive unused ID from the revision and the
// consistent index with splitmix64.
func (s *Store) nextLeaseID() LeaseID {
	h := uint64(s.currentRev) ^ s.consistentIndex<<32
	for range leaseIDTriesMax {
		h = splitmix64(h)
		id := LeaseID(h & math.MaxInt64)
		if id != noLease && !s.lessor.exists(id) {
			return id
		}
	}
	panic("mvcc: no free lease ID found")
}

// leaseIDTriesMax bounds the search for a free ID; with 2^63 IDs, reaching
// it means a bug.
const leaseIDTriesMax = 1000

// splitmix64 is the SplitMix64 finalizer, a cheap fixed bijection.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// LeaseRevoke deletes a lease and its keys, in key order, in one revision
// (none if it has no keys). It returns etcdapi.ErrLeaseNotFound.
func (s *Store) LeaseRevoke(r *etcdapi.LeaseRevokeRequest) (*etcdapi.LeaseRevokeResponse, error) {
	if r == nil {
		r = &etcdapi.LeaseRevokeRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	l := s.lessor.leases[LeaseID(r.ID)]
	if l == nil {
		return nil, etcdapi.ErrLeaseNotFound
	}
	tw := s.beginWrite()
	for _, k := range l.sortedKeys() {
		tw.deleteRange([]byte(k), nil)
	}
	tw.end()
	s.lessor.remove(l.id)
	must(s.be.deleteLease(l.id))
	return &etcdapi.LeaseRevokeResponse{Header: s.header()}, nil
}

// LeaseKeepAlive renews a lease for its TTL. A missing or already expired
// lease answers TTL 0, as etcd's server does. It returns ErrNotPrimary on
// a store that is not the primary.
func (s *Store) LeaseKeepAlive(
	r *etcdapi.LeaseKeepAliveRequest) (*etcdapi.LeaseKeepAliveResponse, error) {
	if r == nil {
		r = &etcdapi.LeaseKeepAliveRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	if !s.lessor.primary {
		return nil, ErrNotPrimary
	}
	resp := &etcdapi.LeaseKeepAliveResponse{Header: s.header(), ID: r.ID}
	l := s.lessor.leases[LeaseID(r.ID)]
	if l == nil || l.expiry <= s.now {
		return resp, nil
	}
	l.expiry = expiryAt(s.now, l.ttl)
	resp.TTL = l.ttl
	return resp, nil
}

// LeaseTimeToLive reports a lease's remaining seconds (truncated), granted
// TTL and, if asked, its keys in order. A missing lease answers TTL -1, as
// etcd does; a non-primary store answers its "forever" remaining time.
func (s *Store) LeaseTimeToLive(
	r *etcdapi.LeaseTimeToLiveRequest) (*etcdapi.LeaseTimeToLiveResponse, error) {
	if r == nil {
		r = &etcdapi.LeaseTimeToLiveRequest{} // a nil message is an empty one, as in protobuf
	}
	if s.closed {
		return nil, ErrClosed
	}
	l := s.lessor.leases[LeaseID(r.ID)]
	if l == nil {
		return &etcdapi.LeaseTimeToLiveResponse{Header: s.header(), ID: r.ID, TTL: -1}, nil
	}
	remaining := int64(l.expiry - s.now)
	if l.expiry == forever {
		remaining = math.MaxInt64
	}
	resp := &etcdapi.LeaseTimeToLiveResponse{Header: s.header(), ID: r.ID,
		TTL: remaining / nanosPerSecond, GrantedTTL: l.ttl}
	if r.Keys {
		for _, k := range l.sortedKeys() {
			resp.Keys = append(resp.Keys, []byte(k))
		}
	}
	return resp, nil
}

// LeaseLeases lists every lease, by ID.
func (s *Store) LeaseLeases() (*etcdapi.LeaseLeasesResponse, error) {
	if s.closed {
		return nil, ErrClosed
	}
	resp := &etcdapi.LeaseLeasesResponse{Header: s.header()}
	for _, id := range s.lessor.sortedIDs() {
		resp.Leases = append(resp.Leases, &etcdapi.LeaseStatus{ID: int64(id)})
	}
	return resp, nil
}

// ExpiredLeases returns the leases that have run out by the store's time,
// earliest first, at most expiredLeasesMax. Only the primary reports any;
// the leader proposes their revocation through Raft.
func (s *Store) ExpiredLeases() []LeaseID {
	return s.lessor.expired(s.now)
}

// Promote makes this store the primary lessor (its member became leader):
// every lease expires its TTL plus extend after now, as etcd's Promote.
func (s *Store) Promote(extend Time) {
	s.lessor.primary = true
	for _, id := range s.lessor.sortedIDs() {
		l := s.lessor.leases[id]
		l.expiry = expiryAt(s.now+extend, l.ttl)
	}
}

// Demote makes this store a non-primary lessor: no lease expires here.
func (s *Store) Demote() {
	s.lessor.primary = false
	for _, id := range s.lessor.sortedIDs() {
		s.lessor.leases[id].expiry = forever
	}
}
