package mvcc

import (
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// Decoding helpers for DecodeRequest; the first error sticks in d.err.

// optBytes reads a byte string, empty as nil (as protobuf decodes it).
func (d *decoder) optBytes() []byte {
	b := d.bytes()
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// flags reads one flags byte holding n booleans; unknown bits are corrupt.
func (d *decoder) flags(n int) []bool {
	out := make([]bool, n)
	if d.err != nil {
		return out
	}
	if len(d.b) == 0 || d.b[0]>>n != 0 {
		d.err = fmt.Errorf("%w: request flags", ErrCorruptRecord)
		return out
	}
	for i := range out {
		out[i] = d.b[0]&(1<<i) != 0
	}
	d.b = d.b[1:]
	return out
}

// count reads a list length; each element takes at least one byte, so a
// length above what is left is corrupt.
func (d *decoder) count() int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: list of %d in %d bytes", ErrCorruptRecord, n, len(d.b))
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// rangeReq reads a RangeRequest body.
func (d *decoder) rangeReq() *etcdapi.RangeRequest {
	r := &etcdapi.RangeRequest{Key: d.optBytes(), RangeEnd: d.optBytes(), Limit: d.varint(),
		Revision: d.varint()}
	r.SortOrder = etcdapi.RangeRequest_SortOrder(d.varint())
	r.SortTarget = etcdapi.RangeRequest_SortTarget(d.varint())
	r.MinModRevision, r.MaxModRevision = d.varint(), d.varint()
	r.MinCreateRevision, r.MaxCreateRevision = d.varint(), d.varint()
	f := d.flags(3)
	r.Serializable, r.KeysOnly, r.CountOnly = f[0], f[1], f[2]
	return r
}

// putReq reads a PutRequest body.
func (d *decoder) putReq() *etcdapi.PutRequest {
	r := &etcdapi.PutRequest{Key: d.optBytes(), Value: d.optBytes(), Lease: d.varint()}
	f := d.flags(3)
	r.PrevKv, r.IgnoreValue, r.IgnoreLease = f[0], f[1], f[2]
	return r
}

// deleteReq reads a DeleteRangeRequest body.
func (d *decoder) deleteReq() *etcdapi.DeleteRangeRequest {
	r := &etcdapi.DeleteRangeRequest{Key: d.optBytes(), RangeEnd: d.optBytes()}
	r.PrevKv = d.flags(1)[0]
	return r
}

// txnReq reads a txn nested depth deep.
func (d *decoder) txnReq(depth int) *etcdapi.TxnRequest {
	r := &etcdapi.TxnRequest{}
	if depth > requestDepthMax {
		d.err = fmt.Errorf("%w: txn nested over %d deep", ErrCorruptRecord, requestDepthMax)
		return r
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		c := &etcdapi.Compare{Result: etcdapi.Compare_CompareResult(d.varint())}
		c.Target = etcdapi.Compare_CompareTarget(d.varint())
		c.Key, c.RangeEnd = d.optBytes(), d.optBytes()
		c.Version, c.CreateRevision, c.ModRevision, c.Lease = d.varint(), d.varint(), d.varint(),
			d.varint()
		c.Value = d.optBytes()
		r.Compare = append(r.Compare, c)
	}
	r.Success = d.ops(depth)
	r.Failure = d.ops(depth)
	return r
}

// ops reads a length-prefixed list of ops.
func (d *decoder) ops(depth int) []*etcdapi.RequestOp {
	var ops []*etcdapi.RequestOp
	for n := d.count(); n > 0 && d.err == nil; n-- {
		op := &etcdapi.RequestOp{}
		kind := d.flagsByte()
		switch kind {
		case reqEmpty:
		case reqRange:
			op.RequestRange = d.rangeReq()
		case reqPut:
			op.RequestPut = d.putReq()
		case reqDeleteRange:
			op.RequestDeleteRange = d.deleteReq()
		case reqTxn:
			op.RequestTxn = d.txnReq(depth + 1)
		default:
			d.err = fmt.Errorf("%w: op kind %d", ErrCorruptRecord, kind)
		}
		ops = append(ops, op)
	}
	return ops
}

// alarmReq reads an AlarmRequest body. Action and alarm are int32 in
// etcd's messages; a wider number is corrupt.
func (d *decoder) alarmReq() *etcdapi.AlarmRequest {
	action, member, alarm := d.varint(), d.uvarint(), d.varint()
	if d.err == nil && (action != int64(int32(action)) || alarm != int64(int32(alarm))) {
		d.err = fmt.Errorf("%w: alarm request %d/%d", ErrCorruptRecord, action, alarm)
	}
	return &etcdapi.AlarmRequest{Action: etcdapi.AlarmRequest_AlarmAction(action),
		MemberID: member, Alarm: etcdapi.AlarmType(alarm)}
}

// flagsByte reads one raw byte.
func (d *decoder) flagsByte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = fmt.Errorf("%w: truncated request", ErrCorruptRecord)
		return 0
	}
	b := d.b[0]
	d.b = d.b[1:]
	return b
}
