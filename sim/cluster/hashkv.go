package cluster

import (
	"fmt"
	"strings"
)

// CheckHashKV is etcd's corruption check at the end of a run: every
// running member's HashKV at one revision (the lowest current revision
// among them) must agree. It runs only when that revision is at or above
// every member's compaction revision; ok is false when it could not run
// (fewer than two running members, or a compaction past a lagging
// member's revision). divergent wraps ErrDivergentMembers. It MUST be
// called AFTER the world stops.
func (c *Cluster) CheckHashKV() (divergent error, ok bool) {
	var ms []*member
	rev, compacted := int64(-1), int64(-1)
	for _, id := range c.memberIDs {
		m := c.running(id)
		if m == nil {
			continue
		}
		ms = append(ms, m)
		if r := m.kv.store.Rev(); rev < 0 || r < rev {
			rev = r
		}
		compacted = max(compacted, m.kv.store.CompactRev())
	}
	if len(ms) < 2 || rev < compacted {
		return nil, false
	}
	var lines []string
	var first uint32
	for i, m := range ms {
		resp, err := m.kv.store.HashKV(rev)
		if err != nil {
			failf("HashKV(%d) on %s: %v", rev, m.p.ID(), err)
		}
		lines = append(lines, fmt.Sprintf("%s %08x", m.p.ID(), resp.Hash))
		if i == 0 {
			first = resp.Hash
		} else if resp.Hash != first {
			divergent = ErrDivergentMembers
		}
	}
	if divergent != nil {
		return fmt.Errorf("%w: HashKV at revision %d: %s", divergent, rev,
			strings.Join(lines, ", ")), true
	}
	return nil, true
}
