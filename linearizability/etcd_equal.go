package linearizability

// equalResponses reports whether the model's response exp matches the
// observed response got. Failed responses match on the error alone.
func equalResponses(exp, got *EtcdResponse) bool {
	if exp.Err != got.Err {
		return false
	}
	if exp.Err != RespOK {
		return true
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
	}
	return true
}

func equalRange(a, b *RangeResponse) bool {
	if b == nil || a.More != b.More || a.Count != b.Count {
		return false
	}
	return equalKVs(a.KVs, b.KVs)
}

func equalKVs(a, b []KeyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalPut(a, b *PutResponse) bool {
	if b == nil || (a.PrevKv == nil) != (b.PrevKv == nil) {
		return false
	}
	return a.PrevKv == nil || *a.PrevKv == *b.PrevKv
}

func equalDelete(a, b *DeleteRangeResponse) bool {
	return b != nil && a.Deleted == b.Deleted && equalKVs(a.PrevKvs, b.PrevKvs)
}

func equalTxn(a, b *TxnResponse) bool {
	if b == nil || a.Succeeded != b.Succeeded || len(a.Responses) != len(b.Responses) {
		return false
	}
	for i, x := range a.Responses {
		y := b.Responses[i]
		switch {
		case x.Range != nil:
			if !equalRange(x.Range, y.Range) {
				return false
			}
		case x.Put != nil:
			if !equalPut(x.Put, y.Put) {
				return false
			}
		case x.DeleteRange != nil:
			if !equalDelete(x.DeleteRange, y.DeleteRange) {
				return false
			}
		}
	}
	return true
}
