package mvcc_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"etcdsim/mvcc"
	"etcdsim/mvcc/etcdapi"
)

// TestScenarios runs the lessons in testdata/mvcc/*.txt on the memory
// backend. Regenerate the expected output with -rewrite and read the diff.
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "../testdata/mvcc", func(t *testing.T, path string) {
		s, err := mvcc.OpenMem(mvcc.Config{})
		require.NoError(t, err)
		sc := &scenario{s: s, streams: map[string]*mvcc.WatchStream{}}
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			out, err := sc.run(t, td)
			if err != nil {
				return "error: " + err.Error() + "\n"
			}
			return out
		})
	})
}

type scenario struct {
	s       *mvcc.Store
	streams map[string]*mvcc.WatchStream
}

// args reads a command's key=value arguments; a bare flag maps to "".
func args(td *datadriven.TestData) map[string]string {
	m := map[string]string{}
	for _, a := range td.CmdArgs {
		v := ""
		if len(a.Vals) > 0 {
			v = a.Vals[0]
		}
		m[a.Key] = v
	}
	return m
}

func num(m map[string]string, k string) int64 {
	n, _ := strconv.ParseInt(m[k], 10, 64)
	return n
}

// end maps the scenario's range end: absent, "+" for every key from key on,
// or a key.
func end(m map[string]string) []byte {
	e, ok := m["end"]
	switch {
	case !ok:
		return nil
	case e == "+":
		return []byte{0}
	}
	return []byte(e)
}

func (sc *scenario) run(t *testing.T, td *datadriven.TestData) (string, error) {
	a := args(td)
	switch td.Cmd {
	case "put":
		r, err := sc.s.Put(&etcdapi.PutRequest{Key: []byte(a["key"]), Value: []byte(a["value"]),
			Lease: num(a, "lease"), PrevKv: has(a, "prev_kv"), IgnoreValue: has(a, "ignore_value")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("rev=%d\n", r.Header.Revision) + prefixKV("prev: ", r.PrevKv), nil
	case "get":
		return sc.get(a)
	case "del":
		r, err := sc.s.DeleteRange(&etcdapi.DeleteRangeRequest{Key: []byte(a["key"]),
			RangeEnd: end(a), PrevKv: has(a, "prev_kv")})
		if err != nil {
			return "", err
		}
		out := fmt.Sprintf("rev=%d deleted=%d\n", r.Header.Revision, r.Deleted)
		for _, kv := range r.PrevKvs {
			out += prefixKV("prev: ", kv)
		}
		return out, nil
	case "compact":
		r, err := sc.s.Compact(&etcdapi.CompactionRequest{Revision: num(a, "rev")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("rev=%d compacted=%d\n", r.Header.Revision, sc.s.CompactRev()), nil
	case "txn":
		return sc.txn(td.Input)
	}
	return sc.runWatchOrLease(t, td.Cmd, a)
}

func has(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func describeKV(kv *etcdapi.KeyValue) string {
	s := fmt.Sprintf("%s=%s create=%d mod=%d ver=%d", kv.Key, kv.Value, kv.CreateRevision,
		kv.ModRevision, kv.Version)
	if kv.Lease != 0 {
		s += fmt.Sprintf(" lease=%d", kv.Lease)
	}
	return s
}

func prefixKV(prefix string, kv *etcdapi.KeyValue) string {
	if kv == nil {
		return ""
	}
	return prefix + describeKV(kv) + "\n"
}

var sortOrders = map[string]etcdapi.RangeRequest_SortOrder{"": 0, "none": 0, "ascend": 1,
	"descend": 2, "bogus": 9}
var sortTargets = map[string]etcdapi.RangeRequest_SortTarget{"": 0, "key": 0, "version": 1,
	"create": 2, "mod": 3, "value": 4}

func (sc *scenario) get(a map[string]string) (string, error) {
	r, err := sc.s.Range(&etcdapi.RangeRequest{Key: []byte(a["key"]), RangeEnd: end(a),
		Revision: num(a, "rev"), Limit: num(a, "limit"),
		SortOrder: sortOrders[a["sort"]], SortTarget: sortTargets[a["target"]],
		KeysOnly: has(a, "keys_only"), CountOnly: has(a, "count_only"),
		MinModRevision: num(a, "min_mod"), MaxModRevision: num(a, "max_mod"),
		MinCreateRevision: num(a, "min_create"), MaxCreateRevision: num(a, "max_create")})
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf("rev=%d count=%d more=%v\n", r.Header.Revision, r.Count, r.More)
	for _, kv := range r.Kvs {
		out += describeKV(kv) + "\n"
	}
	return out, nil
}
