package mvcc

import (
	"encoding/binary"
	"hash"
	"hash/crc32"

	"etcdsim/mvcc/etcdapi"
)

// HashKV hashes (CRC32C) every stored revision up to rev (the current one
// when rev is 0), as etcd's HashKV does for corruption checks: members that
// applied the same entries and compacted at the same revision agree. The
// value is not etcd's, since records are not encoded as protobuf.
// HashRevision is the revision hashed, as etcd fills it. It returns
// etcdapi.ErrCompacted or etcdapi.ErrFutureRev.
func (s *Store) HashKV(rev int64) (*etcdapi.HashKVResponse, error) {
	if s.closed {
		return nil, ErrClosed
	}
	switch {
	case rev > 0 && rev < s.compactRev:
		return nil, etcdapi.ErrCompacted
	case rev > s.currentRev:
		return nil, etcdapi.ErrFutureRev
	case rev <= 0:
		rev = s.currentRev
	}
	h := crc32.New(castagnoli)
	if err := s.hashRecords(h, rev); err != nil {
		return nil, err
	}
	return &etcdapi.HashKVResponse{Header: s.header(), Hash: h.Sum32(),
		CompactRevision: s.compactRev, HashRevision: rev}, nil
}

// hashRecords writes the bucket name and every stored revision up to rev
// to h.
func (s *Store) hashRecords(h hash.Hash32, rev int64) error {
	h.Write(bucketKey)
	var buf []byte
	return s.be.scan(revision{}, revision{main: rev + 1}, func(r *record) bool {
		buf = appendRevBytes(buf[:0], r.rev, r.tomb)
		buf = appendKV(buf, &r.kv)
		h.Write(buf)
		return true
	})
}

// Hash hashes (CRC32C) the whole store, as etcd's Maintenance Hash hashes
// its whole backend (store.hash, server/storage/mvcc/kvstore.go, v3.7.1):
// what HashKV hashes at the current revision (every stored revision),
// then the compaction revision, the leases (ID and granted TTL, by ID) and
// the raised alarms (by type, then member). Like etcd's, it leaves out the
// consistent index, so members that applied the same entries agree however
// they got them (log or snapshot) and on whichever backend. The header's
// revision is the current one. The value is not etcd's, since records are
// not encoded as protobuf.
func (s *Store) Hash() (*etcdapi.HashResponse, error) {
	if s.closed {
		return nil, ErrClosed
	}
	h := crc32.New(castagnoli)
	if err := s.hashRecords(h, s.currentRev); err != nil {
		return nil, err
	}
	buf := binary.AppendVarint(append([]byte(nil), bucketMeta...), s.compactRev)
	buf = append(buf, bucketLease...)
	leases, err := s.be.leases()
	if err != nil {
		return nil, err
	}
	for _, l := range leases {
		buf = binary.AppendVarint(binary.BigEndian.AppendUint64(buf, uint64(l.id)), l.ttl)
	}
	buf = append(buf, bucketAlarm...)
	for _, a := range s.alarms {
		buf = appendAlarmRecord(buf, a)
	}
	h.Write(buf)
	return &etcdapi.HashResponse{Header: s.header(), Hash: h.Sum32()}, nil
}
