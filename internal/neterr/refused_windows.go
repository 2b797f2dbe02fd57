package neterr

import "golang.org/x/sys/windows"

// errRefused is the Winsock error of a refused connect (connectex answers
// WSAECONNREFUSED, 10061); syscall.ECONNREFUSED never comes from Windows.
var errRefused error = windows.WSAECONNREFUSED
