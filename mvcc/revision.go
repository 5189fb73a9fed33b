package mvcc

import (
	"encoding/binary"
	"fmt"
)

// revision is etcd's {main, sub} pair: main is the store revision of a
// change, sub orders the changes inside one txn (0, 1, 2...).
type revision struct {
	main int64
	sub  int64
}

// String formats the pair as etcd's tools do.
func (r revision) String() string { return fmt.Sprintf("{%d %d}", r.main, r.sub) }

// greaterThan orders revisions by main, then sub.
func (r revision) greaterThan(o revision) bool {
	if r.main != o.main {
		return r.main > o.main
	}
	return r.sub > o.sub
}

// Encoded revisions are backend keys, as in etcd: 8 bytes of main, '_', 8
// bytes of sub (big-endian, so byte order is revision order), and a trailing
// 't' on tombstones.
const (
	revBytesLen     = 8 + 1 + 8
	markedRevLen    = revBytesLen + 1
	markTombstone   = 't'
	revBytesSepByte = '_'
)

// appendRevBytes appends the backend key of rev, with the tombstone mark if tomb.
func appendRevBytes(dst []byte, rev revision, tomb bool) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(rev.main))
	dst = append(dst, revBytesSepByte)
	dst = binary.BigEndian.AppendUint64(dst, uint64(rev.sub))
	if tomb {
		dst = append(dst, markTombstone)
	}
	return dst
}

// decodeRevBytes parses a backend key. It returns ErrCorruptRecord for
// anything appendRevBytes cannot have produced.
func decodeRevBytes(b []byte) (rev revision, tomb bool, err error) {
	if len(b) != revBytesLen && len(b) != markedRevLen {
		return revision{}, false,
			fmt.Errorf("%w: revision key of %d bytes", ErrCorruptRecord, len(b))
	}
	if b[8] != revBytesSepByte {
		return revision{}, false, fmt.Errorf("%w: revision key without separator", ErrCorruptRecord)
	}
	if len(b) == markedRevLen {
		if b[revBytesLen] != markTombstone {
			return revision{}, false,
				fmt.Errorf("%w: unknown revision mark %q", ErrCorruptRecord, b[revBytesLen])
		}
		tomb = true
	}
	rev = revision{
		main: int64(binary.BigEndian.Uint64(b[:8])),
		sub:  int64(binary.BigEndian.Uint64(b[9:17])),
	}
	if rev.main < 0 || rev.sub < 0 {
		return revision{}, false, fmt.Errorf("%w: negative revision %v", ErrCorruptRecord, rev)
	}
	return rev, tomb, nil
}
