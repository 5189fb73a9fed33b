package sim

import "fmt"

// Holding messages lets a scripted test decide, one message at a time, what
// the network does: list what is in flight, then drop or release each.

// SetHold makes the network keep every message it would deliver (true), or
// deliver them normally again (false). Messages already held stay held.
func (nw *Network) SetHold(on bool) {
	nw.hold = on
	nw.w.record(Record{Kind: KindNetwork, Text: fmt.Sprintf("hold %v", on)})
}

// Held returns the held messages in the order they were sent. The slice is
// a copy; payloads are shared.
func (nw *Network) Held() []HeldMessage {
	return append([]HeldMessage(nil), nw.held...)
}

// Release delivers the held message id at the current time (after any
// event already due now). It is lost if its node crashed since it was sent.
func (nw *Network) Release(id uint64) error {
	i, err := nw.findHeld(id)
	if err != nil {
		return err
	}
	m := nw.held[i]
	nw.held = append(nw.held[:i], nw.held[i+1:]...)
	nw.w.record(Record{Kind: KindRelease, Node: m.From, Peer: m.To, MsgID: m.ID, Size: m.Size})
	nw.w.q.push(nw.w.now, &event{kind: evDeliver, live: true, node: m.to, inc: m.inc,
		from: m.from, msgID: m.ID, size: m.Size, payload: m.Payload})
	return nil
}

// ReleaseAll releases every held message, oldest first.
func (nw *Network) ReleaseAll() {
	for len(nw.held) > 0 {
		_ = nw.Release(nw.held[0].ID)
	}
}

// DropHeld loses the held message id.
func (nw *Network) DropHeld(id uint64) error {
	i, err := nw.findHeld(id)
	if err != nil {
		return err
	}
	m := nw.held[i]
	nw.held = append(nw.held[:i], nw.held[i+1:]...)
	nw.dropped(m.To, m.From, m.ID, m.Size, "held")
	return nil
}

func (nw *Network) findHeld(id uint64) (int, error) {
	for i := range nw.held {
		if nw.held[i].ID == id {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: message #%d", ErrNoSuchMessage, id)
}

// forgetHeldTo drops held messages addressed to the node at index, which
// just crashed: messages in flight to a crashed node are gone.
func (nw *Network) forgetHeldTo(index int32) {
	kept := nw.held[:0]
	for _, m := range nw.held {
		if m.to == index {
			nw.dropped(m.To, m.From, m.ID, m.Size, "crashed")
			continue
		}
		kept = append(kept, m)
	}
	nw.held = kept
}
