package linearizability_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	lin "etcdsim/linearizability"
)

func TestWriteHTMLCarriesOperationsAndAnnotations(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    lin.History
	}{
		{"etcd", (&builder{}).
			op(0, 10, 20, put("a", "1"), putOK(2)).
			op(1, 30, 40, get("a"), got(2, kv("a", "1", 2, 2, 1))).h},
		{"per-key, several partitions", (&builder{}).
			op(0, 10, 20, kvPut("x", "1"), lin.KVOutput{}).
			op(1, 30, 40, kvGet("y"), kvRead("7")).h},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			h.Annotations = []lin.Annotation{
				{Start: 15, End: 35, Node: "n1", Kind: lin.AnnotationFault, Text: "crash n1"},
				{Start: 36, Node: "n2", Kind: lin.AnnotationLeader, Text: "n2 becomes leader"},
			}
			res, err := lin.Check(h, lin.Options{Visualize: true})
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, res.WriteHTML(&buf))
			html := buf.String()
			require.Contains(t, html, "<html")
			require.Contains(t, html, "crash n1")
			require.Contains(t, html, "n2 becomes leader")
		})
	}
}

func TestWriteHTMLNeedsVisualize(t *testing.T) {
	res, err := lin.Check((&builder{}).op(0, 1, 2, kvGet("x"), kvRead("")).h, lin.Options{})
	require.NoError(t, err)
	require.ErrorIs(t, res.WriteHTML(&bytes.Buffer{}), lin.ErrNoVisualization)
}
