package mvcc

import (
	"fmt"
	"math"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// LeaseID names a lease; 0 means no lease.
type LeaseID int64

// String formats the ID in hex, as etcdctl prints lease IDs.
func (id LeaseID) String() string { return fmt.Sprintf("%016x", int64(id)) }

// Time is an instant on the member's clock, in nanoseconds. The store never
// reads a clock: the caller passes Time in.
type Time int64

// String formats the instant in seconds.
func (t Time) String() string { return fmt.Sprintf("%.3fs", float64(t)/1e9) }

const (
	noLease LeaseID = 0
	// leaseTTLMax is etcd's MaxLeaseTTL, in seconds.
	leaseTTLMax = 9000000000
	// forever is the expiry of leases on a non-primary lessor.
	forever Time = math.MaxInt64
	// expiredLeasesMax bounds one ExpiredLeases answer, as etcd rate-limits
	// revokes.
	expiredLeasesMax = 1000
	nanosPerSecond   = int64(1e9)
)

// lease is one granted lease.
type lease struct {
	id  LeaseID
	ttl int64 // seconds, at least the lessor's minTTL
	// expiry is when the lease runs out on the primary; forever elsewhere.
	expiry Time
	keys   map[string]struct{}
}

// lessor is etcd's lessor without goroutines: leases, their keys, and
// expiry on the caller's clock. Only the primary (the leader's store) lets
// leases expire; a new primary extends every lease by its TTL.
//
// Invariant: key k is in leases[id].keys iff keyLease[k] == id.
type lessor struct {
	minTTL   int64
	primary  bool
	leases   map[LeaseID]*lease
	keyLease map[string]LeaseID
}

func newLessor(minTTL int64) *lessor {
	return &lessor{minTTL: minTTL, leases: make(map[LeaseID]*lease),
		keyLease: make(map[string]LeaseID)}
}

func (le *lessor) exists(id LeaseID) bool { return le.leases[id] != nil }

// restore adds a lease recovered from the backend; it does not expire
// until a promotion.
func (le *lessor) restore(r leaseRecord) {
	le.leases[r.id] = &lease{id: r.id, ttl: max(r.ttl, le.minTTL), expiry: forever,
		keys: make(map[string]struct{})}
}

// attach puts key under lease id, which must exist.
func (le *lessor) attach(id LeaseID, key []byte) {
	l := le.leases[id]
	assertf(l != nil, "attach of %q to missing lease %v", key, id)
	l.keys[string(key)] = struct{}{}
	le.keyLease[string(key)] = id
}

// move detaches key from its lease, if any, and attaches it to id unless
// id is noLease.
func (le *lessor) move(key []byte, id LeaseID) {
	old, ok := le.keyLease[string(key)]
	if ok && old == id {
		return
	}
	if ok {
		delete(le.leases[old].keys, string(key))
		delete(le.keyLease, string(key))
	}
	if id != noLease {
		le.attach(id, key)
	}
}

// grant adds a lease; it returns etcdapi.ErrLeaseTTLTooLarge or
// etcdapi.ErrLeaseExist.
func (le *lessor) grant(id LeaseID, ttl int64, now Time) (*lease, error) {
	if ttl > leaseTTLMax {
		return nil, etcdapi.ErrLeaseTTLTooLarge
	}
	if le.exists(id) {
		return nil, etcdapi.ErrLeaseExist
	}
	l := &lease{id: id, ttl: max(ttl, le.minTTL), expiry: forever, keys: make(map[string]struct{})}
	if le.primary {
		l.expiry = expiryAt(now, l.ttl)
	}
	le.leases[id] = l
	return l, nil
}

// expiryAt is now plus ttl seconds, saturating at forever.
func expiryAt(now Time, ttl int64) Time {
	if ttl >= int64(forever-now)/nanosPerSecond {
		return forever
	}
	return now + Time(ttl*nanosPerSecond)
}

// sortedKeys returns the lease's keys in order.
func (l *lease) sortedKeys() []string {
	keys := make([]string, 0, len(l.keys))
	for k := range l.keys { //det:ok sorted below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// remove drops a lease whose keys are already gone.
func (le *lessor) remove(id LeaseID) {
	l := le.leases[id]
	assertf(l != nil, "remove of missing lease %v", id)
	assertf(len(l.keys) == 0, "remove of lease %v with %d keys", id, len(l.keys))
	delete(le.leases, id)
}

// sortedIDs returns every lease ID in order.
func (le *lessor) sortedIDs() []LeaseID {
	ids := make([]LeaseID, 0, len(le.leases))
	for id := range le.leases { //det:ok sorted below
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// expired returns the leases run out at now, earliest first, at most
// expiredLeasesMax.
func (le *lessor) expired(now Time) []LeaseID {
	if !le.primary {
		return nil
	}
	var out []*lease
	for _, id := range le.sortedIDs() {
		if l := le.leases[id]; l.expiry <= now {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].expiry < out[j].expiry })
	ids := make([]LeaseID, 0, min(len(out), expiredLeasesMax))
	for _, l := range out[:min(len(out), expiredLeasesMax)] {
		ids = append(ids, l.id)
	}
	return ids
}

// checkInvariants asserts the key/lease cross references; whole-structure.
func (le *lessor) checkInvariants() {
	for _, id := range le.sortedIDs() {
		l := le.leases[id]
		assertf(l.id == id, "lease %v filed under %v", l.id, id)
		assertf(l.ttl >= le.minTTL, "lease %v ttl %d < min %d", id, l.ttl, le.minTTL)
		for _, k := range l.sortedKeys() {
			got := le.keyLease[k]
			assertf(got == id, "key %q in lease %v but mapped to %v", k, id, got)
		}
	}
	n := 0
	for _, id := range le.leases { //det:ok counting only
		n += len(id.keys)
	}
	assertf(n == len(le.keyLease), "lessor: %d keys in leases, %d mapped", n, len(le.keyLease))
}
