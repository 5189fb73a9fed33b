package linearizability

import (
	"fmt"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Anomaly names an explanation can give.
const (
	AnomalyStaleRead     = "stale read"
	AnomalyLostWrite     = "lost write"
	AnomalyFutureRead    = "read from the future"
	AnomalyPhantomRead   = "phantom read"
	AnomalyStaleCAS      = "cas on stale value"
	AnomalySpuriousFail  = "spurious cas failure"
	AnomalyDuplicateRev  = "duplicate revision"
	AnomalyRevRegression = "revision regression"
	AnomalyUnexplained   = "unexplained revision"
	AnomalyInconsistent  = "inconsistent read"
)

// classify names the anomaly at part[blocker], which could not follow the
// longest prefix, whose final state is st. It returns "" when no rule
// fits.
func classify(kind ModelKind, part []porcupine.Operation, blocker int, st any) (string, string) {
	if kind == ModelEtcd {
		return classifyEtcd(part, blocker, st.(*etcdState))
	}
	return classifyKV(part, blocker, st.(kvState))
}

// classifyKV names per-key anomalies from the values read and written.
func classifyKV(part []porcupine.Operation, blocker int, st kvState) (string, string) {
	op := part[blocker]
	in := op.Input.(KVInput)
	out := op.Output.(KVOutput)
	switch {
	case in.Kind == KVCAS && out.OK:
		return AnomalyStaleCAS, fmt.Sprintf("cas expected %q but the key held %s",
			in.Expected, describeKVState(st))
	case in.Kind == KVCAS:
		return AnomalySpuriousFail, fmt.Sprintf("cas failed though the key held %q", in.Expected)
	case in.Kind == KVGet && out.Found:
		return classifyFoundRead(part, blocker, out.Value)
	case in.Kind == KVGet:
		return classifyMissingRead(part, blocker)
	}
	return "", ""
}

func describeKVState(st kvState) string {
	switch {
	case !st.exists:
		return "nothing"
	case st.unread:
		return "a value no read returned"
	}
	return fmt.Sprintf("%q", st.value)
}

// writesValue reports whether op may have set the key to v: a put or an
// applied cas of v, or an append of v's tail (the last append of the
// value a read returned).
func writesValue(op porcupine.Operation, v string) bool {
	in := op.Input.(KVInput)
	out, ok := op.Output.(KVOutput)
	switch in.Kind {
	case KVPut:
		return in.Value == v
	case KVCAS:
		return in.Value == v && (!ok || out.OK)
	case KVAppend:
		return in.Value != "" && strings.HasSuffix(v, in.Value)
	}
	return false
}

// isWrite reports whether op changes the key (a cas only if it applied).
func isWrite(op porcupine.Operation) bool {
	in := op.Input.(KVInput)
	out, ok := op.Output.(KVOutput)
	return in.Kind == KVPut || in.Kind == KVAppend || in.Kind == KVDelete ||
		(in.Kind == KVCAS && (!ok || out.OK))
}

// classifyFoundRead: who could have written the value the read returned?
func classifyFoundRead(part []porcupine.Operation, blocker int, v string) (string, string) {
	r := part[blocker]
	var writers []porcupine.Operation
	for _, op := range part {
		if writesValue(op, v) {
			writers = append(writers, op)
		}
	}
	if len(writers) == 0 {
		return AnomalyPhantomRead, fmt.Sprintf("read %q, which no operation wrote", v)
	}
	future := true
	for _, w := range writers {
		future = future && w.Call > r.Return
	}
	if future {
		return AnomalyFutureRead, fmt.Sprintf("read %q before its write was called", v)
	}
	for _, w := range writers {
		for _, o := range part {
			overwrote := isWrite(o) && !writesValue(o, v) && o.Call > w.Return
			if overwrote && o.Return < r.Call {
				return AnomalyStaleRead, fmt.Sprintf("read %q after %v had overwritten it",
					v, o.Metadata.(opMeta).id)
			}
		}
	}
	return AnomalyInconsistent, fmt.Sprintf("read %q, which fits no order of the writes", v)
}

// classifyMissingRead: a read found nothing although a write had finished.
func classifyMissingRead(part []porcupine.Operation, blocker int) (string, string) {
	r := part[blocker]
	var done *porcupine.Operation
	for i, op := range part {
		in := op.Input.(KVInput)
		if in.Kind == KVDelete {
			return "", ""
		}
		if isWrite(op) && op.Return < r.Call && done == nil {
			done = &part[i]
		}
	}
	if done == nil {
		return "", ""
	}
	id := done.Metadata.(opMeta).id
	v := done.Input.(KVInput).Value
	for _, op := range part {
		out, ok := op.Output.(KVOutput)
		if ok && op.Input.(KVInput).Kind == KVGet && out.Found && out.Value == v && op.Call > r.Return {
			return AnomalyStaleRead, fmt.Sprintf("read nothing after %v wrote %q, seen later", id, v)
		}
	}
	return AnomalyLostWrite, fmt.Sprintf("%v wrote %q and returned, then a read found nothing", id, v)
}

// classifyEtcd names anomalies from the revisions responses report.
func classifyEtcd(part []porcupine.Operation, blocker int, st *etcdState) (string, string) {
	op := part[blocker]
	got := op.Output.(EtcdResponse)
	if got.Err != nil {
		return "", ""
	}
	if a, d := duplicateRevision(part, blocker); a != "" {
		return a, d
	}
	for _, o := range part {
		prev, ok := o.Output.(EtcdResponse)
		if ok && prev.Err == nil && o.Return < op.Call && prev.Revision > got.Revision {
			id := o.Metadata.(opMeta).id
			if isReadOnly(op.Input) {
				return AnomalyStaleRead, fmt.Sprintf("read at %v after %v had seen %v",
					got.Revision, id, prev.Revision)
			}
			return AnomalyRevRegression, fmt.Sprintf("wrote %v after %v had seen %v",
				got.Revision, id, prev.Revision)
		}
	}
	if a, d := missedWrite(part, blocker); a != "" {
		return a, d
	}
	exp, _ := stepEtcd(st, op.Input.(EtcdRequest))
	if exp.Err == nil && got.Revision > exp.Revision {
		return AnomalyUnexplained, fmt.Sprintf("response at %v, but the history explains only %v",
			got.Revision, exp.Revision)
	}
	if isReadOnly(op.Input) {
		return AnomalyInconsistent, fmt.Sprintf("read at %v differs from the store at %v",
			got.Revision, exp.Revision)
	}
	return "", ""
}

// duplicateRevision finds another write acknowledged with the blocker's
// revision: two writes cannot both have created it.
func duplicateRevision(part []porcupine.Operation, blocker int) (string, string) {
	op := part[blocker]
	if isReadOnly(op.Input) {
		return "", ""
	}
	got := op.Output.(EtcdResponse)
	for i, o := range part {
		other, ok := o.Output.(EtcdResponse)
		if i == blocker || !ok || other.Err != nil || isReadOnly(o.Input) {
			continue
		}
		if other.Revision == got.Revision && createsRevision(o.Input.(EtcdRequest), &other) {
			return AnomalyDuplicateRev, fmt.Sprintf("%v and %v both report %v",
				op.Metadata.(opMeta).id, o.Metadata.(opMeta).id, got.Revision)
		}
	}
	return "", ""
}

// createsRevision reports whether a successful response proves its
// request wrote something (a put, a delete that deleted).
func createsRevision(req EtcdRequest, resp *EtcdResponse) bool {
	switch {
	case req.Put != nil:
		return true
	case req.DeleteRange != nil:
		return resp.DeleteRange != nil && resp.DeleteRange.Deleted > 0
	}
	return false
}

// missedWrite finds a read at revision h that returned a key with a mod
// revision older than an acknowledged put to it at w <= h: no delete or
// later put explains that, so the store lost the put.
func missedWrite(part []porcupine.Operation, blocker int) (string, string) {
	req := part[blocker].Input.(EtcdRequest)
	got := part[blocker].Output.(EtcdResponse)
	if req.Range == nil || got.Range == nil || req.Range.Revision != 0 {
		return "", ""
	}
	seen := make(map[string]Revision, len(got.Range.Kvs))
	for _, kv := range got.Range.Kvs {
		seen[string(kv.Key)] = Revision(kv.ModRevision)
	}
	for _, o := range part {
		w, ok1 := o.Input.(EtcdRequest)
		resp, ok2 := o.Output.(EtcdResponse)
		if !ok1 || !ok2 || w.Put == nil || resp.Err != nil {
			continue
		}
		mod, read := seen[string(w.Put.Key)]
		if read && mod < resp.Revision && resp.Revision <= got.Revision {
			return AnomalyLostWrite, fmt.Sprintf("read at %v shows %q from %v, missing %v's put at %v",
				got.Revision, w.Put.Key, mod, o.Metadata.(opMeta).id, resp.Revision)
		}
	}
	return "", ""
}
