package wal

import (
	"fmt"
	"io"
	"slices"
)

// MemDir is an in-memory Dir that models crashes: Crash keeps what each
// file had at its last Sync, plus optionally a torn prefix of the bytes
// appended since. Directory operations (create, rename, remove) are
// durable at once.
type MemDir struct {
	files map[string]*MemFile
}

// NewMemDir returns an empty directory.
func NewMemDir() *MemDir { return &MemDir{files: map[string]*MemFile{}} }

// Open returns the named file, creating it empty if missing.
func (d *MemDir) Open(name string) (File, error) { return d.OpenMem(name), nil }

// OpenMem is Open returning the concrete type, for tests that corrupt
// bytes.
func (d *MemDir) OpenMem(name string) *MemFile {
	f, ok := d.files[name]
	if !ok {
		f = &MemFile{name: name}
		d.files[name] = f
	}
	return f
}

// Remove deletes the named file; a missing file is an error.
func (d *MemDir) Remove(name string) error {
	if _, ok := d.files[name]; !ok {
		return fmt.Errorf("wal: remove %s: no such file", name)
	}
	delete(d.files, name)
	return nil
}

// Rename moves from over to.
func (d *MemDir) Rename(from, to string) error {
	f, ok := d.files[from]
	if !ok {
		return fmt.Errorf("wal: rename %s: no such file", from)
	}
	delete(d.files, from)
	f.name = to
	d.files[to] = f
	return nil
}

// List returns the file names, sorted.
func (d *MemDir) List() []string {
	names := make([]string, 0, len(d.files))
	for name := range d.files { //det:ok sorted below
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Crash drops every file's unsynced bytes, keeping up to torn bytes of an
// unsynced append (a torn write).
func (d *MemDir) Crash(torn int) {
	for _, name := range d.List() {
		d.files[name].crash(torn)
	}
}

// MemFile is an in-memory File.
type MemFile struct {
	name string
	data []byte
	// durable is the content at the last Sync.
	durable []byte
	// rewritten is set when bytes of the durable prefix were changed since
	// the last Sync (WriteAt, Truncate), so data no longer extends durable.
	rewritten bool
}

// Name returns the file name.
func (f *MemFile) Name() string { return f.name }

// Size returns the current length.
func (f *MemFile) Size() int64 { return int64(len(f.data)) }

// ReadAt reads at off, returning io.EOF when it reaches the end.
func (f *MemFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("wal: read %s at negative offset %d", f.name, off)
	}
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Write appends p.
func (f *MemFile) Write(p []byte) (int, error) {
	f.data = append(f.data, p...)
	return len(p), nil
}

// WriteAt writes p at off, growing the file if needed.
func (f *MemFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(f.data)) {
		return 0, fmt.Errorf("wal: write %s at offset %d past size %d", f.name, off, len(f.data))
	}
	if off < int64(len(f.durable)) {
		f.rewritten = true
	}
	end := int(off) + len(p)
	if end > len(f.data) {
		f.data = append(f.data, make([]byte, end-len(f.data))...)
	}
	copy(f.data[off:], p)
	return len(p), nil
}

// Truncate cuts or zero-extends the file to size.
func (f *MemFile) Truncate(size int64) error {
	if size < 0 {
		return fmt.Errorf("wal: truncate %s to negative size %d", f.name, size)
	}
	if size < int64(len(f.durable)) {
		f.rewritten = true
	}
	if size <= int64(len(f.data)) {
		f.data = f.data[:size]
		return nil
	}
	f.data = append(f.data, make([]byte, int(size)-len(f.data))...)
	return nil
}

// Sync makes the current content durable.
func (f *MemFile) Sync() error {
	if f.rewritten {
		f.durable = append(f.durable[:0], f.data...)
	} else {
		f.durable = append(f.durable, f.data[len(f.durable):]...)
	}
	f.rewritten = false
	return nil
}

// Corrupt flips the bits of the byte at off, as media corruption would.
func (f *MemFile) Corrupt(off int64) {
	f.data[off] ^= 0xff
	if off < int64(len(f.durable)) {
		f.durable[off] ^= 0xff
	}
}

func (f *MemFile) crash(torn int) {
	kept := append([]byte(nil), f.durable...)
	if !f.rewritten && len(f.data) > len(kept) {
		extra := min(torn, len(f.data)-len(kept))
		kept = append(kept, f.data[len(kept):len(kept)+extra]...)
	}
	f.data = kept
	f.rewritten = false
}
