package mvcc

import (
	"encoding/binary"
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// Request encoding, for the replicated log (the cluster's WAL stores
// entries as bytes): a version byte, then the request as a kind byte and
// its fields. Byte strings are uvarint-length-prefixed, numbers are
// varints, booleans share one flags byte. A txn nests its ops the same way,
// at most requestDepthMax deep.
//
// Version 2 replaced kind 8, version 1's bodyless "disarm NOSPACE", with
// an AlarmRequest: action and alarm as varints, the member as a uvarint.
// A log never outlives the run that wrote it, so only version 2 is read.

const (
	requestCodecVersion = 2
	// requestDepthMax bounds txn nesting in a decoded request (etcd bounds
	// it through MaxTxnOps; this keeps hostile input from deep recursion).
	requestDepthMax = 64
)

// Request kinds in the encoding.
const (
	reqEmpty byte = iota
	reqRange
	reqPut
	reqDeleteRange
	reqTxn
	reqCompaction
	reqLeaseGrant
	reqLeaseRevoke
	reqAlarm
)

// AppendRequest appends the encoding of r to dst.
func AppendRequest(dst []byte, r *Request) []byte {
	dst = append(dst, requestCodecVersion)
	switch {
	case r == nil:
		return append(dst, reqEmpty)
	case r.Range != nil:
		return appendRange(append(dst, reqRange), r.Range)
	case r.Put != nil:
		return appendPut(append(dst, reqPut), r.Put)
	case r.DeleteRange != nil:
		return appendDelete(append(dst, reqDeleteRange), r.DeleteRange)
	case r.Txn != nil:
		return appendTxn(append(dst, reqTxn), r.Txn)
	case r.Compaction != nil:
		dst = binary.AppendVarint(append(dst, reqCompaction), r.Compaction.Revision)
		return append(dst, flags(r.Compaction.Physical))
	case r.LeaseGrant != nil:
		dst = binary.AppendVarint(append(dst, reqLeaseGrant), r.LeaseGrant.TTL)
		return binary.AppendVarint(dst, r.LeaseGrant.ID)
	case r.LeaseRevoke != nil:
		return binary.AppendVarint(append(dst, reqLeaseRevoke), r.LeaseRevoke.ID)
	case r.Alarm != nil:
		dst = binary.AppendVarint(append(dst, reqAlarm), int64(r.Alarm.Action))
		dst = binary.AppendUvarint(dst, r.Alarm.MemberID)
		return binary.AppendVarint(dst, int64(r.Alarm.Alarm))
	}
	return append(dst, reqEmpty)
}

// flags packs booleans into one byte, the first in the low bit.
func flags(bs ...bool) byte {
	var f byte
	for i, b := range bs {
		if b {
			f |= 1 << i
		}
	}
	return f
}

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

func appendInts(dst []byte, vs ...int64) []byte {
	for _, v := range vs {
		dst = binary.AppendVarint(dst, v)
	}
	return dst
}

func appendRange(dst []byte, r *etcdapi.RangeRequest) []byte {
	dst = appendBytes(appendBytes(dst, r.Key), r.RangeEnd)
	dst = appendInts(dst, r.Limit, r.Revision, int64(r.SortOrder), int64(r.SortTarget),
		r.MinModRevision, r.MaxModRevision, r.MinCreateRevision, r.MaxCreateRevision)
	return append(dst, flags(r.Serializable, r.KeysOnly, r.CountOnly))
}

func appendPut(dst []byte, r *etcdapi.PutRequest) []byte {
	dst = appendBytes(appendBytes(dst, r.Key), r.Value)
	dst = binary.AppendVarint(dst, r.Lease)
	return append(dst, flags(r.PrevKv, r.IgnoreValue, r.IgnoreLease))
}

func appendDelete(dst []byte, r *etcdapi.DeleteRangeRequest) []byte {
	dst = appendBytes(appendBytes(dst, r.Key), r.RangeEnd)
	return append(dst, flags(r.PrevKv))
}

// appendTxn appends compares, then Success and Failure ops, each list
// length-prefixed.
func appendTxn(dst []byte, r *etcdapi.TxnRequest) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(r.Compare)))
	for _, c := range r.Compare {
		if c == nil {
			c = &etcdapi.Compare{}
		}
		dst = appendInts(dst, int64(c.Result), int64(c.Target))
		dst = appendBytes(appendBytes(dst, c.Key), c.RangeEnd)
		dst = appendInts(dst, c.Version, c.CreateRevision, c.ModRevision, c.Lease)
		dst = appendBytes(dst, c.Value)
	}
	for _, ops := range [][]*etcdapi.RequestOp{r.Success, r.Failure} {
		dst = binary.AppendUvarint(dst, uint64(len(ops)))
		for _, op := range ops {
			dst = appendOp(dst, op)
		}
	}
	return dst
}

// appendOp appends an op as its kind byte and body.
func appendOp(dst []byte, op *etcdapi.RequestOp) []byte {
	switch kindOf(op) {
	case opRange:
		return appendRange(append(dst, reqRange), op.RequestRange)
	case opPut:
		return appendPut(append(dst, reqPut), op.RequestPut)
	case opDeleteRange:
		return appendDelete(append(dst, reqDeleteRange), op.RequestDeleteRange)
	case opTxn:
		return appendTxn(append(dst, reqTxn), op.RequestTxn)
	}
	return append(dst, reqEmpty)
}

// DecodeRequest parses an AppendRequest encoding. It returns
// ErrCorruptRecord for anything AppendRequest cannot have produced.
func DecodeRequest(b []byte) (*Request, error) {
	if len(b) < 2 || b[0] != requestCodecVersion {
		return nil, fmt.Errorf("%w: request header", ErrCorruptRecord)
	}
	d := &decoder{b: b[2:]}
	r := &Request{}
	switch b[1] {
	case reqEmpty:
	case reqRange:
		r.Range = d.rangeReq()
	case reqPut:
		r.Put = d.putReq()
	case reqDeleteRange:
		r.DeleteRange = d.deleteReq()
	case reqTxn:
		r.Txn = d.txnReq(0)
	case reqCompaction:
		r.Compaction = &etcdapi.CompactionRequest{Revision: d.varint()}
		r.Compaction.Physical = d.flags(1)[0]
	case reqLeaseGrant:
		r.LeaseGrant = &etcdapi.LeaseGrantRequest{TTL: d.varint(), ID: d.varint()}
	case reqLeaseRevoke:
		r.LeaseRevoke = &etcdapi.LeaseRevokeRequest{ID: d.varint()}
	case reqAlarm:
		r.Alarm = d.alarmReq()
	default:
		return nil, fmt.Errorf("%w: request kind %d", ErrCorruptRecord, b[1])
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d trailing request bytes", ErrCorruptRecord, len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}
