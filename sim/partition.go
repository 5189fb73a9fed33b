package sim

import (
	"fmt"
	"sort"
	"strings"
)

// Link is a directed link between two nodes.
type Link struct{ From, To NodeID }

// String prints the link as "n1->n2".
func (l Link) String() string { return l.From.String() + "->" + l.To.String() }

// Block cuts the one-way link from -> to: messages from "from" to "to" are
// lost while replies still flow.
func (nw *Network) Block(from, to NodeID) error {
	a, b, err := nw.w.lookupPair(from, to)
	if err != nil {
		return fmt.Errorf("block: %w", err)
	}
	nw.link(a.index, b.index).blocked = true
	nw.w.record(Record{Kind: KindPartition, Node: from, Peer: to, Text: "block " + Link{from, to}.String()})
	return nil
}

// Unblock restores the one-way link from -> to.
func (nw *Network) Unblock(from, to NodeID) error {
	a, b, err := nw.w.lookupPair(from, to)
	if err != nil {
		return fmt.Errorf("unblock: %w", err)
	}
	nw.link(a.index, b.index).blocked = false
	nw.w.record(Record{Kind: KindPartition, Node: from, Peer: to, Text: "unblock " + Link{from, to}.String()})
	return nil
}

// Split blocks every link, both ways, between nodes on different sides.
// Nodes named on no side keep all their links.
func (nw *Network) Split(sides ...[]NodeID) error {
	side := map[NodeID]int{}
	for i, s := range sides {
		for _, id := range s {
			if _, err := nw.w.lookup(id); err != nil {
				return fmt.Errorf("split side %d: %w", i, err)
			}
			if j, dup := side[id]; dup {
				return fmt.Errorf("split: %s is on sides %d and %d", id, j, i)
			}
			side[id] = i
		}
	}
	for i, a := range sides {
		for j, b := range sides {
			if i != j {
				nw.blockAll(a, b)
			}
		}
	}
	nw.w.record(Record{Kind: KindPartition, Text: "split " + describeSides(sides)})
	return nil
}

// Isolate cuts node id off from every other node, both ways.
func (nw *Network) Isolate(id NodeID) error {
	if _, err := nw.w.lookup(id); err != nil {
		return fmt.Errorf("isolate: %w", err)
	}
	others := make([]NodeID, 0, len(nw.w.nodes))
	for _, st := range nw.w.nodes {
		if st.id != id {
			others = append(others, st.id)
		}
	}
	me := []NodeID{id}
	nw.blockAll(me, others)
	nw.blockAll(others, me)
	nw.w.record(Record{Kind: KindPartition, Node: id, Text: "isolate " + id.String()})
	return nil
}

// Bridge splits left from right while bridge still talks to both sides: the
// classic partition in which no side sees the other but one node sees all.
func (nw *Network) Bridge(bridge NodeID, left, right []NodeID) error {
	for _, side := range [][]NodeID{left, right} {
		for _, id := range side {
			if id == bridge {
				return fmt.Errorf("bridge: %s cannot be on a side it bridges", id)
			}
		}
	}
	if _, err := nw.w.lookup(bridge); err != nil {
		return fmt.Errorf("bridge: %w", err)
	}
	return nw.Split(left, right)
}

// Heal unblocks every link.
func (nw *Network) Heal() {
	for i := range nw.links {
		nw.links[i].blocked = false
	}
	nw.w.record(Record{Kind: KindHeal})
}

// Blocked reports whether the link from -> to is cut.
func (nw *Network) Blocked(from, to NodeID) (bool, error) {
	a, b, err := nw.w.lookupPair(from, to)
	if err != nil {
		return false, err
	}
	return nw.link(a.index, b.index).blocked, nil
}

// BlockedLinks lists every cut link, sorted by from then to.
func (nw *Network) BlockedLinks() []Link {
	var out []Link
	for _, a := range nw.w.nodes {
		for _, b := range nw.w.nodes {
			if nw.link(a.index, b.index).blocked {
				out = append(out, Link{a.id, b.id})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].To < out[j].To
	})
	return out
}

// blockAll blocks every link from a node in a to a node in b. The ids MUST
// have been looked up already.
func (nw *Network) blockAll(a, b []NodeID) {
	for _, x := range a {
		for _, y := range b {
			if x != y {
				nw.link(nw.w.byID[x].index, nw.w.byID[y].index).blocked = true
			}
		}
	}
}

func describeSides(sides [][]NodeID) string {
	parts := make([]string, len(sides))
	for i, s := range sides {
		names := make([]string, len(s))
		for j, id := range s {
			names[j] = id.String()
		}
		parts[i] = "[" + strings.Join(names, " ") + "]"
	}
	return strings.Join(parts, " | ")
}
