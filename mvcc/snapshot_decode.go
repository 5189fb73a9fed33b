package mvcc

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"

	"etcdsim/mvcc/etcdapi"
)

// decodeSnapshot reads and checks a whole snapshot stream into a fresh
// memory backend. Every failure wraps ErrSnapshotCorrupt or
// ErrSnapshotVersion.
func decodeSnapshot(r io.Reader) (*memBackend, error) {
	br := bufio.NewReader(r)
	hdr := make([]byte, len(snapMagic)+4)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrSnapshotCorrupt, err)
	}
	if string(hdr[:len(snapMagic)]) != snapMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrSnapshotCorrupt)
	}
	if v := binary.BigEndian.Uint32(hdr[len(snapMagic):]); v != snapVersion {
		return nil, fmt.Errorf("%w: version %d", ErrSnapshotVersion, v)
	}
	mem := newMemBackend()
	for n := 0; ; n++ {
		kind, payload, err := readSnapRecord(br)
		if err != nil {
			return nil, err
		}
		if kind == snapEnd {
			return mem, checkSnapEnd(br, payload, n)
		}
		if err := applySnapRecord(mem, kind, payload); err != nil {
			return nil, fmt.Errorf("%w: record %d: %w", ErrSnapshotCorrupt, n, err)
		}
	}
}

// readSnapRecord reads one framed record and checks its length and CRC.
func readSnapRecord(br *bufio.Reader) (snapKind, []byte, error) {
	head := make([]byte, 5)
	if _, err := io.ReadFull(br, head); err != nil {
		return 0, nil, fmt.Errorf("%w: truncated: %w", ErrSnapshotCorrupt, err)
	}
	n := binary.BigEndian.Uint32(head[1:])
	if n > snapRecordBytesMax {
		return 0, nil, fmt.Errorf("%w: record of %d bytes", ErrSnapshotCorrupt, n)
	}
	body := make([]byte, int(n)+4)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0, nil, fmt.Errorf("%w: truncated: %w", ErrSnapshotCorrupt, err)
	}
	crc := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, body[:n])
	if crc != binary.BigEndian.Uint32(body[n:]) {
		return 0, nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshotCorrupt)
	}
	return snapKind(head[0]), body[:n:n], nil
}

// checkSnapEnd checks the trailer's record count and that nothing follows.
func checkSnapEnd(br *bufio.Reader, payload []byte, n int) error {
	count, k := binary.Uvarint(payload)
	if k <= 0 || k != len(payload) || count != uint64(n) {
		return fmt.Errorf("%w: trailer counts %d records, read %d", ErrSnapshotCorrupt, count, n)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after trailer", ErrSnapshotCorrupt)
	}
	return nil
}

// applySnapRecord checks one record and adds it to mem.
func applySnapRecord(mem *memBackend, kind snapKind, p []byte) error {
	switch kind {
	case snapMeta:
		if len(p) < 1 || len(p) != 1+8+int(p[0]) {
			return errors.New("meta record size")
		}
		k := metaKey(p[9:])
		if !slices.Contains(snapMetaKeys, k) {
			return fmt.Errorf("unknown meta %q", k)
		}
		mem.meta[k] = int64(binary.BigEndian.Uint64(p[1:9]))
	case snapRev:
		return applySnapRev(mem, p)
	case snapLease:
		if len(p) < 9 {
			return errors.New("lease record size")
		}
		ttl, k := binary.Varint(p[8:])
		if k <= 0 || 8+k != len(p) {
			return errors.New("lease ttl")
		}
		id := LeaseID(binary.BigEndian.Uint64(p[:8]))
		if id <= 0 || mem.leaseBy[id] != 0 || ttl <= 0 {
			return fmt.Errorf("lease %v with ttl %d", id, ttl)
		}
		mem.leaseBy[id] = ttl
		mem.bytes += leaseRecordBytes
	case snapAlarm:
		if len(p) != 12 {
			return errors.New("alarm record size")
		}
		a := alarmRecord{member: binary.BigEndian.Uint64(p[:8]),
			alarm: etcdapi.AlarmType(int32(binary.BigEndian.Uint32(p[8:])))}
		if _, dup := mem.alarmSet[a]; dup {
			return fmt.Errorf("alarm %v of member %d twice", a.alarm, a.member)
		}
		mem.alarmSet[a] = struct{}{}
	default:
		return fmt.Errorf("unknown record kind %d", kind)
	}
	return nil
}

// applySnapRev checks one revision record (encoding, order, agreement of
// the key-value with its revision) and stores it.
func applySnapRev(mem *memBackend, p []byte) error {
	n := revBytesLen
	if len(p) > revBytesLen && p[revBytesLen] == markTombstone {
		n = markedRevLen
	}
	if len(p) < n {
		return errors.New("revision record size")
	}
	rev, tomb, err := decodeRevBytes(p[:n])
	if err != nil {
		return err
	}
	kv, err := decodeKV(p[n:])
	if err != nil {
		return err
	}
	if len(kv.Key) == 0 || rev.main < 2 {
		return fmt.Errorf("revision %v key %q", rev, kv.Key)
	}
	if !tomb && (kv.ModRevision != rev.main || kv.Version < 1 || kv.CreateRevision < 1 ||
		kv.CreateRevision > kv.ModRevision) {
		return fmt.Errorf("revision %v disagrees with key-value %+v", rev, kv)
	}
	if last, ok := mem.last(); ok && !rev.greaterThan(last) {
		return fmt.Errorf("revision %v out of order", rev)
	}
	return mem.put(record{rev: rev, tomb: tomb, kv: kv})
}
