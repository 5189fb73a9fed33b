package etcdcompare

// Canonical, comparable text forms of responses and errors. Both sides'
// answers are rendered with the same functions; equal text means equal
// answers. ClusterId, MemberId and RaftTerm are cluster-layer fields that
// mvcc does not fill and are left out.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"etcdsim/mvcc/etcdapi"
)

// errorNames maps each etcd gRPC error that mvcc can return to the
// etcdapi sentinel of the same meaning, under one canonical name.
var errorNames = []struct {
	name string
	grpc error
	api  *etcdapi.Error
}{
	{"EmptyKey", rpctypes.ErrGRPCEmptyKey, etcdapi.ErrEmptyKey},
	{"KeyNotFound", rpctypes.ErrGRPCKeyNotFound, etcdapi.ErrKeyNotFound},
	{"ValueProvided", rpctypes.ErrGRPCValueProvided, etcdapi.ErrValueProvided},
	{"LeaseProvided", rpctypes.ErrGRPCLeaseProvided, etcdapi.ErrLeaseProvided},
	{"InvalidSortOption", rpctypes.ErrGRPCInvalidSortOption, etcdapi.ErrInvalidSortOption},
	{"DuplicateKey", rpctypes.ErrGRPCDuplicateKey, etcdapi.ErrDuplicateKey},
	{"TooManyOps", rpctypes.ErrGRPCTooManyOps, etcdapi.ErrTooManyOps},
	{"RequestTooLarge", rpctypes.ErrGRPCRequestTooLarge, etcdapi.ErrRequestTooLarge},
	{"Compacted", rpctypes.ErrGRPCCompacted, etcdapi.ErrCompacted},
	{"FutureRev", rpctypes.ErrGRPCFutureRev, etcdapi.ErrFutureRev},
	{"NoSpace", rpctypes.ErrGRPCNoSpace, etcdapi.ErrNoSpace},
	{"LeaseNotFound", rpctypes.ErrGRPCLeaseNotFound, etcdapi.ErrLeaseNotFound},
	{"LeaseExist", rpctypes.ErrGRPCLeaseExist, etcdapi.ErrLeaseExist},
	{"LeaseTTLTooLarge", rpctypes.ErrGRPCLeaseTTLTooLarge, etcdapi.ErrLeaseTTLTooLarge},
}

// TestErrorsMatchEtcd holds each etcdapi sentinel mvcc returns to etcd's
// own error: the same gRPC code and the same text, so that a client of
// etcdsim sees what a client of etcd would (of the release this module is
// built with).
func TestErrorsMatchEtcd(t *testing.T) {
	for _, e := range errorNames {
		st := status.Convert(e.grpc)
		if got, want := codes.Code(e.api.Code), st.Code(); got != want {
			t.Errorf("%s: etcdapi code %v, etcd %v", e.name, got, want)
		}
		if got, want := e.api.Desc, st.Message(); got != want {
			t.Errorf("%s: etcdapi text %q, etcd %q", e.name, got, want)
		}
		if got := etcdapi.ErrorFromDesc(st.Message()); got != e.api {
			t.Errorf("%s: ErrorFromDesc(%q) = %v", e.name, st.Message(), got)
		}
	}
}

// etcdErrorName is the canonical name of an error from etcd's gRPC API.
func etcdErrorName(err error) string {
	st := status.Convert(err)
	for _, e := range errorNames {
		want := status.Convert(e.grpc)
		if st.Code() == want.Code() && st.Message() == want.Message() {
			return "error " + e.name
		}
	}
	return fmt.Sprintf("error unknown-etcd(code=%v desc=%q)", st.Code(), st.Message())
}

// mvccErrorName is the canonical name of an error from the mvcc store.
func mvccErrorName(err error) string {
	for _, e := range errorNames {
		if errors.Is(err, e.api) {
			return "error " + e.name
		}
	}
	return fmt.Sprintf("error unknown-mvcc(%v)", err)
}

// printer accumulates indented lines.
type printer struct {
	b      strings.Builder
	indent int
}

func (p *printer) line(format string, args ...any) {
	p.b.WriteString(strings.Repeat("  ", p.indent))
	fmt.Fprintf(&p.b, format, args...)
	p.b.WriteByte('\n')
}

func header(h *pb.ResponseHeader) string {
	if h == nil {
		return "header=nil"
	}
	return fmt.Sprintf("rev=%d", h.Revision)
}

func kvText(kv *mvccpb.KeyValue) string {
	if kv == nil {
		return "nil"
	}
	// nil and empty bytes are the same on the wire.
	return fmt.Sprintf("{key=%q value=%q create=%d mod=%d version=%d lease=%d}",
		kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease)
}

func (p *printer) kvs(name string, kvs []*mvccpb.KeyValue) {
	for i, kv := range kvs {
		p.line("%s[%d] %s", name, i, kvText(kv))
	}
}

func (p *printer) rangeResp(r *pb.RangeResponse) {
	p.line("range %s count=%d more=%v kvs=%d", header(r.Header), r.Count, r.More, len(r.Kvs))
	p.indent++
	p.kvs("kv", r.Kvs)
	p.indent--
}

func (p *printer) putResp(r *pb.PutResponse) {
	p.line("put %s prev_kv=%s", header(r.Header), kvText(r.PrevKv))
}

func (p *printer) deleteResp(r *pb.DeleteRangeResponse) {
	p.line("delete %s deleted=%d prev_kvs=%d", header(r.Header), r.Deleted, len(r.PrevKvs))
	p.indent++
	p.kvs("prev", r.PrevKvs)
	p.indent--
}

func (p *printer) txnResp(r *pb.TxnResponse) {
	p.line("txn %s succeeded=%v responses=%d", header(r.Header), r.Succeeded, len(r.Responses))
	p.indent++
	for i, op := range r.Responses {
		p.line("[%d]", i)
		p.indent++
		switch {
		case op == nil:
			p.line("nil")
		case op.GetResponseRange() != nil:
			p.rangeResp(op.GetResponseRange())
		case op.GetResponsePut() != nil:
			p.putResp(op.GetResponsePut())
		case op.GetResponseDeleteRange() != nil:
			p.deleteResp(op.GetResponseDeleteRange())
		case op.GetResponseTxn() != nil:
			p.txnResp(op.GetResponseTxn())
		default:
			p.line("empty response op")
		}
		p.indent--
	}
	p.indent--
}

// canonical renders a response (an etcdserverpb response message) or an
// error as comparable text.
func canonical(resp any) string {
	p := &printer{}
	switch r := resp.(type) {
	case *pb.RangeResponse:
		p.rangeResp(r)
	case *pb.PutResponse:
		p.putResp(r)
	case *pb.DeleteRangeResponse:
		p.deleteResp(r)
	case *pb.TxnResponse:
		p.txnResp(r)
	case *pb.CompactionResponse:
		p.line("compact %s", header(r.Header))
	case *pb.LeaseGrantResponse:
		p.line("lease_grant %s id=%d ttl=%d error=%q", header(r.Header), r.ID, r.TTL, r.Error)
	case *pb.LeaseRevokeResponse:
		p.line("lease_revoke %s", header(r.Header))
	case *pb.LeaseTimeToLiveResponse:
		// Not modeled (mvcc/doc.go): a non-primary mvcc store answers its
		// own "forever" remaining time where etcd counts down the wall
		// clock; only "still alive" (> 0) or a missing lease's -1 compare.
		ttl := fmt.Sprint(r.TTL)
		if r.TTL > 0 {
			ttl = ">0"
		}
		// etcd lists a lease's keys in map order; mvcc sorts them.
		keys := make([]string, 0, len(r.Keys))
		for _, k := range r.Keys {
			keys = append(keys, fmt.Sprintf("%q", k))
		}
		slices.Sort(keys)
		p.line("lease_time_to_live %s id=%d ttl=%s granted_ttl=%d keys=[%s]",
			header(r.Header), r.ID, ttl, r.GrantedTTL, strings.Join(keys, " "))
	case *pb.LeaseLeasesResponse:
		// Not modeled (mvcc/doc.go): LeaseLeases lists by ID in mvcc, by
		// expiry in etcd; compare the sets.
		ids := make([]int64, 0, len(r.Leases))
		for _, l := range r.Leases {
			ids = append(ids, l.ID)
		}
		slices.Sort(ids)
		p.line("lease_leases %s ids=%v", header(r.Header), ids)
	case string: // an error's canonical name
		p.line("%s", r)
	default:
		p.line("unexpected response %T", resp)
	}
	return p.b.String()
}
