package mvcc

import (
	"encoding/binary"
	"fmt"

	"etcdsim/mvcc/etcdapi"
)

// A KeyValue is stored in the backend and in snapshots as: uvarint key
// length, key, uvarint value length, value, then varints CreateRevision,
// ModRevision, Version and Lease. A tombstone stores the key only, with
// zero numbers, as etcd does.

// recordOverheadBytes approximates per-record bookkeeping (revision key,
// lengths, numbers) in the logical backend size used for the quota.
const recordOverheadBytes = 64

// recordCost is the logical size, in bytes, that one stored revision adds.
func recordCost(kv *etcdapi.KeyValue) int64 {
	return int64(len(kv.Key) + len(kv.Value) + recordOverheadBytes)
}

// appendKV appends the encoding of kv to dst.
func appendKV(dst []byte, kv *etcdapi.KeyValue) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(kv.Key)))
	dst = append(dst, kv.Key...)
	dst = binary.AppendUvarint(dst, uint64(len(kv.Value)))
	dst = append(dst, kv.Value...)
	dst = binary.AppendVarint(dst, kv.CreateRevision)
	dst = binary.AppendVarint(dst, kv.ModRevision)
	dst = binary.AppendVarint(dst, kv.Version)
	dst = binary.AppendVarint(dst, kv.Lease)
	return dst
}

// decodeKV parses an appendKV encoding. The result's Key and Value alias b.
// It returns ErrCorruptRecord for truncated, oversized or trailing input.
func decodeKV(b []byte) (etcdapi.KeyValue, error) {
	var kv etcdapi.KeyValue
	d := decoder{b: b}
	kv.Key = d.bytes()
	if kv.Value = d.bytes(); len(kv.Value) == 0 {
		kv.Value = nil // a put of an empty value reads back as nil, as from etcd
	}
	kv.CreateRevision = d.varint()
	kv.ModRevision = d.varint()
	kv.Version = d.varint()
	kv.Lease = d.varint()
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes after key-value", ErrCorruptRecord, len(d.b))
	}
	if d.err != nil {
		return etcdapi.KeyValue{}, d.err
	}
	return kv, nil
}

// decoder reads varint-framed fields; the first error sticks and later
// reads return zero values.
type decoder struct {
	b   []byte
	err error
}

// uvarint reads an unsigned varint.
func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: bad uvarint", ErrCorruptRecord)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// varint reads a signed varint.
func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: bad varint", ErrCorruptRecord)
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bytes reads a length-prefixed byte string, aliasing the input.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: field of %d bytes, %d left", ErrCorruptRecord, n, len(d.b))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}
