//go:build linux || darwin || freebsd

package store

import "syscall"

// freeBytes returns the space left for unprivileged writes on dir's file
// system.
func freeBytes(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true // field types differ by OS
}
