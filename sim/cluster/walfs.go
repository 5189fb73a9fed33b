package cluster

import (
	"etcdsim/raftimpl/wal"
	"etcdsim/sim"
)

// walDir lets the WAL write to a node's simulated disk. The only work is
// converting *sim.File to wal.File: Go has no covariant return types.
type walDir struct{ d *sim.Disk }

func (w walDir) Open(name string) (wal.File, error) {
	f, err := w.d.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (w walDir) Remove(name string) error     { return w.d.Remove(name) }
func (w walDir) Rename(from, to string) error { return w.d.Rename(from, to) }
func (w walDir) List() []string               { return w.d.List() }
