package raftimpl

import (
	"fmt"
	"strings"
	"unicode"
)

// DescribeEntry renders an entry as "term/index payload", the format every
// trace uses: a leader's empty entry prints as "<noop>", a conf change as
// "conf(add 4)".
func DescribeEntry(e Entry) string {
	var payload string
	switch {
	case e.Type == EntryConfChange:
		cc, err := UnmarshalConfChange(e.Data)
		if err != nil {
			payload = fmt.Sprintf("conf(%v)", err)
		} else {
			payload = "conf(" + cc.String() + ")"
		}
	case len(e.Data) == 0:
		payload = "<noop>"
	default:
		payload = describeData(e.Data)
	}
	return fmt.Sprintf("%v/%v %s", e.Term, e.Index, payload)
}

// describeData prints printable data as is and anything else quoted.
func describeData(b []byte) string {
	s := string(b)
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) || r == ' ' }) >= 0 {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// DescribeEntries renders entries comma-separated.
func DescribeEntries(ents []Entry) string {
	parts := make([]string, len(ents))
	for i, e := range ents {
		parts[i] = DescribeEntry(e)
	}
	return strings.Join(parts, ", ")
}

// DescribeMessage renders a message on one line, sender and receiver first,
// printing only the fields its type uses.
func DescribeMessage(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v->%v %v Term:%v", m.From, m.To, m.Type, m.Term)
	switch m.Type {
	case MsgApp, MsgVote, MsgPreVote:
		fmt.Fprintf(&b, " Log:%v/%v", m.LogTerm, m.Index)
	case MsgAppResp, MsgReadIndexResp:
		fmt.Fprintf(&b, " Index:%v", m.Index)
	}
	if m.Reject {
		b.WriteString(" Rejected")
		if m.Type == MsgAppResp {
			fmt.Fprintf(&b, " (Hint: %v/%v)", m.LogTerm, m.RejectHint)
		}
	}
	if m.Commit != 0 || m.Type == MsgApp || m.Type == MsgHeartbeat {
		fmt.Fprintf(&b, " Commit:%v", m.Commit)
	}
	if len(m.Entries) > 0 {
		fmt.Fprintf(&b, " Entries:[%s]", DescribeEntries(m.Entries))
	}
	if m.Snapshot != nil && !m.Snapshot.IsEmpty() {
		md := m.Snapshot.Metadata
		fmt.Fprintf(&b, " Snapshot: Index:%v Term:%v Voters:%v", md.Index, md.Term,
			md.ConfState.Voters)
		if len(md.ConfState.Learners) > 0 {
			fmt.Fprintf(&b, " Learners:%v", md.ConfState.Learners)
		}
	}
	if m.Round != 0 {
		fmt.Fprintf(&b, " Round:%d", m.Round)
	}
	if len(m.Context) > 0 {
		fmt.Fprintf(&b, " Context:%s", describeData(m.Context))
	}
	return b.String()
}

// DescribeHardState renders a hard state.
func DescribeHardState(hs HardState) string {
	return fmt.Sprintf("Term:%v Vote:%v Commit:%v", hs.Term, hs.Vote, hs.Commit)
}

// DescribeReady renders what a Ready asks of the host, one section per
// non-empty field, in the order the host handles them.
func DescribeReady(rd Ready) string {
	var b strings.Builder
	if rd.SoftState != nil {
		fmt.Fprintf(&b, "Lead:%v Role:%v\n", rd.SoftState.Lead, rd.SoftState.Role)
	}
	if !rd.HardState.IsEmpty() {
		fmt.Fprintf(&b, "HardState %s\n", DescribeHardState(rd.HardState))
	}
	if !rd.Snapshot.IsEmpty() {
		fmt.Fprintf(&b, "Snapshot Index:%v Term:%v\n", rd.Snapshot.Metadata.Index,
			rd.Snapshot.Metadata.Term)
	}
	if len(rd.Entries) > 0 {
		fmt.Fprintf(&b, "Entries: %s\n", DescribeEntries(rd.Entries))
	}
	if rd.MustSync {
		b.WriteString("MustSync\n")
	}
	if len(rd.Messages) > 0 {
		b.WriteString("Messages:\n")
		for _, m := range rd.Messages {
			fmt.Fprintf(&b, "  %s\n", DescribeMessage(m))
		}
	}
	if len(rd.CommittedEntries) > 0 {
		fmt.Fprintf(&b, "CommittedEntries: %s\n", DescribeEntries(rd.CommittedEntries))
	}
	for _, rs := range rd.ReadStates {
		fmt.Fprintf(&b, "ReadState Index:%v Context:%s\n", rs.Index, describeData(rs.RequestCtx))
	}
	return b.String()
}
