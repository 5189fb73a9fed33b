package raftimpl

import "slices"

// tracker holds the configuration and the leader's per-member progress
// (etcd's tracker.ProgressTracker, for a single majority configuration).
type tracker struct {
	// voters and learners are sorted and disjoint; ids is their union,
	// sorted, so that every loop over members is deterministic.
	voters   []NodeID
	learners []NodeID
	ids      []NodeID
	// prs[i] is the progress of ids[i], voterPrs[i] that of voters[i]:
	// a cluster has a handful of members, and the leader reads them on
	// every acknowledgement, so slices beat a map.
	prs      []*Progress
	voterPrs []*Progress
	// votes records granted (true) or rejected (false) votes this term.
	votes map[NodeID]bool
	// matchBuf is scratch space for committed, to avoid allocating.
	matchBuf []LogIndex
}

func newTracker(cs ConfState) tracker {
	t := tracker{votes: map[NodeID]bool{}}
	t.setConf(cs)
	return t
}

// setConf installs a configuration, keeping the progress of members that
// stay and creating progress for new ones (Next set by the caller).
func (t *tracker) setConf(cs ConfState) {
	t.voters = slices.Sorted(slices.Values(cs.Voters))
	t.learners = slices.Sorted(slices.Values(cs.Learners))
	oldIDs, oldPrs := t.ids, t.prs
	t.ids = slices.Sorted(slices.Values(append(slices.Clone(t.voters), t.learners...)))
	t.prs = make([]*Progress, len(t.ids))
	for i, id := range t.ids {
		if k := slices.Index(oldIDs, id); k >= 0 {
			t.prs[i] = oldPrs[k]
		} else {
			t.prs[i] = &Progress{Next: 1}
		}
		t.prs[i].IsLearner = slices.Contains(t.learners, id)
	}
	t.voterPrs = t.voterPrs[:0]
	for _, id := range t.voters {
		t.voterPrs = append(t.voterPrs, t.progress(id))
	}
}

// progress returns member id's progress, or nil if id is not a member.
func (t *tracker) progress(id NodeID) *Progress {
	for i, m := range t.ids {
		if m == id {
			return t.prs[i]
		}
	}
	return nil
}

func (t *tracker) conf() ConfState {
	return ConfState{Voters: slices.Clone(t.voters), Learners: slices.Clone(t.learners)}
}

func (t *tracker) isVoter(id NodeID) bool { return slices.Contains(t.voters, id) }

func (t *tracker) isMember(id NodeID) bool { return t.progress(id) != nil }

// quorum is the majority size of the voters: floor(n/2)+1.
func (t *tracker) quorum() int { return len(t.voters)/2 + 1 }

// committed returns the largest index replicated on a majority of voters:
// sort the voters' match indexes and take the quorum-th largest (paper
// §5.3). The caller applies the current-term rule (§5.4.2).
func (t *tracker) committed() LogIndex {
	if len(t.voters) == 0 {
		return 0
	}
	buf := t.matchBuf[:0]
	for _, pr := range t.voterPrs {
		buf = append(buf, pr.Match)
	}
	slices.Sort(buf)
	t.matchBuf = buf
	return buf[len(buf)-t.quorum()]
}

// voteResult is the outcome of an election so far.
type voteResult uint8

const (
	votePending voteResult = iota
	voteWon
	voteLost
)

func (t *tracker) resetVotes() { clear(t.votes) }

// recordVote notes id's answer; the first answer per member counts.
func (t *tracker) recordVote(id NodeID, granted bool) {
	if _, ok := t.votes[id]; !ok {
		t.votes[id] = granted
	}
}

// tallyVotes counts the voters' answers and decides the election.
func (t *tracker) tallyVotes() (granted, rejected int, result voteResult) {
	for _, id := range t.voters {
		v, ok := t.votes[id]
		switch {
		case !ok:
		case v:
			granted++
		default:
			rejected++
		}
	}
	switch q := t.quorum(); {
	case granted >= q:
		result = voteWon
	case len(t.voters)-rejected < q:
		result = voteLost
	}
	return granted, rejected, result
}

// quorumActive reports whether a majority of voters (counting self) was
// recently active.
func (t *tracker) quorumActive(self NodeID) bool {
	active := 0
	for i, id := range t.voters {
		if id == self || t.voterPrs[i].RecentActive {
			active++
		}
	}
	return active >= t.quorum()
}
