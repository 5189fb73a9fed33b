package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// command is what a client's request becomes in the Raft log: the request,
// encoded by the state machine, and who asked for it. (client, seq) names
// it for the sessions in front of the state machine; seq 0 has no session
// (a leader's lessor proposing the revocation of an expired lease).
type command struct {
	client  uint64
	seq     uint64
	payload []byte
}

// errBadCommand is returned when a log entry or snapshot does not decode.
var errBadCommand = errors.New("cluster: malformed command")

// appendCommand appends c's encoding to dst: client and seq as uvarints,
// then the payload.
func appendCommand(dst []byte, c command) []byte {
	dst = binary.AppendUvarint(dst, c.client)
	dst = binary.AppendUvarint(dst, c.seq)
	return append(dst, c.payload...)
}

// decodeCommand reads a command; its payload aliases data.
func decodeCommand(data []byte) (command, error) {
	var c command
	client, n := binary.Uvarint(data)
	if n <= 0 {
		return c, fmt.Errorf("%w: client", errBadCommand)
	}
	seq, m := binary.Uvarint(data[n:])
	if m <= 0 {
		return c, fmt.Errorf("%w: seq", errBadCommand)
	}
	c.client, c.seq, c.payload = client, seq, data[n+m:]
	if len(c.payload) == 0 {
		return c, fmt.Errorf("%w: no payload", errBadCommand)
	}
	return c, nil
}
