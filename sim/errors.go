package sim

import "errors"

// Errors returned by World, Network, Proc and Disk. Each is wrapped with the
// argument that caused it, so test with errors.Is.
var (
	// ErrUnknownNode is returned when a node id was never added to the world.
	ErrUnknownNode = errors.New("sim: unknown node")
	// ErrBadNodeID is returned by AddNode for the reserved id 0.
	ErrBadNodeID = errors.New("sim: bad node id")
	// ErrNodeExists is returned by AddNode when the id is already taken.
	ErrNodeExists = errors.New("sim: node already exists")
	// ErrNodeDown is returned when a crashed node (or a stale handle of a
	// node that has since crashed) tries to act, or when restarting a node
	// that is up.
	ErrNodeDown = errors.New("sim: node is down")
	// ErrNodeUp is returned by Restart when the node is running.
	ErrNodeUp = errors.New("sim: node is up")
	// ErrNegativeDuration is returned for a negative delay, latency or jitter.
	ErrNegativeDuration = errors.New("sim: negative duration")
	// ErrBadProbability is returned for a probability outside [0, 1].
	ErrBadProbability = errors.New("sim: probability outside [0,1]")
	// ErrBadDrift is returned for a clock drift outside the modelled range.
	ErrBadDrift = errors.New("sim: clock drift out of range")
	// ErrNoSuchMessage is returned when a held message id is not held.
	ErrNoSuchMessage = errors.New("sim: no such held message")
	// ErrNoSuchFile is returned by disk operations on a missing file.
	ErrNoSuchFile = errors.New("sim: no such file")
	// ErrBadOffset is returned for a negative file offset or size.
	ErrBadOffset = errors.New("sim: bad file offset")
	// ErrEventBound is returned when a run reaches its event bound before
	// the condition it waited for.
	ErrEventBound = errors.New("sim: event bound reached")
	// ErrTimeBackwards is returned by RunUntil with a time in the past.
	ErrTimeBackwards = errors.New("sim: time before now")
)
