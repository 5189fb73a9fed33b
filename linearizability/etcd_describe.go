package linearizability

import (
	"fmt"
	"strings"
)

// String prints the request in etcdctl-like words.
func (req EtcdRequest) String() string {
	switch {
	case req.Range != nil:
		return describeRange(req.Range)
	case req.Put != nil:
		return describePut(req.Put)
	case req.DeleteRange != nil:
		return "delete(" + describeKeys(req.DeleteRange.Key, req.DeleteRange.RangeEnd) + ")"
	case req.Txn != nil:
		return describeTxn(req.Txn)
	case req.LeaseGrant != nil:
		return fmt.Sprintf("lease-grant(%v)", req.LeaseGrant.ID)
	case req.LeaseRevoke != nil:
		return fmt.Sprintf("lease-revoke(%v)", req.LeaseRevoke.ID)
	case req.Compact != nil:
		return fmt.Sprintf("compact(%v)", req.Compact.Revision)
	}
	return "empty-request"
}

func describeKeys(key, end string) string {
	switch end {
	case "":
		return fmt.Sprintf("%q", key)
	case "\x00":
		return fmt.Sprintf("%q..", key)
	}
	return fmt.Sprintf("%q..%q", key, end)
}

func describeRange(r *RangeRequest) string {
	s := "range(" + describeKeys(r.Key, r.RangeEnd)
	if r.Revision > 0 {
		s += " @" + r.Revision.String()
	}
	if r.Limit > 0 {
		s += fmt.Sprintf(" limit %d", r.Limit)
	}
	return s + ")"
}

func describePut(p *PutRequest) string {
	if p.Lease != 0 {
		return fmt.Sprintf("put(%q, %q, %v)", p.Key, p.Value, p.Lease)
	}
	return fmt.Sprintf("put(%q, %q)", p.Key, p.Value)
}

func describeTxn(t *TxnRequest) string {
	var b strings.Builder
	b.WriteString("txn(if")
	for _, c := range t.Compare {
		b.WriteString(" " + describeCompare(c))
	}
	b.WriteString(" then")
	for _, op := range t.Success {
		b.WriteString(" " + describeTxnOp(op))
	}
	b.WriteString(" else")
	for _, op := range t.Failure {
		b.WriteString(" " + describeTxnOp(op))
	}
	return b.String() + ")"
}

func describeTxnOp(op TxnOp) string {
	return EtcdRequest{Range: op.Range, Put: op.Put, DeleteRange: op.DeleteRange}.String()
}

var (
	compareTargetNames = [...]string{"version", "create", "mod", "value", "lease"}
	compareResultNames = [...]string{"=", ">", "<", "!="}
)

func describeCompare(c Compare) string {
	var v string
	switch c.Target {
	case CompareValue:
		v = fmt.Sprintf("%q", c.Value)
	case CompareVersion:
		v = fmt.Sprint(c.Version)
	case CompareCreate:
		v = c.CreateRevision.String()
	case CompareMod:
		v = c.ModRevision.String()
	default:
		v = c.Lease.String()
	}
	return fmt.Sprintf("%s(%s)%s%s", compareTargetNames[c.Target%5],
		describeKeys(c.Key, c.RangeEnd), compareResultNames[c.Result%4], v)
}

func describeKeyValue(kv KeyValue) string {
	s := fmt.Sprintf("%q=%q c%d m%d v%d",
		kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version)
	if kv.Lease != 0 {
		s += " " + kv.Lease.String()
	}
	return s
}

// describeResponse prints a response compactly for the visualization.
func describeResponse(resp *EtcdResponse) string {
	if resp == nil {
		return "?"
	}
	if resp.Err != RespOK {
		return resp.Err.String()
	}
	s := resp.Revision.String()
	switch {
	case resp.Range != nil:
		s += " " + describeKVs(resp.Range.KVs)
	case resp.DeleteRange != nil:
		s += fmt.Sprintf(" deleted %d", resp.DeleteRange.Deleted)
	case resp.Txn != nil:
		s += fmt.Sprintf(" succeeded=%t", resp.Txn.Succeeded)
		for _, r := range resp.Txn.Responses {
			if r.Range != nil {
				s += " " + describeKVs(r.Range.KVs)
			}
		}
	}
	return s
}

func describeKVs(kvs []KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = describeKeyValue(kv)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
