package raftimpl

// The leader lease of the Raft thesis, §6.4.1, for ReadOnlyLeaseBounded.
//
// A follower that hears from the leader ignores vote requests for an
// election timeout (inLease), measured on its own clock. So once a quorum
// has acknowledged a heartbeat the leader sent at time start, no other
// leader can be elected before start plus an election timeout: every
// quorum that elects one holds a member that acknowledged. The leader
// counts that span on its own clock, divided by the drift bound, and
// serves reads locally until it ends.
//
// Ticks make the count coarse, and the bound below takes both ends into
// account. A follower's timer is reset by the heartbeat and may tick right
// after it, so it waits at least electionTicks-1 of its ticks. The leader
// reads its tick counter k ticks after the round's tick; less than k+1 of
// its ticks have passed. With every clock's rate within (1-d, 1+d) of true
// time, the lease is safe while
//
//	(k+1)/(1-d) <= (electionTicks-1)/(1+d)
//
// so it holds for k below leaseTicks = floor((electionTicks-1)(1-d)/(1+d)).
// With etcd's 10 ticks and d = 10% that is 7: the leader serves locally for
// 7 of its ticks after each acknowledged round. A heartbeat every tick
// renews it; a leader cut off from its quorum stops after 7 ticks, while
// the others elect a new leader no earlier than 9 after hearing from it.
//
// A restarted member forgot whom it heard from, and inLease would let it
// vote at once for a candidate, within a lease it acknowledged before the
// crash. So with this option a member ignores votes for an election
// timeout after it starts (voteWait), as if it had just heard from a
// leader. Leadership transfer ends the lease: the target campaigns at once
// (campaignTransfer skips inLease), so a leader transferring serves no
// lease read.

// leaseRoundsMax bounds the heartbeat rounds a leader tracks. Rounds older
// than an election timeout cannot extend the lease, and a leader sends at
// most one round per tick plus one per batch of reads.
const leaseRoundsMax = 64

// leaseRound is one heartbeat round the leader sent.
type leaseRound struct {
	round uint64
	// tick is the leader's lease clock when the round was sent.
	tick int64
	// acks lists the voters that acknowledged, the leader included.
	acks []NodeID
}

// lease is a leader's lease state.
type lease struct {
	// tick counts the leader's ticks since it became leader.
	tick int64
	// expiry is the first tick at which the lease no longer holds.
	// Invariant: expiry <= tick + leaseTicks.
	expiry int64
	// next numbers the next heartbeat round (0 means none).
	next   uint64
	rounds [leaseRoundsMax]leaseRound
}

// leaseTicks is how many of its own ticks after an acknowledged round a
// leader may serve lease reads.
func (r *raft) leaseTicks() int64 {
	e := int64(r.cfg.ElectionTicks - 1)
	d := int64(r.cfg.LeaseDriftPPM)
	return e * (1_000_000 - d) / (1_000_000 + d)
}

// resetLease forgets the lease (a new term, a new role).
func (r *raft) resetLease() {
	r.lease.tick, r.lease.expiry, r.lease.next = 0, 0, 1
	for i := range r.lease.rounds {
		r.lease.rounds[i].round = 0
	}
}

// leaseHeld reports whether the leader may serve a read without a
// heartbeat round.
func (r *raft) leaseHeld() bool {
	return r.cfg.ReadOnlyOption == ReadOnlyLeaseBounded && r.role == RoleLeader &&
		r.leadTransferee == None && r.lease.tick < r.lease.expiry
}

// startLeaseRound numbers a heartbeat round about to be sent, or returns
// 0 when lease-bounded reads are off.
func (r *raft) startLeaseRound() uint64 {
	if r.cfg.ReadOnlyOption != ReadOnlyLeaseBounded {
		return 0
	}
	n := r.lease.next
	r.lease.next++
	rd := &r.lease.rounds[n%leaseRoundsMax]
	rd.round, rd.tick = n, r.lease.tick
	rd.acks = append(rd.acks[:0], r.id)
	return n
}

// ackLeaseRound counts a heartbeat response for its round; once a quorum
// of voters has acknowledged, the lease extends to the round's tick plus
// leaseTicks.
func (r *raft) ackLeaseRound(from NodeID, round uint64) {
	rd := &r.lease.rounds[round%leaseRoundsMax]
	if round == 0 || rd.round != round || !r.trk.isVoter(from) {
		return // not ours, or overwritten by a newer round
	}
	for _, id := range rd.acks {
		if id == from {
			return // a duplicate
		}
	}
	rd.acks = append(rd.acks, from)
	if len(rd.acks) < r.trk.quorum() {
		return
	}
	if until := rd.tick + r.leaseTicks(); until > r.lease.expiry {
		r.lease.expiry = until
		r.mark(markLeaseExtended)
	}
	if r.lease.expiry > r.lease.tick+r.leaseTicks() {
		panicf("lease expiry %d beyond tick %d plus %d", r.lease.expiry, r.lease.tick, r.leaseTicks())
	}
}
