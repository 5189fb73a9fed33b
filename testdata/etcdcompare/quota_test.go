package etcdcompare

import (
	"fmt"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

// TestQuotaCountsNestedTxns: with a quota of one byte every write with a
// cost fails and raises the NOSPACE alarm. A txn whose only put is nested
// has a cost from etcd v3.6.14 and v3.7.1 on (server/storage/quota.go
// costTxnReq, etcd-io/etcd#22139); before, it had none and was applied,
// before and while the alarm was raised. Both release lines agree, so a
// store in either mode must answer as etcd does.
func TestQuotaCountsNestedTxns(t *testing.T) {
	s := newSession(t, "quota", etcdOptions{quotaBackendBytes: 1})
	nested := func(v string) request {
		return txn(nil, []*pb.RequestOp{opTxn(nil, []*pb.RequestOp{opPut("q/a", v)}, nil)}, nil)
	}
	steps := []request{
		nested("1"), // raises the alarm
		get("q/a"),
		put("q/b", "1"),
		nested("2"),
		txn(nil, []*pb.RequestOp{opPut("q/c", "1")}, nil),
		txn(nil, []*pb.RequestOp{opTxn(nil, []*pb.RequestOp{opDel("q/", "q0")}, nil)}, nil),
		txn(nil, []*pb.RequestOp{opGet("q/", "q0", 0)}, nil),
		grant(fixedLeaseIDs[0], 3600),
		rng(&pb.RangeRequest{Key: []byte("q/"), RangeEnd: []byte("q0")}),
	}
	for i, r := range steps {
		s.do(fmt.Sprintf("quota step %d", i), r)
	}
	s.checkState("quota-end")
	checkOtherDiffers(t, false, s.otherDiffers)
	t.Logf("%d answers compared, %d mismatches", s.compared, s.mismatches)
}
