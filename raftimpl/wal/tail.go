package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// A damaged last record is either a torn write (the crash cut the final,
// unsynced append; drop it) or corruption (bytes that were written, maybe
// synced, changed afterwards; refuse). Dropping corruption would silently
// lose an acknowledged record, so a last record is torn only when the
// damage has the shape a crash leaves:
//
//   - Short: the frame's length runs past the end of the file, because the
//     crash kept a prefix of the append (the only tear the simulated disk
//     makes). Its length field, once whole, must still be one the writer
//     could have written, and the bytes present must not already be a
//     whole record (see shortTailDamage).
//   - Zero-filled: the frame is full length but the sector it ends in was
//     allocated and never written, so the record's bytes in that sector
//     read as zeros (see fullTailDamage).
//
// etcd's decoder makes the same split (server/storage/wal/decoder.go,
// isTornEntry, read at tags v3.6.14 and v3.7.1, where it is the same): it
// cuts the record's bytes after the length field at 512-byte file-offset
// boundaries and calls a record whose checksum fails torn when any of
// those sector chunks is all zeros, and a CRC mismatch otherwise. We
// differ in three ways, each erring towards refusing:
//
//   - Only the chunk in the sector the record ends in counts: zeros in an
//     interior chunk are as likely to be zeros the record holds (a
//     crash that wrote a later sector but not an earlier one is not
//     modeled).
//   - A mismatch that damage to one byte explains (a flipped bit, say) is
//     corruption even then, since the zeros may be the record's own.
//   - A damaged record followed by more data, or with a whole record
//     inside it, is corruption; etcd's Repair (repair.go) truncates there,
//     dropping what follows with it.

// sectorBytes is the unit a disk writes whole or not at all; a torn
// write leaves unwritten sectors zero-filled. As etcd's minSectorSize.
const sectorBytes = 512

// Header fields before the type byte: the payload length, then the
// checksum of type and payload.
const (
	lengthBytes = 4
	crcBytes    = 4
)

// shortTailDamage returns why the short frame at off, the last thing in
// data, cannot be a torn write, or "" if it can be one. A crash keeps a
// prefix of what was written, so what of the header is present holds what
// the writer wrote:
//
//   - A whole length above recordBytesMax, or a whole header that
//     headerDamage rejects, was never written: damage.
//   - If the bytes after the header already check against the stored
//     checksum, the record is whole and its length is what changed: a
//     prefix of a longer body matches the checksum of the whole body only
//     by a 2^-32 accident, and then we refuse, which is safe.
//
// Bytes merely being nonzero prove nothing (a torn prefix is nonzero too),
// so an entry whose length grew while another of its bytes was damaged
// passes every check and is taken for a tear (see the package doc).
func shortTailDamage(data []byte, off int) string {
	if hasFrameAfter(data, off+1) {
		return "damaged length followed by more records"
	}
	if len(data)-off < lengthBytes {
		return "" // a tear inside the length field
	}
	n := int64(binary.LittleEndian.Uint32(data[off:]))
	if n > recordBytesMax {
		return fmt.Sprintf("length %d above the limit %d", n, recordBytesMax)
	}
	if len(data)-off < headerBytes {
		return "" // a tear inside the header
	}
	assertf(int64(len(data)-off-headerBytes) < n, "frame at %d of length %d is not short", off, n)
	if why := headerDamage(n, recordType(data[off+headerBytes-1])); why != "" {
		return why
	}
	body := data[off+lengthBytes+crcBytes:]
	if crc32.Checksum(body, castagnoli) == binary.LittleEndian.Uint32(data[off+lengthBytes:]) {
		return fmt.Sprintf("length %d past the end of a whole record of %d bytes",
			n, len(body)-1)
	}
	return ""
}

// fullTailDamage returns why the frame data[off:off+size], the last in
// data, whole but failing its checksum, cannot be a torn write, or "" if
// it can be one: its bytes after the length field must end in an all-zero
// chunk of a sector; if its type byte is not zero it was written, and so
// was the header before it, which headerDamage must accept; damage to one
// byte must not explain the mismatch; and no whole record may start inside
// it (as a grown length would show).
func fullTailDamage(data []byte, off, size int) string {
	assertf(off+size == len(data), "frame %d+%d is not last in %d bytes", off, size, len(data))
	assertf(size >= headerBytes, "frame of %d bytes is shorter than its header", size)
	if !endsInZeroSector(data, off+lengthBytes, off+size) {
		return "checksum mismatch in the last record, whose last sector is not zero-filled"
	}
	if typ := recordType(data[off+headerBytes-1]); typ != 0 {
		if why := headerDamage(int64(size-headerBytes), typ); why != "" {
			return why
		}
	}
	want := binary.LittleEndian.Uint32(data[off+lengthBytes:])
	if oneByteAway(data[off+lengthBytes+crcBytes:off+size], want) {
		return "checksum mismatch from one damaged byte in the last record"
	}
	if hasFrameAfter(data, off+1) {
		return "checksum mismatch with a whole record inside (a damaged length?)"
	}
	return ""
}

// headerDamage returns why a log record header with payload length n and
// type typ is one Save and Compact never write, or "" if they may. They
// write hard states, snapshot markers and entries, each of its fixed size
// or (an entry) at least its fixed size, never above recordBytesMax;
// snapshots go to their own files.
func headerDamage(n int64, typ recordType) string {
	var ok bool
	switch typ {
	case recHardState:
		ok = n == hardStateBytes
	case recSnapMarker:
		ok = n == snapMarkerBytes
	case recEntry:
		ok = n >= entryFixedBytes && n <= recordBytesMax
	}
	if !ok {
		return fmt.Sprintf("header of type %d and length %d, which the log never holds", typ, n)
	}
	return ""
}

// endsInZeroSector reports whether data[lo:hi] ends in a chunk of zeros
// that reaches back to the start of the sector holding byte hi-1, or to lo
// if that sector starts before lo. Sectors are aligned to the file offset.
func endsInZeroSector(data []byte, lo, hi int) bool {
	assertf(lo < hi, "empty range %d..%d", lo, hi)
	start := max(lo, (hi-1)/sectorBytes*sectorBytes)
	for _, b := range data[start:hi] {
		if b != 0 {
			return false
		}
	}
	return true
}

// castagnoliByTop maps the top byte of each castagnoli table entry back
// to the entry's index. The top bytes of a reflected CRC-32 table are all
// distinct, which is what lets oneByteAway shift a register back over a
// zero byte.
var castagnoliByTop = func() [256]byte {
	var rev [256]byte
	var seen [256]bool
	for i := range 256 {
		top := castagnoli[i] >> 24
		assertf(!seen[top], "castagnoli table top byte %#x repeats", top)
		seen[top] = true
		rev[top] = byte(i)
	}
	return rev
}()

// oneByteAway reports whether changing one byte of body, or one byte of
// the stored checksum want, would make them agree: damage confined to a
// single byte, such as a flipped bit, is corruption. A CRC is linear over
// GF(2), so the mismatch (the syndrome) that changing byte p by v causes
// is the register the byte v followed by len(body)-1-p zero bytes leaves.
// Walking the syndrome back one zero byte at a time and asking at each
// step whether it is a table entry (the register one byte leaves) tests
// every p and v in one pass. Damage confined to one byte always matches;
// a torn record matches by accident with odds about len(body)/2^24, and
// is then refused, which is safe.
func oneByteAway(body []byte, want uint32) bool {
	syndrome := crc32.Checksum(body, castagnoli) ^ want
	assertf(syndrome != 0, "oneByteAway on a record whose checksum holds")
	for shift := 0; shift < 32; shift += 8 {
		if syndrome&^(0xff<<shift) == 0 {
			return true // a byte of the stored checksum
		}
	}
	reg := syndrome
	for range body { // bounded by len(body) <= recordBytesMax+1
		i := castagnoliByTop[reg>>24]
		if reg == castagnoli[i] {
			return true
		}
		reg = (reg^castagnoli[i])<<8 | uint32(i)
	}
	return false
}
