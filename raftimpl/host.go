package raftimpl

// Host is what runs a Node: it persists, sends and applies what each Ready
// holds. HandleReady calls its methods in the order Raft's safety needs,
// so that a host cannot get the order wrong (sending before persisting is
// the planted bug reply-before-fsync, not something a host may do).
type Host interface {
	// Persist makes rd's Snapshot (if any), Entries and HardState durable,
	// with an fsync when rd.MustSync. It returns only once they are.
	Persist(rd *Ready) error
	// Send hands the messages to the network. Called AFTER Persist
	// returned. The slice is the node's: copy what is kept.
	Send(msgs []Message)
	// Apply installs rd's Snapshot (if any), then applies its committed
	// entries in order, and takes its SoftState and ReadStates.
	Apply(rd *Ready) error
}

// HandleReady drains one Ready through h: Persist, Send, Apply, then
// Advance. It reports whether there was a Ready to handle. On an error
// the Ready is not advanced: the host has failed and MUST stop using the
// node.
func (n *Node) HandleReady(h Host) (bool, error) {
	if !n.HasReady() {
		return false, nil
	}
	// The Ready lives in the node, so that handing it to h by pointer
	// allocates nothing.
	n.handling = n.Ready()
	rd := &n.handling
	if err := h.Persist(rd); err != nil {
		return true, err
	}
	h.Send(rd.Messages)
	if err := h.Apply(rd); err != nil {
		return true, err
	}
	n.Advance(*rd)
	n.handling = Ready{}
	return true, nil
}
