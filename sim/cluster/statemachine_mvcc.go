package cluster

import (
	"bytes"
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

// newMVCCMachine opens an empty store on the in-memory backend.
func newMVCCMachine(cfg mvcc.Config) (*mvccMachine, error) {
	s, err := mvcc.OpenMem(cfg)
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
	if err := m.store.Abandon(); err != nil {
		panic(fmt.Sprintf("cluster: abandoning the store: %v", err))
	}
}
