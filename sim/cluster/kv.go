package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"etcdsim/linearizability"
)

// command is what a client's write becomes in the Raft log: the operation
// and who asked for it. (client, seq) identifies it for deduplication.
type command struct {
	client uint64
	seq    uint64
	op     linearizability.KVInput
}

// errBadCommand is returned when a log entry or snapshot does not decode.
var errBadCommand = errors.New("cluster: malformed command")

func (c *command) marshal() []byte {
	buf := make([]byte, 0, 24+len(c.op.Key)+len(c.op.Value)+len(c.op.Expected))
	buf = binary.AppendUvarint(buf, c.client)
	buf = binary.AppendUvarint(buf, c.seq)
	buf = append(buf, byte(c.op.Kind))
	for _, s := range []string{c.op.Key, c.op.Value, c.op.Expected} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	return buf
}

// decoder reads the fields marshal wrote, remembering the first error. It
// moves an offset instead of reslicing, so that decoding writes no
// pointers (each such write costs a GC write barrier while marking).
type decoder struct {
	buf []byte
	// all is the whole input as one string: decoded strings are slices of
	// it, one allocation per command instead of one per field.
	all string
	off int
	err error
}

func newDecoder(data []byte) decoder { return decoder{buf: data, all: string(data)} }

// rest is how many bytes are left to decode.
func (d *decoder) rest() int { return len(d.buf) - d.off }

func (d *decoder) uvarint() uint64 {
	if d.off < len(d.buf) && d.buf[d.off] < 0x80 { // one byte: most lengths and ids
		d.off++
		return uint64(d.buf[d.off-1])
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(d.rest()) {
		d.fail()
		return ""
	}
	at := d.off
	d.off += int(n)
	return d.all[at:d.off]
}

func (d *decoder) byte() byte {
	if d.rest() == 0 {
		d.fail()
		return 0
	}
	d.off++
	return d.buf[d.off-1]
}

// fail records a malformed input and stops further reads from advancing.
func (d *decoder) fail() {
	if d.err == nil {
		d.err = errBadCommand
	}
	d.off = len(d.buf)
}

func unmarshalCommand(data []byte) (command, error) {
	d := newDecoder(data)
	c := command{client: d.uvarint(), seq: d.uvarint()}
	c.op.Kind = linearizability.KVKind(d.byte())
	c.op.Key, c.op.Value, c.op.Expected = d.string(), d.string(), d.string()
	if d.err == nil && d.rest() != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes", errBadCommand, d.rest())
	}
	if d.err == nil && (c.op.Kind < linearizability.KVPut || c.op.Kind > linearizability.KVAppend) {
		d.err = fmt.Errorf("%w: kind %d is not a write", errBadCommand, c.op.Kind)
	}
	return c, d.err
}

// kvStore is the replicated state machine of the Raft proof: a map of
// strings with per-client sessions, so that a command applied twice (a
// duplicated proposal) takes effect once.
type kvStore struct {
	data map[string]string
	// sessions maps a client to the last seq it applied. A client has at
	// most one command outstanding and numbers them in increasing order.
	sessions map[uint64]uint64
}

func newKVStore() *kvStore {
	return &kvStore{data: map[string]string{}, sessions: map[uint64]uint64{}}
}

// apply runs one command and returns its result; dup is true when the
// command was already applied (the result is then meaningless).
func (s *kvStore) apply(c command) (out linearizability.KVOutput, dup bool) {
	if last, ok := s.sessions[c.client]; ok && c.seq <= last {
		return out, true
	}
	s.sessions[c.client] = c.seq
	switch c.op.Kind {
	case linearizability.KVPut:
		s.data[c.op.Key] = c.op.Value
	case linearizability.KVDelete:
		delete(s.data, c.op.Key)
	case linearizability.KVCAS:
		if cur, found := s.data[c.op.Key]; found && cur == c.op.Expected {
			s.data[c.op.Key] = c.op.Value
			out.OK = true
		}
	case linearizability.KVAppend:
		s.data[c.op.Key] += c.op.Value
	}
	return out, false
}

// get serves a read.
func (s *kvStore) get(key string) linearizability.KVOutput {
	v, ok := s.data[key]
	return linearizability.KVOutput{Value: v, Found: ok}
}

// snapshot encodes the store with sorted keys, so equal stores give equal
// bytes.
func (s *kvStore) snapshot() []byte {
	var buf []byte
	keys := make([]string, 0, len(s.data))
	for k := range s.data { //det:ok sorted below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf = binary.AppendUvarint(buf, uint64(len(keys)))
	for _, k := range keys {
		buf = appendString(buf, k)
		buf = appendString(buf, s.data[k])
	}
	clients := make([]uint64, 0, len(s.sessions))
	for c := range s.sessions { //det:ok sorted below
		clients = append(clients, c)
	}
	sort.Slice(clients, func(i, j int) bool { return clients[i] < clients[j] })
	buf = binary.AppendUvarint(buf, uint64(len(clients)))
	for _, c := range clients {
		buf = binary.AppendUvarint(buf, c)
		buf = binary.AppendUvarint(buf, s.sessions[c])
	}
	return buf
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// restoreKVStore decodes a snapshot; an empty one is an empty store.
func restoreKVStore(data []byte) (*kvStore, error) {
	s := newKVStore()
	if len(data) == 0 {
		return s, nil
	}
	d := newDecoder(data)
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		k := d.string()
		s.data[k] = d.string()
	}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		c := d.uvarint()
		s.sessions[c] = d.uvarint()
	}
	if d.err != nil {
		return nil, fmt.Errorf("cluster: restoring snapshot: %w", d.err)
	}
	return s, nil
}
