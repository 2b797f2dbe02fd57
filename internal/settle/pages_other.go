//go:build !linux

package settle

// dropBinaryPages does nothing where there is no /proc/self/maps; the
// heap's free pages still go back (settle).
func dropBinaryPages() int { return 0 }
