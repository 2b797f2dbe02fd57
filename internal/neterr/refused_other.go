//go:build !windows

package neterr

import "syscall"

// errRefused is the errno of a refused connect on Unix systems.
var errRefused error = syscall.ECONNREFUSED
