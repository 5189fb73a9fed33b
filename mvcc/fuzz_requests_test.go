package mvcc_test

import (
	"testing"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// byteSource turns fuzz bytes into small numbers and keys.
type byteSource struct{ b []byte }

func (bs *byteSource) n() int64 {
	if len(bs.b) == 0 {
		return 0
	}
	v := int64(int8(bs.b[0]))
	bs.b = bs.b[1:]
	return v
}

func (bs *byteSource) key() []byte {
	switch v := bs.n(); {
	case v < -100:
		return nil
	case v < -80:
		return []byte{0}
	default:
		return []byte{'a' + byte(v&7)}
	}
}

// FuzzRequests applies arbitrary requests, with any field out of range, and
// checks that nothing panics and every invariant holds.
func FuzzRequests(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	f.Add([]byte{200, 100, 3, 250, 7, 7, 1, 2, 0, 5, 9, 128, 127, 6, 6, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := mvcc.OpenMem(mvcc.Config{MaxTxnOps: 8})
		if err != nil {
			t.Fatal(err)
		}
		ws := s.NewWatchStream()
		bs := &byteSource{b: data}
		for steps := 0; len(bs.b) > 0 && steps < 200; steps++ {
			applyFuzzed(s, ws, bs)
			s.CheckInvariants()
		}
	})
}

func applyFuzzed(s *mvcc.Store, ws *mvcc.WatchStream, bs *byteSource) {
	switch bs.n() & 7 {
	case 0:
		s.Put(&etcdapi.PutRequest{Key: bs.key(), Value: bs.key(), Lease: bs.n() & 3,
			IgnoreValue: bs.n() > 64, IgnoreLease: bs.n() > 64, PrevKv: bs.n() > 0})
	case 1:
		s.Range(&etcdapi.RangeRequest{Key: bs.key(), RangeEnd: bs.key(), Limit: bs.n(),
			Revision:   bs.n(),
			SortOrder:  etcdapi.RangeRequest_SortOrder(bs.n()),
			SortTarget: etcdapi.RangeRequest_SortTarget(bs.n()),
			KeysOnly:   bs.n() > 0, CountOnly: bs.n() > 50,
			MinModRevision: bs.n(), MaxCreateRevision: bs.n()})
	case 2:
		s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: bs.key(), RangeEnd: bs.key(),
			PrevKv: bs.n() > 0})
	case 3:
		s.Txn(fuzzedTxn(bs, 2))
	case 4:
		s.Compact(&etcdapi.CompactionRequest{Revision: bs.n()})
	case 5:
		s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: bs.n() & 3, TTL: bs.n()})
	case 6:
		s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: bs.n() & 3})
	default:
		if id, err := ws.Watch(&etcdapi.WatchCreateRequest{Key: bs.key(), RangeEnd: bs.key(),
			StartRevision: bs.n(), PrevKv: bs.n() > 0}); err == nil && bs.n() > 60 {
			_ = ws.Cancel(id)
		}
		ws.Poll(int(bs.n()))
	}
}

func fuzzedTxn(bs *byteSource, depth int) *etcdapi.TxnRequest {
	r := &etcdapi.TxnRequest{Compare: []*etcdapi.Compare{{Key: bs.key(), RangeEnd: bs.key(),
		Target:  etcdapi.Compare_CompareTarget(bs.n() % 6),
		Result:  etcdapi.Compare_CompareResult(bs.n() % 5),
		Version: bs.n(), Value: bs.key()}}}
	for i := bs.n() & 3; i > 0; i-- {
		op := &etcdapi.RequestOp{}
		switch bs.n() & 3 {
		case 0:
			op.RequestPut = &etcdapi.PutRequest{Key: bs.key(), Value: bs.key()}
		case 1:
			op.RequestDeleteRange = &etcdapi.DeleteRangeRequest{Key: bs.key(), RangeEnd: bs.key()}
		case 2:
			op.RequestRange = &etcdapi.RangeRequest{Key: bs.key(), Revision: bs.n()}
		default:
			if depth > 0 {
				op.RequestTxn = fuzzedTxn(bs, depth-1)
			}
		}
		if bs.n() > 0 {
			r.Success = append(r.Success, op)
		} else {
			r.Failure = append(r.Failure, op)
		}
	}
	return r
}
