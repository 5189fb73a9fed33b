package cluster

import (
	"bytes"
	"errors"
	"fmt"

	"etcdsim/mvcc"
	"etcdsim/raftimpl"
)

// mvccMachine is the state machine of an etcd member: an mvcc store, which
// holds the key-value history, the leases and the watchers. Commands are
// mvcc requests in mvcc's log encoding. It is the only file in which the
// member's Ready loop meets the store.
type mvccMachine struct {
	store *mvcc.Store
}

// Backends a member's store may use (Config.Backend).
const (
	// BackendMem keeps the store in memory: a crash loses it, and the
	// member restores it from its latest Raft snapshot and the log.
	BackendMem = "mem"
	// BackendBolt keeps it in a bbolt file, as etcd does: a crash loses
	// only the batch not yet committed, and the member replays the log
	// from the store's consistent index on.
	BackendBolt = "bbolt"
)

// newMVCCMachine opens a store on the in-memory backend (path "") or in
// the bbolt file at path, as it was left. bbolt's fsync is skipped: a
// simulated crash is Abandon, which drops the uncommitted batch either
// way (mvcc.Config.BoltNoSync).
func newMVCCMachine(cfg mvcc.Config, path string) (*mvccMachine, error) {
	if path == "" {
		s, err := mvcc.OpenMem(cfg)
		if err != nil {
			return nil, err
		}
		return &mvccMachine{store: s}, nil
	}
	cfg.BoltNoSync = true
	s, err := mvcc.OpenBolt(path, cfg)
	if err != nil {
		return nil, err
	}
	return &mvccMachine{store: s}, nil
}

func (m *mvccMachine) apply(index raftimpl.LogIndex, payload []byte) any {
	req, err := mvcc.DecodeRequest(payload)
	if err != nil {
		// Requests are encoded by members that validated them, and the WAL
		// checks every record: an entry that does not decode is a bug.
		panic(fmt.Sprintf("cluster: entry %v does not decode: %v", index, err))
	}
	resp, ok := m.store.Apply(uint64(index), req)
	if !ok {
		failf("store skipped entry %v (consistent index %v)", index, m.store.ConsistentIndex())
	}
	return resp
}

func (m *mvccMachine) skip(index raftimpl.LogIndex) {
	if _, ok := m.store.Apply(uint64(index), nil); !ok {
		failf("store skipped entry %v (consistent index %v)", index, m.store.ConsistentIndex())
	}
}

func (m *mvccMachine) appliedIndex() raftimpl.LogIndex {
	return raftimpl.LogIndex(m.store.ConsistentIndex())
}

func (m *mvccMachine) snapshot() ([]byte, error) {
	// The snapshot lets the log behind it go, so what it holds must be
	// durable first, as etcd commits its backend before it snapshots.
	if err := m.store.Commit(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.store.Snapshot(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (m *mvccMachine) restore(data []byte) error {
	return m.store.Restore(bytes.NewReader(data))
}

func (m *mvccMachine) crash() {
	if err := m.store.Abandon(); err != nil && !errors.Is(err, mvcc.ErrClosed) {
		panic(fmt.Sprintf("cluster: abandoning the store: %v", err))
	}
}

// close closes the store cleanly at the end of a run.
func (m *mvccMachine) close() error {
	if err := m.store.Close(); err != nil && !errors.Is(err, mvcc.ErrClosed) {
		return err
	}
	return nil
}
