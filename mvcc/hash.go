package mvcc

import (
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
	h.Write(bucketKey)
	var buf []byte
	err := s.be.scan(revision{}, revision{main: rev + 1}, func(r *record) bool {
		buf = appendRevBytes(buf[:0], r.rev, r.tomb)
		buf = appendKV(buf, &r.kv)
		h.Write(buf)
		return true
	})
	if err != nil {
		return nil, err
	}
	return &etcdapi.HashKVResponse{Header: s.header(), Hash: h.Sum32(),
		CompactRevision: s.compactRev, HashRevision: rev}, nil
}
