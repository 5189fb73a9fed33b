package linearizability

import (
	"fmt"
	"strings"

	"etcdsim/mvcc/etcdapi"
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
		return fmt.Sprintf("lease-grant(%v)", leaseID(req.LeaseGrant.ID))
	case req.LeaseRevoke != nil:
		return fmt.Sprintf("lease-revoke(%v)", leaseID(req.LeaseRevoke.ID))
	case req.Compact != nil:
		return fmt.Sprintf("compact(%v)", Revision(req.Compact.Revision))
	}
	return "empty-request"
}

func describeKeys(key, end []byte) string {
	switch {
	case len(end) == 0:
		return fmt.Sprintf("%q", key)
	case len(end) == 1 && end[0] == 0:
		return fmt.Sprintf("%q..", key)
	}
	return fmt.Sprintf("%q..%q", key, end)
}

var (
	sortOrderNames  = [...]string{"none", "asc", "desc"}
	sortTargetNames = [...]string{"key", "version", "create", "mod", "value"}
)

// describeRange prints a range with the options it sets, in the order of
// RangeRequest's fields, e.g. range("a".. @r3 limit 2 sort mod desc).
func describeRange(r *etcdapi.RangeRequest) string {
	s := "range(" + describeKeys(r.Key, r.RangeEnd)
	if r.Revision > 0 {
		s += " @" + Revision(r.Revision).String()
	}
	if r.Limit > 0 {
		s += fmt.Sprintf(" limit %d", r.Limit)
	}
	if r.SortOrder != etcdapi.RangeRequest_NONE || r.SortTarget != etcdapi.RangeRequest_KEY {
		s += fmt.Sprintf(" sort %s %s", enumName(sortTargetNames[:], int32(r.SortTarget)),
			enumName(sortOrderNames[:], int32(r.SortOrder)))
	}
	if r.KeysOnly {
		s += " keys-only"
	}
	if r.CountOnly {
		s += " count-only"
	}
	for _, f := range [...]struct {
		name string
		rev  int64
	}{
		{" mod>=", r.MinModRevision}, {" mod<=", r.MaxModRevision},
		{" create>=", r.MinCreateRevision}, {" create<=", r.MaxCreateRevision},
	} {
		if f.rev != 0 {
			s += f.name + Revision(f.rev).String()
		}
	}
	return s + ")"
}

func describePut(p *etcdapi.PutRequest) string {
	if p.Lease != 0 {
		return fmt.Sprintf("put(%q, %q, %v)", p.Key, p.Value, leaseID(p.Lease))
	}
	return fmt.Sprintf("put(%q, %q)", p.Key, p.Value)
}

func describeTxn(t *etcdapi.TxnRequest) string {
	var b strings.Builder
	b.WriteString("txn(if")
	for _, c := range t.Compare {
		b.WriteString(" " + describeCompare(c))
	}
	b.WriteString(" then")
	for _, op := range t.Success {
		b.WriteString(" " + describeOp(op))
	}
	b.WriteString(" else")
	for _, op := range t.Failure {
		b.WriteString(" " + describeOp(op))
	}
	return b.String() + ")"
}

func describeOp(op *etcdapi.RequestOp) string {
	if op.RequestTxn != nil {
		return describeTxn(op.RequestTxn)
	}
	return EtcdRequest{Range: op.RequestRange, Put: op.RequestPut,
		DeleteRange: op.RequestDeleteRange}.String()
}

var (
	compareTargetNames = [...]string{"version", "create", "mod", "value", "lease"}
	compareResultNames = [...]string{"=", ">", "<", "!="}
)

func describeCompare(c *etcdapi.Compare) string {
	var v string
	switch c.Target {
	case etcdapi.Compare_VALUE:
		v = fmt.Sprintf("%q", c.Value)
	case etcdapi.Compare_VERSION:
		v = fmt.Sprint(c.Version)
	case etcdapi.Compare_CREATE:
		v = Revision(c.CreateRevision).String()
	case etcdapi.Compare_MOD:
		v = Revision(c.ModRevision).String()
	default:
		v = leaseID(c.Lease).String()
	}
	return fmt.Sprintf("%s(%s)%s%s", enumName(compareTargetNames[:], int32(c.Target)),
		describeKeys(c.Key, c.RangeEnd), enumName(compareResultNames[:], int32(c.Result)), v)
}

// enumName returns names[i], or the number for a value out of range.
func enumName(names []string, i int32) string {
	if i >= 0 && int(i) < len(names) {
		return names[i]
	}
	return fmt.Sprintf("?%d", i)
}

func describeKeyValue(kv *etcdapi.KeyValue) string {
	s := fmt.Sprintf("%q=%q c%d m%d v%d",
		kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version)
	if kv.Lease != 0 {
		s += " " + leaseID(kv.Lease).String()
	}
	return s
}

// describeResponse prints a response compactly for the visualization.
func describeResponse(resp *EtcdResponse) string {
	if resp == nil {
		return "?"
	}
	if resp.Err != nil {
		return errorName(resp.Err)
	}
	s := resp.Revision.String()
	switch {
	case resp.Range != nil:
		s += " " + describeKVs(resp.Range.Kvs)
	case resp.DeleteRange != nil:
		s += fmt.Sprintf(" deleted %d", resp.DeleteRange.Deleted)
	case resp.Txn != nil:
		s += fmt.Sprintf(" succeeded=%t", resp.Txn.Succeeded)
		for _, r := range resp.Txn.Responses {
			if r != nil && r.ResponseRange != nil {
				s += " " + describeKVs(r.ResponseRange.Kvs)
			}
		}
	}
	return s
}

func describeKVs(kvs []*etcdapi.KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = describeKeyValue(kv)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
