//go:build !unix

package main

// execInstalledAgent does nothing on Windows: it has no exec, and starting
// the agent as a second process and exiting would hand the caller (a shell,
// the Run key, a test) an exit code and a process id that are not the
// agent's, and a console that closes under it. The Windows build ships one
// exe, which runs the agent in-process.
func execInstalledAgent() {}
