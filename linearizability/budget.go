package linearizability

import (
	"context"
	"time"
)

// deadline is the wall-clock end of a check's budget. Wall time is allowed
// here because checking runs outside any simulated world; it only decides
// between a verdict and Unknown, never which verdict.
type deadline struct{ end time.Time }

func newDeadline(budget time.Duration) deadline {
	return deadline{end: time.Now().Add(budget)}
}

// remaining returns the budget left, or 0 when it is spent.
func (d deadline) remaining() time.Duration {
	left := time.Until(d.end)
	if left < 0 {
		return 0
	}
	return left
}

// withContext turns a model's Step into porcupine's StepContext: once the
// check's deadline has passed, a step refuses at once, so that no search
// runs past its budget (the verdict is then Unknown, never success).
func withContext(step func(state, input, output any) (bool, any)) func(
	ctx context.Context, state, input, output any) (bool, any) {
	return func(ctx context.Context, state, input, output any) (bool, any) {
		if ctx.Err() != nil {
			return false, state
		}
		return step(state, input, output)
	}
}
