// Package textcut shortens text from servers for the places that have room
// for only so much of it (a popup, a menu line, a list row) without
// breaking a character: never inside a UTF-8 sequence, and never inside a
// user-perceived character (a grapheme cluster, per Unicode UAX #29, as
// github.com/rivo/uniseg finds them): an emoji ZWJ sequence, a flag, a
// Korean syllable written as jamo, a letter and its accents.
//
// Caps are in runes or bytes, not clusters, because they bound memory and
// bus traffic: a single "character" of one letter and ten thousand
// combining marks must not pass a cap of 200. When the first cluster alone
// is over the cap, the cut falls back to the last whole rune.
package textcut

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Runes returns the longest prefix of s of at most n runes that ends at a
// grapheme cluster boundary (see the package comment for a first cluster
// longer than n).
func Runes(s string, n int) string {
	return prefix(s, n, func(part string) int { return utf8.RuneCountInString(part) })
}

// Bytes returns the longest prefix of s of at most n bytes that ends at a
// grapheme cluster boundary (see the package comment for a first cluster
// longer than n). s should be valid UTF-8; an invalid byte counts as a
// rune of its own.
func Bytes(s string, n int) string {
	return prefix(s, n, func(part string) int { return len(part) })
}

// prefix walks s a cluster at a time while the clusters fit in n units.
func prefix(s string, n int, size func(string) int) string {
	if n <= 0 {
		return ""
	}
	end, used, state := 0, 0, -1
	rest := s
	for len(rest) > 0 {
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		u := size(cluster)
		if used+u > n {
			if end == 0 { // one cluster over the cap: cut it at a rune
				return runePrefix(cluster, n, size)
			}
			return s[:end]
		}
		used += u
		end += len(cluster)
	}
	return s
}

// runePrefix is the longest prefix of s of whole runes within n units.
func runePrefix(s string, n int, size func(string) int) string {
	end, used := 0, 0
	for end < len(s) {
		_, w := utf8.DecodeRuneInString(s[end:])
		u := size(s[end : end+w])
		if used+u > n {
			break
		}
		used += u
		end += w
	}
	return s[:end]
}
