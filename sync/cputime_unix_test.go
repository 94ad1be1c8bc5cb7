//go:build unix

package sync_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used (user and system): with
// six engineers on two cores, wall times swing with the load while CPU
// time barely does; the emulator runs in the process, so both a sync's
// and its floor's include serving the pages.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
