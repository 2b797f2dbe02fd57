//go:build !windows

package conn

import "os"

// replaceFile renames tmp over path: on Unix a rename replaces a file that
// others hold open.
func replaceFile(tmp, path string) error { return os.Rename(tmp, path) }
