// Package neterr tells which network failure an error is, the same way on
// every OS. The errno a failed connect carries differs between systems:
// syscall.ECONNREFUSED on Linux and macOS, WSAECONNREFUSED (10061) on
// Windows, where syscall.ECONNREFUSED is a number Go made up that no call
// ever returns. So errors.Is(err, syscall.ECONNREFUSED) is false on Windows
// for a refused connection, and a message matched on its text reads
// differently there ("No connection could be made because the target
// machine actively refused it.").
package neterr

import "errors"

// Refused reports whether err, or an error it wraps, is a connection the
// other side refused: nothing listens at that address.
func Refused(err error) bool {
	return err != nil && errors.Is(err, errRefused)
}
