package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"etcdsim/raftimpl"
)

// recordType says what a record's payload holds.
type recordType uint8

const (
	recHardState  recordType = iota + 1 // term, vote, commit
	recEntry                            // one log entry
	recSnapMarker                       // index, term of the snapshot in force
	recSnapshot                         // a whole snapshot (snapshot file only)
)

// Frame layout: length of payload (u32) | CRC32C of type+payload (u32) |
// type (u8) | payload. All integers little-endian.
const (
	headerBytes = 9
	// recordBytesMax bounds one payload (an entry, or a whole snapshot);
	// Save and Compact refuse larger ones, so on replay a larger length
	// is damage.
	recordBytesMax = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecord frames payload (already appended to buf after a reserved
// header at start) in place: it fills in the header.
func finishRecord(buf []byte, start int, typ recordType) []byte {
	payload := buf[start+headerBytes:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	buf[start+8] = byte(typ)
	crc := crc32.Checksum(buf[start+8:], castagnoli)
	binary.LittleEndian.PutUint32(buf[start+4:], crc)
	return buf
}

// reserveHeader appends room for a header and returns where it starts.
func reserveHeader(buf []byte) ([]byte, int) {
	start := len(buf)
	return append(buf, make([]byte, headerBytes)...), start
}

func appendHardState(buf []byte, hs raftimpl.HardState) []byte {
	buf, start := reserveHeader(buf)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(hs.Term))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(hs.Vote))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(hs.Commit))
	return finishRecord(buf, start, recHardState)
}

// Payload sizes: a hard state's and a snapshot marker's are fixed, an
// entry's is entryFixedBytes beyond its data.
const (
	hardStateBytes  = 24
	snapMarkerBytes = 16
	entryFixedBytes = 17
)

// snapshotFixedBytes is a snapshot payload's size beyond its data.
func snapshotFixedBytes(s *raftimpl.Snapshot) int {
	cs := s.Metadata.ConfState
	return 16 + 8 + 8*(len(cs.Voters)+len(cs.Learners))
}

func appendEntry(buf []byte, e *raftimpl.Entry) []byte {
	buf, start := reserveHeader(buf)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Term))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Index))
	buf = append(buf, byte(e.Type))
	buf = append(buf, e.Data...)
	return finishRecord(buf, start, recEntry)
}

func appendSnapMarker(buf []byte, m raftimpl.SnapshotMetadata) []byte {
	buf, start := reserveHeader(buf)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(m.Index))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(m.Term))
	return finishRecord(buf, start, recSnapMarker)
}

func appendSnapshot(buf []byte, s *raftimpl.Snapshot) []byte {
	buf, start := reserveHeader(buf)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(s.Metadata.Index))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(s.Metadata.Term))
	for _, ids := range [][]raftimpl.NodeID{s.Metadata.ConfState.Voters,
		s.Metadata.ConfState.Learners} {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(ids)))
		for _, id := range ids {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(id))
		}
	}
	buf = append(buf, s.Data...)
	return finishRecord(buf, start, recSnapshot)
}

// record is one decoded frame.
type record struct {
	typ     recordType
	payload []byte
}

// frameStatus is the outcome of reading one frame.
type frameStatus uint8

const (
	frameOK   frameStatus = iota
	frameTorn             // runs past the end of the data: a torn write
	frameBad              // complete but fails its checksum
)

// readFrame reads the frame at off in data, returning it and its length.
func readFrame(data []byte, off int) (record, int, frameStatus) {
	if len(data)-off < headerBytes {
		return record{}, 0, frameTorn
	}
	n := int(binary.LittleEndian.Uint32(data[off:]))
	if n > recordBytesMax || len(data)-off-headerBytes < n {
		return record{}, 0, frameTorn
	}
	body := data[off+8 : off+headerBytes+n]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[off+4:]) {
		return record{}, headerBytes + n, frameBad
	}
	return record{typ: recordType(body[0]), payload: body[1:]}, headerBytes + n, frameOK
}

func decodeHardState(p []byte) (raftimpl.HardState, error) {
	if len(p) != hardStateBytes {
		return raftimpl.HardState{}, fmt.Errorf("hard state of %d bytes", len(p))
	}
	return raftimpl.HardState{
		Term:   raftimpl.Term(binary.LittleEndian.Uint64(p)),
		Vote:   raftimpl.NodeID(binary.LittleEndian.Uint64(p[8:])),
		Commit: raftimpl.LogIndex(binary.LittleEndian.Uint64(p[16:])),
	}, nil
}

// decodeEntry decodes an entry; its Data aliases p.
func decodeEntry(p []byte) (raftimpl.Entry, error) {
	if len(p) < entryFixedBytes {
		return raftimpl.Entry{}, fmt.Errorf("entry of %d bytes", len(p))
	}
	e := raftimpl.Entry{
		Term:  raftimpl.Term(binary.LittleEndian.Uint64(p)),
		Index: raftimpl.LogIndex(binary.LittleEndian.Uint64(p[8:])),
		Type:  raftimpl.EntryType(p[16]),
	}
	if len(p) > 17 {
		e.Data = p[17:]
	}
	if e.Index == 0 || e.Type > raftimpl.EntryConfChange {
		return raftimpl.Entry{}, fmt.Errorf("entry index %v type %v", e.Index, e.Type)
	}
	return e, nil
}

func decodeSnapMarker(p []byte) (raftimpl.SnapshotMetadata, error) {
	if len(p) != snapMarkerBytes {
		return raftimpl.SnapshotMetadata{}, fmt.Errorf("snapshot marker of %d bytes", len(p))
	}
	return raftimpl.SnapshotMetadata{
		Index: raftimpl.LogIndex(binary.LittleEndian.Uint64(p)),
		Term:  raftimpl.Term(binary.LittleEndian.Uint64(p[8:])),
	}, nil
}

func decodeSnapshot(p []byte) (raftimpl.Snapshot, error) {
	var s raftimpl.Snapshot
	if len(p) < 16 {
		return s, fmt.Errorf("snapshot of %d bytes", len(p))
	}
	s.Metadata.Index = raftimpl.LogIndex(binary.LittleEndian.Uint64(p))
	s.Metadata.Term = raftimpl.Term(binary.LittleEndian.Uint64(p[8:]))
	p = p[16:]
	for k := range 2 {
		if len(p) < 4 {
			return s, fmt.Errorf("snapshot member list truncated")
		}
		n := int(binary.LittleEndian.Uint32(p))
		p = p[4:]
		if n > len(p)/8 {
			return s, fmt.Errorf("snapshot member count %d too large", n)
		}
		var ids []raftimpl.NodeID
		if n > 0 {
			ids = make([]raftimpl.NodeID, n)
		}
		for i := range ids {
			ids[i] = raftimpl.NodeID(binary.LittleEndian.Uint64(p[8*i:]))
		}
		p = p[8*n:]
		if k == 0 {
			s.Metadata.ConfState.Voters = ids
		} else {
			s.Metadata.ConfState.Learners = ids
		}
	}
	s.Data = append([]byte(nil), p...)
	return s, nil
}
