package wal

// File is an append-mostly file on a (simulated) disk. The simulator's disk
// file satisfies it structurally; MemFile is the in-memory version.
type File interface {
	Name() string
	Size() int64
	// ReadAt reads len(p) bytes at off; io.EOF at the end.
	ReadAt(p []byte, off int64) (int, error)
	// Write appends p.
	Write(p []byte) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Truncate(size int64) error
	// Sync makes every byte written so far durable.
	Sync() error
}

// Dir is a directory of files. Open creates a missing file.
type Dir interface {
	Open(name string) (File, error)
	Remove(name string) error
	// Rename replaces to with from.
	Rename(from, to string) error
	// List returns the file names, sorted.
	List() []string
}
