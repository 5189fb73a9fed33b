package mvcc_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

var compareTargets = map[string]etcdapi.Compare_CompareTarget{"version": 0, "create": 1, "mod": 2,
	"value": 3, "lease": 4}
var compareResults = map[string]etcdapi.Compare_CompareResult{"=": 0, ">": 1, "<": 2, "!=": 3}

// txn parses lines "if <target>(<key>) <op> <value>", then
// "then|else put <k> <v>", "then|else del <k> [end]", "then|else get <k>".
func (sc *scenario) txn(input string) (string, error) {
	req := &etcdapi.TxnRequest{}
	for _, line := range strings.Split(strings.TrimSpace(input), "\n") {
		f := strings.Fields(line)
		if f[0] == "if" {
			target, key, _ := strings.Cut(strings.TrimSuffix(f[1], ")"), "(")
			c := &etcdapi.Compare{Key: []byte(key), Target: compareTargets[target],
				Result: compareResults[f[2]]}
			n, _ := strconv.ParseInt(f[3], 10, 64)
			c.Version, c.CreateRevision, c.ModRevision, c.Lease, c.Value = n, n, n, n, []byte(f[3])
			req.Compare = append(req.Compare, c)
			continue
		}
		op := &etcdapi.RequestOp{}
		f = append(f, "", "", "") // a bare "then" is an empty op
		switch f[1] {
		case "put":
			op.RequestPut = &etcdapi.PutRequest{Key: []byte(f[2]), Value: []byte(f[3])}
		case "del":
			op.RequestDeleteRange = &etcdapi.DeleteRangeRequest{Key: []byte(f[2])}
			if f[3] != "" {
				op.RequestDeleteRange.RangeEnd = []byte(f[3])
			}
		case "get":
			op.RequestRange = &etcdapi.RangeRequest{Key: []byte(f[2])}
		}
		if f[0] == "then" {
			req.Success = append(req.Success, op)
		} else {
			req.Failure = append(req.Failure, op)
		}
	}
	r, err := sc.s.Txn(req)
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf("rev=%d succeeded=%v\n", r.Header.Revision, r.Succeeded)
	for _, op := range r.Responses {
		switch {
		case op.ResponsePut != nil:
			out += fmt.Sprintf("  put rev=%d\n", op.ResponsePut.Header.Revision)
		case op.ResponseDeleteRange != nil:
			out += fmt.Sprintf("  del rev=%d deleted=%d\n",
				op.ResponseDeleteRange.Header.Revision, op.ResponseDeleteRange.Deleted)
		case op.ResponseRange != nil:
			out += fmt.Sprintf("  get rev=%d count=%d\n", op.ResponseRange.Header.Revision,
				op.ResponseRange.Count)
			for _, kv := range op.ResponseRange.Kvs {
				out += "    " + describeKV(kv) + "\n"
			}
		}
	}
	return out, nil
}

func (sc *scenario) stream(a map[string]string) *mvcc.WatchStream {
	name := a["stream"]
	if sc.streams[name] == nil {
		sc.streams[name] = sc.s.NewWatchStream()
	}
	return sc.streams[name]
}

func (sc *scenario) runWatchOrLease(t *testing.T, cmd string, a map[string]string) (string, error) {
	switch cmd {
	case "watch":
		req := &etcdapi.WatchCreateRequest{Key: []byte(a["key"]), RangeEnd: end(a),
			StartRevision: num(a, "start"),
			PrevKv:        has(a, "prev_kv"), WatchId: num(a, "id")}
		if has(a, "noput") {
			req.Filters = append(req.Filters, etcdapi.WatchCreateRequest_NOPUT)
		}
		if has(a, "nodelete") {
			req.Filters = append(req.Filters, etcdapi.WatchCreateRequest_NODELETE)
		}
		id, err := sc.stream(a).Watch(req)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("watch id=%d\n", id), nil
	case "poll":
		return strings.Join(describe(sc.stream(a).Poll(int(num(a, "max")))), "\n") + "\n", nil
	case "cancel":
		return "ok\n", sc.stream(a).Cancel(mvcc.WatchID(num(a, "id")))
	case "progress":
		sc.stream(a).RequestProgress()
		return "ok\n", nil
	case "marks":
		return fmt.Sprintf("%v\n", sc.s.Marks()), nil
	}
	return sc.runLease(t, cmd, a)
}

func (sc *scenario) runLease(t *testing.T, cmd string, a map[string]string) (string, error) {
	switch cmd {
	case "lease-grant":
		r, err := sc.s.LeaseGrant(&etcdapi.LeaseGrantRequest{ID: num(a, "id"), TTL: num(a, "ttl")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("lease id=%d ttl=%d\n", r.ID, r.TTL), nil
	case "lease-revoke":
		r, err := sc.s.LeaseRevoke(&etcdapi.LeaseRevokeRequest{ID: num(a, "id")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("rev=%d\n", r.Header.Revision), nil
	case "lease-ttl":
		req := &etcdapi.LeaseTimeToLiveRequest{ID: num(a, "id"), Keys: true}
		r, err := sc.s.LeaseTimeToLive(req)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ttl=%d granted=%d keys=%q\n", r.TTL, r.GrantedTTL, r.Keys), nil
	case "keepalive":
		r, err := sc.s.LeaseKeepAlive(&etcdapi.LeaseKeepAliveRequest{ID: num(a, "id")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ttl=%d\n", r.TTL), nil
	case "promote":
		sc.s.Promote(mvcc.Time(num(a, "extend")) * second)
		return "ok\n", nil
	case "time":
		sc.s.SetTime(mvcc.Time(num(a, "sec")) * second)
		return fmt.Sprintf("expired=%v\n", sc.s.ExpiredLeases()), nil
	}
	t.Fatalf("unknown command %q", cmd)
	return "", nil
}
