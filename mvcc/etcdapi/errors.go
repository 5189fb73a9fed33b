package etcdapi

import (
	"errors"
	"strconv"
)

// Code mirrors gRPC's status codes (google.golang.org/grpc/codes), with the
// same numbers, so that the front end converts one to the other with a
// cast and a client can decide from it whether to retry.
type Code uint32

// The codes etcd's errors carry.
const (
	CodeOK                 Code = 0
	CodeCanceled           Code = 1
	CodeUnknown            Code = 2
	CodeInvalidArgument    Code = 3
	CodeDeadlineExceeded   Code = 4
	CodeNotFound           Code = 5
	CodeAlreadyExists      Code = 6
	CodePermissionDenied   Code = 7
	CodeResourceExhausted  Code = 8
	CodeFailedPrecondition Code = 9
	CodeAborted            Code = 10
	CodeOutOfRange         Code = 11
	CodeUnimplemented      Code = 12
	CodeInternal           Code = 13
	CodeUnavailable        Code = 14
	CodeDataLoss           Code = 15
	CodeUnauthenticated    Code = 16
)

var codeNames = [...]string{
	"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
	"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
	"Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss",
	"Unauthenticated",
}

// String names the code as gRPC does.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + strconv.FormatUint(uint64(c), 10) + ")"
}

// Error is one of etcd's API errors: its gRPC code and its text, which is
// etcd's own. Errors are compared by identity: use errors.Is with the
// sentinels below, or ErrorFromDesc to map a text back to its sentinel.
type Error struct {
	Code Code
	Desc string
}

func (e *Error) Error() string { return e.Desc }

func newError(code Code, desc string) *Error {
	e := &Error{Code: code, Desc: desc}
	byDesc[desc] = e
	return e
}

// byDesc maps each sentinel's text to it, for ErrorFromDesc.
var byDesc = map[string]*Error{}

// ErrorFromDesc returns the sentinel whose text is desc, or nil: a client
// that received an error as text (over gRPC) turns it back into the value
// errors.Is compares.
func ErrorFromDesc(desc string) *Error { return byDesc[desc] }

// CodeOf returns err's code: that of the *Error it is or wraps (the store
// wraps some with detail, as in "%w: 200 > 128"), CodeOK for nil, and
// CodeUnknown for any other error.
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeUnknown
}

// Errors of the KV service's validation and of the store (etcd v3.7.3,
// api/v3rpc/rpctypes/error.go).
var (
	// ErrEmptyKey: a request names no key.
	ErrEmptyKey = newError(CodeInvalidArgument, "etcdserver: key is not provided")
	// ErrKeyNotFound: a put with IgnoreValue or IgnoreLease finds no key.
	ErrKeyNotFound = newError(CodeInvalidArgument, "etcdserver: key not found")
	// ErrValueProvided: a put sets both IgnoreValue and a value.
	ErrValueProvided = newError(CodeInvalidArgument, "etcdserver: value is provided")
	// ErrLeaseProvided: a put sets both IgnoreLease and a lease.
	ErrLeaseProvided = newError(CodeInvalidArgument, "etcdserver: lease is provided")
	// ErrTooManyOps: a txn has more compares or operations than allowed.
	ErrTooManyOps = newError(CodeInvalidArgument, "etcdserver: too many operations in txn request")
	// ErrDuplicateKey: a txn writes one key twice.
	ErrDuplicateKey = newError(CodeInvalidArgument, "etcdserver: duplicate key given in txn request")
	// ErrInvalidSortOption: a range asks an unknown sort order or target
	// (checkRangeRequest, etcd v3.6.5 server/etcdserver/api/v3rpc/key.go).
	ErrInvalidSortOption = newError(CodeInvalidArgument, "etcdserver: invalid sort option")
	// ErrCompacted: a read, compaction or watch names a compacted revision.
	ErrCompacted = newError(CodeOutOfRange, "etcdserver: mvcc: required revision has been compacted")
	// ErrFutureRev: a read or compaction names a revision not yet written.
	ErrFutureRev = newError(CodeOutOfRange, "etcdserver: mvcc: required revision is a future revision")
	// ErrNoSpace: a write while the NOSPACE alarm is raised.
	ErrNoSpace = newError(CodeResourceExhausted, "etcdserver: mvcc: database space exceeded")
	// ErrRequestTooLarge: a request larger than --max-request-bytes.
	ErrRequestTooLarge = newError(CodeInvalidArgument, "etcdserver: request is too large")
	// ErrTooManyRequests: the member's applied index lags its commit
	// index by too much to accept more proposals.
	ErrTooManyRequests = newError(CodeResourceExhausted, "etcdserver: too many requests")
)

// Errors of the Lease service.
var (
	// ErrLeaseNotFound: a request names a lease that does not exist.
	ErrLeaseNotFound = newError(CodeNotFound, "etcdserver: requested lease not found")
	// ErrLeaseExist: a grant names an ID in use.
	ErrLeaseExist = newError(CodeFailedPrecondition, "etcdserver: lease already exists")
	// ErrLeaseTTLTooLarge: a grant asks a TTL above the maximum.
	ErrLeaseTTLTooLarge = newError(CodeOutOfRange, "etcdserver: too large lease TTL")
)

// Errors of the Cluster service.
var (
	// ErrMemberExist: a member with this ID is already in the cluster.
	ErrMemberExist = newError(CodeFailedPrecondition, "etcdserver: member ID already exist")
	// ErrPeerURLExist: another member already uses this peer URL.
	ErrPeerURLExist = newError(CodeFailedPrecondition, "etcdserver: Peer URLs already exists")
	// ErrMemberNotEnoughStarted: the change would leave too few started
	// members for a quorum (etcd's --strict-reconfig-check).
	ErrMemberNotEnoughStarted = newError(CodeFailedPrecondition,
		"etcdserver: re-configuration failed due to not enough started members")
	// ErrMemberBadURLs: the peer URLs do not parse.
	ErrMemberBadURLs = newError(CodeInvalidArgument, "etcdserver: given member URLs are invalid")
	// ErrMemberNotFound: no member has this ID.
	ErrMemberNotFound = newError(CodeNotFound, "etcdserver: member not found")
	// ErrMemberNotLearner: a promote names a voter.
	ErrMemberNotLearner = newError(CodeFailedPrecondition, "etcdserver: can only promote a learner member")
	// ErrMemberLearnerNotReady: a promote names a learner that lags.
	ErrMemberLearnerNotReady = newError(CodeFailedPrecondition,
		"etcdserver: can only promote a learner member which is in sync with leader")
	// ErrTooManyLearners: an add would exceed the learner limit (one).
	ErrTooManyLearners = newError(CodeFailedPrecondition, "etcdserver: too many learner members in cluster")
)

// Errors of the server's state: every one of them means the request did not
// take effect, except the timeouts, after which its fate is unknown.
var (
	// ErrNoLeader: the member knows no leader.
	ErrNoLeader = newError(CodeUnavailable, "etcdserver: no leader")
	// ErrNotLeader: MoveLeader reached a member that does not lead.
	ErrNotLeader = newError(CodeFailedPrecondition, "etcdserver: not leader")
	// ErrLeaderChanged: the leader changed while a read waited for its
	// read index.
	ErrLeaderChanged = newError(CodeUnavailable, "etcdserver: leader changed")
	// ErrStopped: the member is stopping, or was removed from the cluster.
	ErrStopped = newError(CodeUnavailable, "etcdserver: server stopped")
	// ErrTimeout: the request was proposed and its fate is unknown.
	ErrTimeout = newError(CodeUnavailable, "etcdserver: request timed out")
	// ErrTimeoutDueToLeaderFail: as ErrTimeout, the leader having failed.
	ErrTimeoutDueToLeaderFail = newError(CodeUnavailable,
		"etcdserver: request timed out, possibly due to previous leader failure")
	// ErrUnhealthy: a membership change would make the cluster unhealthy.
	ErrUnhealthy = newError(CodeUnavailable, "etcdserver: unhealthy cluster")
	// ErrCorrupt: the member raised the CORRUPT alarm.
	ErrCorrupt = newError(CodeDataLoss, "etcdserver: corrupt cluster")
	// ErrNotSupportedForLearner: a learner was asked for a linearizable
	// request.
	ErrNotSupportedForLearner = newError(CodeUnavailable, "etcdserver: rpc not supported for learner")
	// ErrBadLeaderTransferee: MoveLeader names a member that cannot lead.
	ErrBadLeaderTransferee = newError(CodeFailedPrecondition, "etcdserver: bad leader transferee")
	// ErrTimeoutLeaderTransfer: MoveLeader gave up before its target led.
	// etcd's gRPC layer has no code for it (v3.7.1 server/etcdserver/
	// errors/errors.go; togRPCError answers codes.Unknown with its text).
	ErrTimeoutLeaderTransfer = newError(CodeUnknown,
		"etcdserver: request timed out, leader transfer took too long")
	// ErrNotStarted: the member has not finished starting. etcd has no
	// such error (its gRPC server does not listen yet, and clients see an
	// Unavailable transport error); this one has the same code.
	ErrNotStarted = newError(CodeUnavailable, "etcdsim: member not started")
)

// Errors of the concurrency services (etcd v3.7.3
// server/etcdserver/api/v3election and client/v3/concurrency).
var (
	// ErrElectionNotLeader: Proclaim or Resign with a key that no longer
	// leads.
	ErrElectionNotLeader = newError(CodeFailedPrecondition, "election: not leader")
	// ErrElectionNoLeader: Leader on an election nobody has won.
	ErrElectionNoLeader = newError(CodeNotFound, "election: no leader")
	// ErrSessionExpired: the lease a lock or campaign rests on has expired.
	ErrSessionExpired = newError(CodeFailedPrecondition, "mutex: session is expired")
)
