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

// Colors of annotations by kind (CSS), chosen to read on a white page.
var annotationColors = [...]struct{ text, background string }{
	AnnotationNote:   {"#333333", "#eeeeee"},
	AnnotationFault:  {"#ffffff", "#c62828"},
	AnnotationHeal:   {"#ffffff", "#2e7d32"},
	AnnotationLeader: {"#ffffff", "#1565c0"},
}

// collectVisualization draws from full, the verbose info of every
// partition (a verbose rerun when nil, if budget is left), and attaches
// the annotations as rows tagged with their node.
func collectVisualization(h History, p prepared, full *porcupine.LinearizationInfo,
	dl deadline) *visualization {
	if full == nil {
		full = verboseRun(p, dl)
	}
	if full == nil {
		return nil
	}
	v := &visualization{model: p.model, info: *full}
	v.info.AddAnnotations(porcupineAnnotations(h.Annotations))
	return v
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
// history, with the annotations as extra rows. It returns
// ErrNoVisualization unless the check ran with Options.Visualize and had
// budget left for it.
func (r *Result) WriteHTML(w io.Writer) error {
	if r.vis == nil {
		return ErrNoVisualization
	}
	if err := porcupine.Visualize(r.vis.model, r.vis.info, w); err != nil {
		return fmt.Errorf("linearizability: visualize: %w", err)
	}
	return nil
}
