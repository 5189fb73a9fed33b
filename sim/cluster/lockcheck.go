package cluster

import (
	"bytes"
	"fmt"
	"math"
	"sort"

	"etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
)

// The lock check: lock holders never overlap while their leases live.
//
// A holder's key lives from its creation until the first request that
// deletes it takes effect: an Unlock (a delete of the key) or a revocation
// of its lease, by its client or by a leader's lessor once the lease ran
// out. A request takes effect between its call and its return (any time
// after its call if indeterminate), so in a linearizable history the key
// surely lives until the earliest call of a request that may delete it:
// one that names its key or its lease and may take effect after the key
// was created (it is indeterminate, or returned no earlier than the
// creating request was sent). After that call, the holder may have lost
// the lock without knowing it: its keep-alives failed, or it paused, and
// the next waiter may take the lock while it still believes it holds (the
// pause problem every lease-based lock has). What etcd's recipe promises
// is narrower and checkable:
//
//   - Overlap: two holdings never overlap at a time when both holders'
//     keys surely live. A holder takes the lock only after reading that
//     every older key is gone, so an older key that still lives when a
//     younger holder holds, or a younger key when an older one takes the
//     lock, breaks the recipe.
//   - Fencing: a holder whose key surely lives when it takes the lock has
//     a higher create revision (fencing token) than every holder that took
//     the lock before it. A resource that accepts only tokens at least the
//     highest it saw then turns stale holders away, which is the cure for
//     the pause problem.
//
// Overlaps in which a holder had lost its key are counted, not flagged;
// those in which the later holder has the higher token are fenced. (A
// later holder may have the lower token only when it took the lock as a
// stale holder already: its answer arrived after its key was gone.)

// LockViolationKind names a broken guarantee of the lock.
type LockViolationKind int

// The lock's guarantees.
const (
	// LockOverlap: two holdings overlapped while both keys surely lived.
	LockOverlap LockViolationKind = 1 + iota
	// LockFencing: a holder took the lock, its key surely alive, with a
	// token no higher than that of a holder before it.
	LockFencing
)

func (k LockViolationKind) String() string {
	switch k {
	case LockOverlap:
		return "overlap"
	case LockFencing:
		return "fencing"
	}
	return fmt.Sprintf("LockViolationKind(%d)", int(k))
}

// LockViolation is one broken guarantee: First took the lock no later than
// Second; At is when they both held with both keys alive (LockOverlap), or
// when Second took the lock (LockFencing).
type LockViolation struct {
	Kind          LockViolationKind
	First, Second LockHold
	At            linearizability.Time
}

func (v LockViolation) String() string {
	a, b := v.First, v.Second
	if v.Kind == LockOverlap {
		return fmt.Sprintf("lock holders overlap with both leases live at %v: %s held %s "+
			"(revision %d) from %v, %s held %s (revision %d) from %v", v.At, a.Locker, a.Key,
			a.Revision, a.Acquired, b.Locker, b.Key, b.Revision, b.Acquired)
	}
	return fmt.Sprintf("lock fencing token out of order: %s took %s at %v with revision %d, "+
		"after %s took %s at %v with revision %d", b.Locker, b.Key, b.Acquired, b.Revision,
		a.Locker, a.Key, a.Acquired, a.Revision)
}

// LockCheck is what CheckLocks found.
type LockCheck struct {
	// Holds counts the holdings, Lost those that ended with their session.
	Holds, Lost int
	// Overlaps counts the pairs of holdings that overlapped in time with a
	// key lost; Fenced those in which the later holder's token is higher.
	Overlaps, Fenced int
	// Violations are the broken guarantees, the first lockViolationsMax.
	Violations []LockViolation
}

// lockViolationsMax bounds the violations a check keeps.
const lockViolationsMax = 100

// CheckLocks checks the lock's guarantees over holds, with the history
// that recorded the lockers' requests and the lessors' revocations. Its
// reasoning assumes the history is linearizable.
func CheckLocks(h linearizability.History, holds []LockHold) LockCheck {
	hs := append([]LockHold(nil), holds...)
	sort.SliceStable(hs, func(i, j int) bool {
		if hs[i].Acquired != hs[j].Acquired {
			return hs[i].Acquired < hs[j].Acquired
		}
		if hs[i].Locker != hs[j].Locker {
			return hs[i].Locker < hs[j].Locker
		}
		return hs[i].Revision < hs[j].Revision
	})
	dels := lockDeleters(h)
	live := make([]linearizability.Time, len(hs))
	res := LockCheck{Holds: len(hs)}
	for i := range hs {
		assertf(hs[i].CreateCall <= hs[i].Acquired, "holding %+v taken before its key", hs[i])
		assertf(hs[i].Acquired <= hs[i].Released, "holding %+v released before taken", hs[i])
		live[i] = liveUntil(hs[i], dels)
		if hs[i].Lost {
			res.Lost++
		}
	}
	res.checkOverlaps(hs, live)
	res.checkFencing(hs, live)
	return res
}

// checkOverlaps visits every pair of holdings that overlap in time.
func (res *LockCheck) checkOverlaps(hs []LockHold, live []linearizability.Time) {
	for i := range hs {
		for j := i + 1; j < len(hs) && hs[j].Acquired < hs[i].Released; j++ {
			start, end := hs[j].Acquired, min(hs[i].Released, hs[j].Released)
			if start >= end {
				continue
			}
			if start < min(end, live[i], live[j]) {
				res.violate(LockViolation{Kind: LockOverlap, First: hs[i], Second: hs[j],
					At: start})
				continue
			}
			res.Overlaps++
			if hs[j].Revision > hs[i].Revision {
				res.Fenced++
			}
		}
	}
}

// checkFencing compares each holder whose key surely lived when it took
// the lock with the highest token of those that took it strictly before.
func (res *LockCheck) checkFencing(hs []LockHold, live []linearizability.Time) {
	best, k := -1, 0
	for j := range hs {
		for ; k < j && hs[k].Acquired < hs[j].Acquired; k++ {
			if best < 0 || hs[k].Revision > hs[best].Revision {
				best = k
			}
		}
		if best < 0 || hs[j].Acquired >= live[j] {
			continue
		}
		b := hs[best]
		if b.Revision > hs[j].Revision || (b.Revision == hs[j].Revision && b.Key != hs[j].Key) {
			res.violate(LockViolation{Kind: LockFencing, First: b, Second: hs[j],
				At: hs[j].Acquired})
		}
	}
}

func (res *LockCheck) violate(v LockViolation) {
	if len(res.Violations) < lockViolationsMax {
		res.Violations = append(res.Violations, v)
	}
}

// lockDeleter is a request of the history that may delete keys: a delete
// of [key, end) (a txn's too), or a revocation of lease.
type lockDeleter struct {
	key, end  []byte
	lease     int64
	call, ret linearizability.Time
	unknown   bool
}

// lockDeleters lists the history's requests that may delete a key.
func lockDeleters(h linearizability.History) []lockDeleter {
	var dels []lockDeleter
	for i := range h.Ops {
		op := &h.Ops[i]
		in, ok := op.Input.(linearizability.EtcdRequest)
		if !ok {
			continue
		}
		d := lockDeleter{call: op.Call, ret: op.Return, unknown: op.Unknown}
		switch {
		case in.DeleteRange != nil:
			d.key, d.end = in.DeleteRange.Key, in.DeleteRange.RangeEnd
			dels = append(dels, d)
		case in.LeaseRevoke != nil:
			d.lease = in.LeaseRevoke.ID
			dels = append(dels, d)
		case in.Txn != nil:
			dels = appendTxnDeletes(dels, d, in.Txn, 0)
		}
	}
	return dels
}

// appendTxnDeletes adds a deleter for each delete in either branch of t,
// nested txns included (depth bounded by the API's nesting).
func appendTxnDeletes(dels []lockDeleter, d lockDeleter, t *etcdapi.TxnRequest,
	depth int) []lockDeleter {
	assertf(depth < 64, "txn nested %d deep", depth)
	for _, ops := range [][]*etcdapi.RequestOp{t.Success, t.Failure} {
		for _, op := range ops {
			switch {
			case op.RequestDeleteRange != nil:
				d.key, d.end = op.RequestDeleteRange.Key, op.RequestDeleteRange.RangeEnd
				dels = append(dels, d)
			case op.RequestTxn != nil:
				dels = appendTxnDeletes(dels, d, op.RequestTxn, depth+1)
			}
		}
	}
	return dels
}

// hits reports whether d may delete h's key.
func (d *lockDeleter) hits(h *LockHold) bool {
	if d.lease != 0 {
		return d.lease == h.Lease
	}
	k := []byte(h.Key)
	switch {
	case len(d.end) == 0:
		return bytes.Equal(d.key, k)
	case len(d.end) == 1 && d.end[0] == 0: // "\x00": every key from d.key on
		return bytes.Compare(d.key, k) <= 0
	}
	return bytes.Compare(d.key, k) <= 0 && bytes.Compare(k, d.end) < 0
}

// liveUntil is when h's key may have been deleted first: the earliest call
// of a request that may delete it after its creation (never: the end of
// time).
func liveUntil(h LockHold, dels []lockDeleter) linearizability.Time {
	until := linearizability.Time(math.MaxInt64)
	for i := range dels {
		d := &dels[i]
		if d.call < until && (d.unknown || d.ret >= h.CreateCall) && d.hits(&h) {
			until = d.call
		}
	}
	return until
}
