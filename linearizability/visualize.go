package linearizability

import (
	"fmt"
	"io"

	"github.com/anishathalye/porcupine"
)

// visualization is what WriteHTML renders.
type visualization struct {
	model porcupine.Model
	info  porcupine.LinearizationInfo
}

// visualizeOpsMax bounds the operations drawn. porcupine keeps a copy of
// the set of operations linearized at every step of its search, memory
// that grows with the square of a partition's length (gigabytes for a
// partition of 100,000), and a page of that many operations is more than a
// browser draws anyway.
const visualizeOpsMax = 50_000

// Colors of annotations by kind (CSS), chosen to read on a white page.
var annotationColors = [...]struct{ text, background string }{
	AnnotationNote:   {"#333333", "#eeeeee"},
	AnnotationFault:  {"#ffffff", "#c62828"},
	AnnotationHeal:   {"#ffffff", "#2e7d32"},
	AnnotationLeader: {"#ffffff", "#1565c0"},
}

// collectVisualization draws the linearizations the searches found and
// attaches the annotations as rows tagged with their node. porcupine
// draws what its own search finds, so it runs on a guided model that
// allows only the order our search found in each partition: it follows
// that order at once, and the drawing shows it (for a failing partition,
// the longest linearizable prefix).
func collectVisualization(h History, p prepared, found []searchResult) (*visualization, error) {
	if len(h.Ops) > visualizeOpsMax {
		return nil, fmt.Errorf("%w: %d operations, more than the %d a drawing holds",
			ErrNoVisualization, len(h.Ops), visualizeOpsMax)
	}
	g := guide{model: p.model, orders: make([][]int, len(p.parts))}
	parts := make([][]porcupine.Operation, len(p.parts))
	for i, part := range p.parts {
		g.orders[i] = found[i].order
		parts[i] = make([]porcupine.Operation, len(part))
		for j, op := range plain(part) {
			op.Input = guidedInput{part: i, op: j, input: op.Input}
			parts[i][j] = op
		}
	}
	m := g.porcupineModel()
	m.Partition = func([]porcupine.Operation) [][]porcupine.Operation { return parts }
	_, info := porcupine.CheckOperationsVerbose(m, nil, 0)
	info.AddAnnotations(porcupineAnnotations(h.Annotations))
	return &visualization{model: m, info: info}, nil
}

// guide wraps a model so that each partition may only follow its order.
type guide struct {
	model  porcupine.Model
	orders [][]int
}

// guidedInput is an operation's input tagged with where it is.
type guidedInput struct {
	part, op int
	input    any
}

// guidedState is the wrapped model's state and how far along the order
// it is (part is -1 before the first step).
type guidedState struct {
	part, pos int
	state     any
}

func (g guide) porcupineModel() porcupine.Model {
	m := g.model
	equal := m.Equal
	if equal == nil {
		equal = func(a, b any) bool { return a == b }
	}
	return porcupine.Model{
		Init: func() any { return guidedState{part: -1, state: m.Init()} },
		Step: func(state, input, output any) (bool, any) {
			st, in := state.(guidedState), input.(guidedInput)
			order := g.orders[in.part]
			if st.pos >= len(order) || order[st.pos] != in.op {
				return false, state
			}
			ok, next := m.Step(st.state, in.input, output)
			return ok, guidedState{part: in.part, pos: st.pos + 1, state: next}
		},
		Equal: func(a, b any) bool {
			x, y := a.(guidedState), b.(guidedState)
			return x.pos == y.pos && x.part == y.part && equal(x.state, y.state)
		},
		Hash: func(state any) uint64 {
			return hashInt(hashSeed, int64(state.(guidedState).pos))
		},
		DescribeOperation: func(input, output any) string {
			return m.DescribeOperation(input.(guidedInput).input, output)
		},
		DescribeState: func(state any) string {
			return m.DescribeState(state.(guidedState).state)
		},
		DescribeOperationMetadata: m.DescribeOperationMetadata,
	}
}

// porcupineAnnotations converts annotations: one row per node (or
// "cluster"), colored by kind.
func porcupineAnnotations(anns []Annotation) []porcupine.Annotation {
	out := make([]porcupine.Annotation, 0, len(anns))
	for _, a := range anns {
		tag := a.Node
		if tag == "" {
			tag = "cluster"
		}
		c := annotationColors[AnnotationNote]
		if int(a.Kind) < len(annotationColors) {
			c = annotationColors[a.Kind]
		}
		out = append(out, porcupine.Annotation{
			Tag:             tag,
			Start:           int64(a.Start),
			End:             int64(max(a.End, a.Start)),
			Description:     a.Text,
			Details:         fmt.Sprintf("%v on %s at %v..%v", a.Kind, tag, a.Start, a.End),
			TextColor:       c.text,
			BackgroundColor: c.background,
		})
	}
	return out
}

// WriteHTML writes porcupine's interactive visualization of the checked
// history (the linearization the check found, or for a failing partition
// its longest linearizable prefix), with the annotations as extra rows.
// It returns ErrNoVisualization unless the check ran with
// Options.Visualize on a history of at most 50,000 operations.
func (r *Result) WriteHTML(w io.Writer) error {
	if r.visErr != nil {
		return r.visErr
	}
	if r.vis == nil {
		return ErrNoVisualization
	}
	if err := porcupine.Visualize(r.vis.model, r.vis.info, w); err != nil {
		return fmt.Errorf("linearizability: visualize: %w", err)
	}
	return nil
}
