package mvcc

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// A store snapshot (BackendSnapshot, for Raft snapshots) is a byte stream:
//
//	header:  magic "ETCDSIMV" | version u32
//	record:  kind u8 | length u32 | payload | crc32c(kind, length, payload) u32
//	...      meta records, then revisions in order, then leases, then alarms
//	trailer: kind snapEnd with payload = uvarint count of records before it
//
// Integers are big-endian. Restore reads and checks the whole stream, and
// rebuilds a store from it in memory, before it replaces anything.
//
// Version 2 added alarm records (member u64 | alarm type i32), replacing
// version 1's "alarm_nospace" meta value. Snapshots never outlive the run
// that took them, so only version 2 is read.

const (
	snapMagic          = "ETCDSIMV"
	snapVersion        = uint32(2)
	snapRecordBytesMax = 64 << 20
)

type snapKind uint8

const (
	snapMeta  snapKind = 1
	snapRev   snapKind = 2
	snapLease snapKind = 3
	snapAlarm snapKind = 4
	snapEnd   snapKind = 0xff
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapMetaKeys are the meta values a snapshot carries.
var snapMetaKeys = []metaKey{metaConsistentIndex, metaCompactRev}

// Snapshot writes the whole store (committed or not) to w.
func (s *Store) Snapshot(w io.Writer) error {
	if s.closed {
		return ErrClosed
	}
	bw := bufio.NewWriter(w)
	sw := snapWriter{w: bw}
	sw.raw(append([]byte(snapMagic), binary.BigEndian.AppendUint32(nil, snapVersion)...))
	for _, k := range snapMetaKeys {
		v, ok, err := s.be.getMeta(k)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		head := binary.BigEndian.AppendUint64([]byte{byte(len(k))}, uint64(v))
		sw.record(snapMeta, head, []byte(k))
	}
	err := s.be.scan(revision{}, revision{main: maxRevMain}, func(r *record) bool {
		sw.record(snapRev, appendRevBytes(nil, r.rev, r.tomb), appendKV(nil, &r.kv))
		return sw.err == nil
	})
	if err != nil {
		return err
	}
	leases, err := s.be.leases()
	if err != nil {
		return err
	}
	for _, l := range leases {
		id := binary.BigEndian.AppendUint64(nil, uint64(l.id))
		sw.record(snapLease, id, binary.AppendVarint(nil, l.ttl))
	}
	alarms, err := s.be.alarms()
	if err != nil {
		return err
	}
	for _, a := range alarms {
		sw.record(snapAlarm, appendAlarmRecord(nil, a))
	}
	sw.record(snapEnd, binary.AppendUvarint(nil, uint64(sw.n)))
	if sw.err != nil {
		return fmt.Errorf("mvcc: write snapshot: %w", sw.err)
	}
	return bw.Flush()
}

type snapWriter struct {
	w   io.Writer
	n   int
	err error
}

func (sw *snapWriter) raw(b []byte) {
	if sw.err == nil {
		_, sw.err = sw.w.Write(b)
	}
}

// record writes one framed record whose payload is the parts joined.
func (sw *snapWriter) record(kind snapKind, parts ...[]byte) {
	var payload []byte
	for _, p := range parts {
		payload = append(payload, p...)
	}
	frame := binary.BigEndian.AppendUint32([]byte{byte(kind)}, uint32(len(payload)))
	frame = append(frame, payload...)
	frame = binary.BigEndian.AppendUint32(frame, crc32.Checksum(frame, castagnoli))
	sw.raw(frame)
	if kind != snapEnd {
		sw.n++
	}
}

// Restore replaces the store's contents with the snapshot read from r. A
// truncated, corrupt or inconsistent stream returns ErrSnapshotCorrupt (or
// ErrSnapshotVersion) and leaves the store as it was. Watchers stay open and
// catch up from the restored history, or get a compacted response.
func (s *Store) Restore(r io.Reader) error {
	if s.closed {
		return ErrClosed
	}
	mem, err := decodeSnapshot(r)
	if err != nil {
		return err
	}
	if _, err := newStore(s.cfg, mem); err != nil {
		return fmt.Errorf("%w: %w", ErrSnapshotCorrupt, err)
	}
	if err := s.replaceBackend(mem); err != nil {
		return err
	}
	primary := s.lessor.primary
	must(s.recover())
	if primary {
		s.Promote(0)
	}
	for _, ws := range s.hub.streams {
		for _, id := range ws.order {
			ws.watchers[id].synced = false
		}
	}
	return nil
}

// replaceBackend makes the store's backend hold exactly what mem holds.
func (s *Store) replaceBackend(mem *memBackend) error {
	if _, ok := s.be.(*memBackend); ok {
		s.be = mem
		return nil
	}
	if err := s.be.reset(); err != nil {
		return err
	}
	must(mem.scan(revision{}, revision{main: maxRevMain}, func(r *record) bool {
		must(s.be.put(*r))
		return true
	}))
	for _, k := range snapMetaKeys {
		if v, ok := mem.meta[k]; ok {
			must(s.be.putMeta(k, v))
		}
	}
	ls, _ := mem.leases()
	for _, l := range ls {
		must(s.be.putLease(l))
	}
	as, _ := mem.alarms()
	for _, a := range as {
		must(s.be.putAlarm(a))
	}
	return s.be.commit()
}

// appendAlarmRecord appends an alarm's snapshot payload.
func appendAlarmRecord(dst []byte, a alarmRecord) []byte {
	dst = binary.BigEndian.AppendUint64(dst, a.member)
	return binary.BigEndian.AppendUint32(dst, uint32(a.alarm))
}
