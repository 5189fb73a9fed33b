package wal

import (
	"bytes"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOneByteAway changes each byte of a body, and of its checksum, to
// every other value: each must be seen as damage to one byte. Damage to
// two bytes, or a zeroed tail, is not.
func TestOneByteAway(t *testing.T) {
	body := make([]byte, 40)
	for i := range body {
		body[i] = byte(i*37 + 11)
	}
	want := crc32.Checksum(body, castagnoli)
	for p := range body {
		for v := 1; v < 256; v++ {
			d := bytes.Clone(body)
			d[p] ^= byte(v)
			require.True(t, oneByteAway(d, want), "byte %d ^ %#x", p, v)
		}
	}
	for shift := 0; shift < 32; shift += 8 {
		for v := uint32(1); v < 256; v++ {
			require.True(t, oneByteAway(body, want^v<<shift), "checksum ^ %#x<<%d", v, shift)
		}
	}
	for p := 0; p+5 < len(body); p++ {
		d := bytes.Clone(body)
		d[p] ^= 0x01
		d[p+5] ^= 0x80
		require.False(t, oneByteAway(d, want), "bytes %d and %d", p, p+5)
	}
	d := bytes.Clone(body)
	clear(d[32:])
	require.False(t, oneByteAway(d, want), "zeroed tail")
}

func TestEndsInZeroSector(t *testing.T) {
	data := bytes.Repeat([]byte{1}, 2*sectorBytes)
	clear(data[sectorBytes-4 : sectorBytes+8])
	for _, tc := range []struct {
		lo, hi int
		want   bool
	}{
		{sectorBytes - 2, sectorBytes + 8, true},  // the chunk in the second sector
		{sectorBytes - 4, sectorBytes, true},      // lo..hi within one sector
		{sectorBytes - 8, sectorBytes, false},     // that sector's chunk from lo
		{sectorBytes - 8, sectorBytes + 9, false}, // a nonzero byte at the end
		{sectorBytes, sectorBytes + 1, true},
		{0, 2 * sectorBytes, false},
	} {
		require.Equal(t, tc.want, endsInZeroSector(data, tc.lo, tc.hi), "%d..%d", tc.lo, tc.hi)
	}
}
