package mvcc

import (
	"fmt"
	"strings"

	"etcdsim/mvcc/etcdapi"
)

// Describe* print one stable line per value, for traces and scenarios.

// DescribeKeyValue prints key=value with its revisions, version and lease.
func DescribeKeyValue(kv *etcdapi.KeyValue) string {
	if kv == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("%q=%q create=%d mod=%d ver=%d", kv.Key, kv.Value, kv.CreateRevision,
		kv.ModRevision, kv.Version)
	if kv.Lease != 0 {
		s += " lease=" + LeaseID(kv.Lease).String()
	}
	return s
}

// DescribeEvent prints an event's type, key and revision.
func DescribeEvent(e *etcdapi.Event) string {
	return fmt.Sprintf("%s %q@%d", e.Type, e.Kv.Key, e.Kv.ModRevision)
}

// DescribeWatchResponse prints a watch response on one line.
func DescribeWatchResponse(r *etcdapi.WatchResponse) string {
	var b strings.Builder
	fmt.Fprintf(&b, "watch=%d rev=%d", r.WatchId, r.Header.Revision)
	if r.Created {
		b.WriteString(" created")
	}
	if r.Canceled {
		b.WriteString(" canceled")
	}
	if r.CompactRevision != 0 {
		fmt.Fprintf(&b, " compact=%d", r.CompactRevision)
	}
	for _, e := range r.Events {
		b.WriteString(" " + DescribeEvent(e))
	}
	return b.String()
}

// DescribeRequest prints the operation of a log entry on one line.
func DescribeRequest(r *Request) string {
	switch {
	case r.Range != nil:
		return fmt.Sprintf("range %q..%q rev=%d limit=%d", r.Range.Key, r.Range.RangeEnd,
			r.Range.Revision, r.Range.Limit)
	case r.Put != nil:
		return fmt.Sprintf("put %q=%q lease=%d", r.Put.Key, r.Put.Value, r.Put.Lease)
	case r.DeleteRange != nil:
		return fmt.Sprintf("delete %q..%q", r.DeleteRange.Key, r.DeleteRange.RangeEnd)
	case r.Txn != nil:
		return fmt.Sprintf("txn compares=%d success=%d failure=%d", len(r.Txn.Compare),
			len(r.Txn.Success), len(r.Txn.Failure))
	case r.Compaction != nil:
		return fmt.Sprintf("compact rev=%d", r.Compaction.Revision)
	case r.LeaseGrant != nil:
		return fmt.Sprintf("lease-grant id=%d ttl=%d", r.LeaseGrant.ID, r.LeaseGrant.TTL)
	case r.LeaseRevoke != nil:
		return fmt.Sprintf("lease-revoke id=%d", r.LeaseRevoke.ID)
	case r.Alarm != nil:
		return fmt.Sprintf("alarm %v member=%d alarm=%v", r.Alarm.Action,
			r.Alarm.MemberID, r.Alarm.Alarm)
	}
	return "empty"
}
