package linearizability

import (
	"bytes"
	"errors"

	"etcdsim/mvcc/etcdapi"
)

// equalResponses reports whether the model's response exp matches the
// observed response got. Failed responses match on the error alone; the
// messages' headers are not compared (Revision is), nor a lease grant's
// TTL, which etcd may raise to its minimum.
func equalResponses(exp, got *EtcdResponse) bool {
	if exp.Err != nil || got.Err != nil {
		return exp.Err != nil && got.Err != nil && errors.Is(got.Err, exp.Err)
	}
	if exp.Revision != got.Revision {
		return false
	}
	switch {
	case exp.Range != nil:
		return equalRange(exp.Range, got.Range)
	case exp.Put != nil:
		return equalPut(exp.Put, got.Put)
	case exp.DeleteRange != nil:
		return equalDelete(exp.DeleteRange, got.DeleteRange)
	case exp.Txn != nil:
		return equalTxn(exp.Txn, got.Txn)
	case exp.LeaseGrant != nil:
		return got.LeaseGrant != nil && got.LeaseGrant.ID == exp.LeaseGrant.ID
	case exp.LeaseRevoke != nil:
		return got.LeaseRevoke != nil
	case exp.Compact != nil:
		return got.Compact != nil
	}
	return true
}

func equalRange(a, b *etcdapi.RangeResponse) bool {
	if b == nil || a.More != b.More || a.Count != b.Count {
		return false
	}
	return equalKVs(a.Kvs, b.Kvs)
}

// equalKV compares two key-values field by field; a nil and an empty
// byte string are equal, as in etcd.
func equalKV(a, b *etcdapi.KeyValue) bool {
	return a.CreateRevision == b.CreateRevision && a.ModRevision == b.ModRevision &&
		a.Version == b.Version && a.Lease == b.Lease &&
		bytes.Equal(a.Key, b.Key) && bytes.Equal(a.Value, b.Value)
}

func equalKVs(a, b []*etcdapi.KeyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !equalKV(a[i], b[i]) {
			return false
		}
	}
	return true
}

// equalPrevKv compares two optional key-values.
func equalPrevKv(a, b *etcdapi.KeyValue) bool {
	if a == nil || b == nil {
		return a == b
	}
	return equalKV(a, b)
}

func equalPut(a, b *etcdapi.PutResponse) bool {
	return b != nil && equalPrevKv(a.PrevKv, b.PrevKv)
}

func equalDelete(a, b *etcdapi.DeleteRangeResponse) bool {
	return b != nil && a.Deleted == b.Deleted && equalKVs(a.PrevKvs, b.PrevKvs)
}

func equalTxn(a, b *etcdapi.TxnResponse) bool {
	if b == nil || a.Succeeded != b.Succeeded || len(a.Responses) != len(b.Responses) {
		return false
	}
	for i, x := range a.Responses {
		y := b.Responses[i]
		switch {
		case x.ResponseRange != nil:
			if !equalRange(x.ResponseRange, y.ResponseRange) {
				return false
			}
		case x.ResponsePut != nil:
			if !equalPut(x.ResponsePut, y.ResponsePut) {
				return false
			}
		case x.ResponseDeleteRange != nil:
			if !equalDelete(x.ResponseDeleteRange, y.ResponseDeleteRange) {
				return false
			}
		}
	}
	return true
}
