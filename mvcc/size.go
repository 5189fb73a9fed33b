package mvcc

import (
	"math/bits"

	"etcdsim/mvcc/etcdapi"
)

// Encoded request sizes, computed as protobuf would encode the etcd message
// (tag, length and payload of each set field), plus the few bytes of the
// raft request wrapper. They approximate etcd's marshalled size closely
// enough for the MaxRequestBytes check; they are not byte-exact.

const raftRequestWrapperBytes = 16

func varintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func bytesField(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return 1 + varintLen(uint64(len(b))) + len(b)
}

func intField(v int64) int {
	if v == 0 {
		return 0
	}
	return 1 + varintLen(uint64(v))
}

func boolField(v bool) int {
	if v {
		return 2
	}
	return 0
}

func sizePut(r *etcdapi.PutRequest) int {
	return raftRequestWrapperBytes + bytesField(r.Key) + bytesField(r.Value) + intField(r.Lease) +
		boolField(r.PrevKv) + boolField(r.IgnoreValue) + boolField(r.IgnoreLease)
}

func sizeDeleteRange(r *etcdapi.DeleteRangeRequest) int {
	return raftRequestWrapperBytes + bytesField(r.Key) + bytesField(r.RangeEnd) +
		boolField(r.PrevKv)
}

func sizeRange(r *etcdapi.RangeRequest) int {
	return raftRequestWrapperBytes + bytesField(r.Key) + bytesField(r.RangeEnd) +
		intField(r.Limit) + intField(r.Revision) +
		intField(int64(r.SortOrder)) + intField(int64(r.SortTarget)) +
		boolField(r.Serializable) + boolField(r.KeysOnly) + boolField(r.CountOnly) +
		intField(r.MinModRevision) + intField(r.MaxModRevision) +
		intField(r.MinCreateRevision) + intField(r.MaxCreateRevision)
}

// sizeCompare is the encoded size of one compare.
func sizeCompare(c *etcdapi.Compare) int {
	return 4 + bytesField(c.Key) + bytesField(c.RangeEnd) + bytesField(c.Value) +
		intField(c.Version) + intField(c.CreateRevision) + intField(c.ModRevision) +
		intField(c.Lease)
}

// sizeTxn sums the sizes of the compares and ops, at every depth.
func sizeTxn(r *etcdapi.TxnRequest) int {
	n := raftRequestWrapperBytes
	for _, c := range r.Compare {
		if c != nil {
			n += sizeCompare(c)
		}
	}
	for _, ops := range [][]*etcdapi.RequestOp{r.Success, r.Failure} {
		for _, op := range ops {
			n += 2 + sizeOp(op)
		}
	}
	return n
}

func sizeOp(op *etcdapi.RequestOp) int {
	switch kindOf(op) {
	case opRange:
		return sizeRange(op.RequestRange)
	case opPut:
		return sizePut(op.RequestPut)
	case opDeleteRange:
		return sizeDeleteRange(op.RequestDeleteRange)
	case opTxn:
		return sizeTxn(op.RequestTxn)
	}
	return 0
}
