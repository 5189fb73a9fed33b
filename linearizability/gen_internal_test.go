package linearizability

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"etcdsim/mvcc/etcdapi"
)

// genConfig describes a random, linearizable history: clients issue
// operations one after another; each takes effect at a random point
// inside its interval, in the order of those points.
type genConfig struct {
	seed    uint64
	clients int
	ops     int
	keys    int
	// unknownPct is the percentage of writes whose response is lost; half
	// of those never take effect.
	unknownPct int
	// watch adds a watcher of every key from revision 2, with PrevKv and
	// progress notifications, fed with the true events.
	watch bool
	// tokenized writes appends as "," and a token, as the simulator's
	// clients do (genKV).
	tokenized bool
}

// genOp is an operation before its output is known.
type genOp struct {
	op    Operation
	point Time // when it takes effect
	lost  bool // indeterminate and never applied
}

// genTimes lays out cfg.ops operations over the clients.
func genTimes(cfg genConfig, rng *rand.Rand) []genOp {
	now := make([]Time, cfg.clients)
	ops := make([]genOp, cfg.ops)
	for i := range ops {
		c := rng.IntN(cfg.clients)
		call := now[c] + Time(rng.IntN(50))
		point := call + 1 + Time(rng.IntN(100))
		ret := point + 1 + Time(rng.IntN(100))
		now[c] = ret
		op := Operation{ID: OpID(i), Client: ClientID(c), Call: call, Return: ret}
		ops[i] = genOp{op: op, point: point}
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].point < ops[j].point })
	return ops
}

// genKV builds a per-key history of gets, puts, cas and appends.
func genKV(cfg genConfig) History {
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	ops := genTimes(cfg, rng)
	state := make(map[string]kvState)
	var h History
	for i := range ops {
		g := &ops[i]
		key := fmt.Sprintf("k%d", rng.IntN(cfg.keys))
		in := KVInput{Key: key, Value: fmt.Sprintf("v%d", i)}
		switch r := rng.IntN(20); {
		case r < 9:
			in.Kind = KVGet
		case r < 15:
			in.Kind = KVPut
		case r < 16:
			in.Kind, in.Value = KVDelete, ""
		case r < 18:
			in.Kind = KVCAS
			in.Expected = state[key].value
			if rng.IntN(2) == 0 {
				in.Expected = "nope"
			}
		default:
			in.Kind = KVAppend
			if cfg.tokenized {
				in.Value = "," + in.Value
			}
		}
		ok, next := stepKV(state[key], in, nil)
		if !ok {
			panic("generator: kv step failed")
		}
		cur := state[key]
		out := KVOutput{Value: cur.value, Found: cur.exists,
			OK: in.Kind == KVCAS && cur.exists && cur.value == in.Expected}
		g.op.Input, g.op.Output = in, out
		if in.Kind != KVGet && rng.IntN(100) < cfg.unknownPct {
			g.op.Unknown, g.op.Output = true, nil
		}
		state[key] = next
		h.Ops = append(h.Ops, g.op)
	}
	return h
}

// genEtcd builds an etcd history of ranges, puts, deletes and txns.
func genEtcd(cfg genConfig) History {
	rng := rand.New(rand.NewPCG(cfg.seed, 2))
	ops := genTimes(cfg, rng)
	st := initialEtcdState
	var h History
	for i := range ops {
		g := &ops[i]
		req := genEtcdRequest(rng, cfg.keys, i, st)
		resp, next := stepEtcd(st, req)
		g.op.Input, g.op.Output = req, resp
		if !isReadOnly(req) && rng.IntN(100) < cfg.unknownPct {
			g.op.Unknown, g.op.Output = true, nil
			g.lost = rng.IntN(2) == 0
		}
		if cfg.watch && !g.lost {
			genWatch(&h, rng, g.point, st, next)
		}
		if !g.lost {
			st = next
		}
		h.Ops = append(h.Ops, g.op)
	}
	return h
}

// genWatch delivers the events from st to next to the history's watcher.
func genWatch(h *History, rng *rand.Rand, at Time, st, next *etcdState) {
	if len(h.Watches) == 0 {
		h.Watches = []WatchStream{{Request: &etcdapi.WatchCreateRequest{Key: []byte("k"),
			RangeEnd: []byte("l"), StartRevision: 2, PrevKv: true}}}
	}
	ws := &h.Watches[0]
	header := &etcdapi.ResponseHeader{Revision: int64(next.rev)}
	if next.rev > st.rev {
		ws.Responses = append(ws.Responses, WatchDelivery{Time: at,
			Response: &etcdapi.WatchResponse{Header: header, Events: diffEvents(st, next)}})
	}
	if rng.IntN(10) == 0 {
		ws.Responses = append(ws.Responses, WatchDelivery{Time: at,
			Response: &etcdapi.WatchResponse{Header: header}})
	}
}

// genEtcdRequest picks a request; txns guard on the key's mod revision.
func genEtcdRequest(rng *rand.Rand, keys, i int, st *etcdState) EtcdRequest {
	key := []byte(fmt.Sprintf("k%d", rng.IntN(keys)))
	val := []byte(fmt.Sprintf("v%d", i))
	switch r := rng.IntN(20); {
	case r < 9:
		return EtcdRequest{Range: &etcdapi.RangeRequest{Key: key}}
	case r < 10:
		return EtcdRequest{Range: &etcdapi.RangeRequest{Key: []byte("k"), RangeEnd: []byte("l")}}
	case r < 16:
		return EtcdRequest{Put: &etcdapi.PutRequest{Key: key, Value: val}}
	case r < 17:
		return EtcdRequest{DeleteRange: &etcdapi.DeleteRangeRequest{Key: key}}
	default:
		mod := int64(0)
		if kvs, _ := st.rangeAt(nil, key, nil, st.rev, 0); len(kvs) > 0 && rng.IntN(3) > 0 {
			mod = kvs[0].ModRevision
		}
		return EtcdRequest{Txn: &etcdapi.TxnRequest{
			Compare: []*etcdapi.Compare{{Key: key, Target: etcdapi.Compare_MOD, ModRevision: mod}},
			Success: []*etcdapi.RequestOp{{RequestPut: &etcdapi.PutRequest{Key: key, Value: val}}},
			Failure: []*etcdapi.RequestOp{{RequestRange: &etcdapi.RangeRequest{Key: key}}},
		}}
	}
}
