package cluster

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
	"etcdsim/sim"
)

// probe is a client node that records the responses it gets.
type probe struct{ got []*response }

func (p *probe) Start()                        {}
func (p *probe) Fire(uint64)                   {}
func (p *probe) Receive(_ sim.NodeID, msg any) { p.got = append(p.got, msg.(*response)) }

// A member that stopped on an error (a corrupt WAL, say) answers every
// request with etcd's ErrStopped, a definite refusal the client retries
// elsewhere, instead of leaving it to time out as if its fate were unknown.
func TestStoppedMemberRefusesWithErrStopped(t *testing.T) {
	w := sim.New(1, sim.Options{})
	cfg := DefaultConfig()
	cfg.Clients, cfg.Watchers = 0, 0
	c, err := New(w, cfg)
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	p := &probe{}
	var proc *sim.Proc
	require.NoError(t, w.AddNode(900, func(pr *sim.Proc) sim.Node { proc = pr; return p }))
	require.NoError(t, w.RunFor(time.Second))
	c.members[0].stop(errors.New("test: stopped"))
	c.violation = nil // the observer's verdict is not what this test is about
	req := &request{seq: 1, attempt: 1, kv: &mvcc.Request{Range: &etcdapi.RangeRequest{Key: []byte("a")}}}
	_, err = w.Schedule(0, "send", func() { require.NoError(t, proc.Send(1, req, 32)) })
	require.NoError(t, err)
	require.NoError(t, w.RunFor(100*time.Millisecond))
	require.Len(t, p.got, 1)
	require.Equal(t, etcdapi.ErrStopped, p.got[0].err)
}
