//go:build !linux

package conn

func newReadWatchdog(c deadliner) readWatchdog { return deadlineWatchdog{c} }
