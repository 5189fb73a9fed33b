package cluster_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"etcdsim/linearizability"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim/cluster"
)

// deleteOp and revokeOp are history operations that may delete a lock
// key: a delete of key, or a revocation of lease, called at call and
// returned at ret (0: indeterminate).
func deleteOp(key string, call, ret linearizability.Time) linearizability.Operation {
	return historyOp(linearizability.EtcdRequest{
		DeleteRange: &etcdapi.DeleteRangeRequest{Key: []byte(key)}}, call, ret)
}

func revokeOp(lease int64, call, ret linearizability.Time) linearizability.Operation {
	return historyOp(linearizability.EtcdRequest{
		LeaseRevoke: &etcdapi.LeaseRevokeRequest{ID: lease}}, call, ret)
}

func historyOp(in linearizability.EtcdRequest, call,
	ret linearizability.Time) linearizability.Operation {
	op := linearizability.Operation{Call: call, Return: ret, Input: in, Unknown: ret == 0}
	if !op.Unknown {
		op.Output = linearizability.EtcdResponse{}
	}
	return op
}

// hold is a holding of key (lease, revision) created by a request sent at
// create, from acquired to released.
func hold(key string, lease, rev int64, create, acquired,
	released linearizability.Time) cluster.LockHold {
	return cluster.LockHold{Locker: 1201, Key: key, Lease: lease, Revision: rev, CreateCall: create,
		Acquired: acquired, Released: released}
}

// CheckLocks on histories with known answers: a key surely lives until
// the earliest call of a request that may delete it after its creation.
func TestCheckLocksKnownAnswers(t *testing.T) {
	a := hold("l/a", 1, 10, 0, 10, 100)
	b := hold("l/b", 2, 20, 5, 50, 150)
	overlap := []cluster.LockViolationKind{cluster.LockOverlap}
	for _, tc := range []struct {
		name             string
		ops              []linearizability.Operation
		holds            []cluster.LockHold
		overlaps, fenced int
		want             []cluster.LockViolationKind
	}{
		{name: "overlap, both keys live",
			holds: []cluster.LockHold{a, b}, want: overlap},
		{name: "overlap after the first lease was revoked: fenced",
			ops:   []linearizability.Operation{revokeOp(1, 40, 45)},
			holds: []cluster.LockHold{a, b}, overlaps: 1, fenced: 1},
		{name: "a delete still pending when the second took the lock",
			ops:   []linearizability.Operation{deleteOp("l/a", 60, 0)},
			holds: []cluster.LockHold{a, b}, want: overlap},
		{name: "a delete of an older incarnation does not count",
			ops:   []linearizability.Operation{deleteOp("l/a", 1, 3)},
			holds: []cluster.LockHold{hold("l/a", 1, 10, 4, 10, 100), b},
			want:  overlap},
		{name: "an indeterminate delete of an older incarnation counts",
			ops:   []linearizability.Operation{deleteOp("l/a", 1, 0)},
			holds: []cluster.LockHold{hold("l/a", 1, 10, 4, 10, 100), b}, overlaps: 1, fenced: 1},
		{name: "a later holder with a lower token",
			ops:   []linearizability.Operation{deleteOp("l/a", 40, 41)},
			holds: []cluster.LockHold{hold("l/a", 1, 30, 0, 10, 40), b},
			want:  []cluster.LockViolationKind{cluster.LockFencing}},
		{name: "a later holder with a lower token whose lease was gone",
			ops:   []linearizability.Operation{deleteOp("l/a", 40, 41), revokeOp(2, 45, 46)},
			holds: []cluster.LockHold{hold("l/a", 1, 30, 0, 10, 40), b}},
		{name: "a session taking its own key again",
			ops: []linearizability.Operation{deleteOp("l/a", 40, 0)},
			holds: []cluster.LockHold{hold("l/a", 1, 10, 0, 10, 40),
				hold("l/a", 1, 10, 0, 50, 60)}},
		{name: "sequential holders, rising tokens",
			ops:   []linearizability.Operation{deleteOp("l/a", 40, 41)},
			holds: []cluster.LockHold{hold("l/a", 1, 10, 0, 10, 40), b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := cluster.CheckLocks(linearizability.History{Ops: tc.ops}, tc.holds)
			var got []cluster.LockViolationKind
			for _, v := range res.Violations {
				got = append(got, v.Kind)
				require.NotEmpty(t, v.String())
			}
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.overlaps, res.Overlaps, "overlaps")
			require.Equal(t, tc.fenced, res.Fenced, "fenced")
			require.Equal(t, len(tc.holds), res.Holds)
		})
	}
}
