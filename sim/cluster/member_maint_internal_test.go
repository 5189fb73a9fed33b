package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A member serves a client's sendings in the order the client made them:
// a copy of the latest, or of anything earlier, is dropped.
func TestAttemptKeyOrder(t *testing.T) {
	k := attemptKey{seq: 5, attempt: 2}
	for _, tc := range []struct {
		other  attemptKey
		before bool
	}{
		{attemptKey{seq: 5, attempt: 3}, true},
		{attemptKey{seq: 6, attempt: 1}, true},
		{attemptKey{seq: 5, attempt: 2}, false},
		{attemptKey{seq: 5, attempt: 1}, false},
		{attemptKey{seq: 4, attempt: 9}, false},
	} {
		require.Equal(t, tc.before, k.before(tc.other), "%v before %v", k, tc.other)
	}
}
