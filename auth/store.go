package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// How a token is laid out in the keyring (for the README):
//
// A token of up to keyringChunkSize (2048) bytes is one entry: service
// "tasktray", user "<username>@<server URL>", secret = the token itself, so
// `secret-tool lookup service tasktray username <user>` prints it.
//
// A longer token (a JWT with many claims) does not fit every OS keyring:
// Windows' Credential Manager takes at most 2560 bytes per secret, and
// go-keyring on macOS refuses a `security` command over 4096 bytes, which
// after its base64 encoding leaves about 3000 bytes for the token and the
// user name together. Such a token is split into 2048-byte chunks saved as
// users "<user>#1" .. "<user>#n", and the entry "<user>" itself holds the
// manifest "tasktray-chunked:v1:<n>:<sha256 of the token in hex>". The same
// layout is used on every OS, so what is tested on Linux is what runs on
// Windows. The checksum catches a token whose chunks were left half
// rewritten (a crash during a save): it is treated as not saved, and the user
// logs in again rather than the app sending a garbled token.
//
// Tokens over MaxTokenSize (16 KiB, 8 chunks) are not split: they are kept in
// memory for this process only, like when there is no keyring, and the store
// says so. Nothing is ever written to disk outside the keyring.

// MaxTokenSize is the largest token the store saves in the keyring. Larger
// ones are kept in memory only; no server kind is known to issue them (HTTP
// servers commonly refuse headers over 8 KiB anyway).
const MaxTokenSize = 16 << 10

// keyringChunkSize fits both Windows' 2560-byte limit and macOS's ~3000
// bytes, with room for a user name of over a kilobyte.
const keyringChunkSize = 2048

const (
	manifestPrefix = "tasktray-chunked:v1:"
	maxChunks      = (MaxTokenSize + keyringChunkSize - 1) / keyringChunkSize
)

// errIncomplete is what Load returns for a chunked token that cannot be put
// back together; the user logs in again.
var errIncomplete = fmt.Errorf("%w: the saved token is incomplete", ErrNotFound)

// TokenStore saves, loads and deletes session tokens: in the keyring when it
// works, otherwise in memory for this process only (never in a file), and it
// tells which through Persistent and Reason. It is safe for concurrent use.
type TokenStore struct {
	keyring Keyring
	// op serializes whole saves, loads and deletes, so the chunks of two
	// tokens are never interleaved. Each keyring call is bounded by its
	// timeout, so the wait for op is bounded too.
	op sync.Mutex

	mu sync.Mutex
	// memory holds the tokens the keyring could not take, by KeyringUser.
	memory map[string]string
	// notKept is why tokens are not persistent, worded by reasonFor when
	// shown (so in the language then in use); nil while the keyring works.
	notKept error
	// err is what the keyring said last; nil while it works.
	err error
}

// NewTokenStore returns a store over k, usually NewSystemKeyring(0).
func NewTokenStore(k Keyring) *TokenStore {
	return &TokenStore{keyring: k, memory: make(map[string]string)}
}

// Persistent reports whether the keyring worked the last time the store used
// it, so that a token saved now is still there after a restart.
func (s *TokenStore) Persistent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notKept == nil
}

// Reason says in plain words, for the UI, why tokens are not persistent; it
// is "" when they are.
func (s *TokenStore) Reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return reasonFor(s.notKept)
}

// Err returns what the keyring said the last time the store used it (never
// with a token in it), nil while it works: after a Save that kept the token
// in memory only, KeyringMayRecover(Err()) tells whether saving it again
// later may work.
func (s *TokenStore) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Save keeps sess's token. It returns nil when the token is kept, in the
// keyring or, when the keyring cannot take it, in memory (Persistent is then
// false). It fails only for an empty token or when ctx ends first.
func (s *TokenStore) Save(ctx context.Context, sess Session) error {
	if sess.Token == "" {
		return errors.New("no token to save")
	}
	user := sess.KeyringUser()
	s.op.Lock()
	defer s.op.Unlock()
	var err error
	if len(sess.Token) <= MaxTokenSize {
		err = s.write(ctx, user, sess.Token)
	} else {
		err = fmt.Errorf("%w: %d bytes, at most %d", ErrTokenTooLarge, len(sess.Token), MaxTokenSize)
		// Best effort: an older token left in the keyring would be picked
		// up at the next start in place of the one held in memory now.
		_ = s.erase(ctx, user)
	}
	if isContextErr(err) {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.memory[user] = sess.Token
	} else {
		delete(s.memory, user)
	}
	s.notKept, s.err = notKeptBy(err), keyringErr(err)
	return nil
}

// Load returns the saved session for a, with ExpiresAt zero: the keyring
// keeps only the token, and a server that expired it refuses it, which
// sends the user back to log in. Errors wrap ErrNotFound (nothing usable is
// saved), ErrKeyringUnavailable or ErrKeyringTimeout; Reason then says more.
func (s *TokenStore) Load(ctx context.Context, a Account) (Session, error) {
	user := a.KeyringUser()
	s.mu.Lock()
	token, ok := s.memory[user]
	s.mu.Unlock()
	if ok {
		return Session{Account: a, Token: token}, nil
	}

	s.op.Lock()
	token, err := s.read(ctx, user)
	s.op.Unlock()
	s.noteKeyring(err)
	if err != nil {
		return Session{}, err
	}
	return Session{Account: a, Token: token}, nil
}

// Delete forgets a's token, in memory and in the keyring. A token that was
// not saved is not an error.
func (s *TokenStore) Delete(ctx context.Context, a Account) error {
	user := a.KeyringUser()
	s.mu.Lock()
	delete(s.memory, user)
	s.mu.Unlock()

	s.op.Lock()
	err := s.erase(ctx, user)
	s.op.Unlock()
	s.noteKeyring(err)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// noteKeyring records what a keyring call said about the keyring itself.
func (s *TokenStore) noteKeyring(err error) {
	if isContextErr(err) {
		return // says nothing about the keyring
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notKept, s.err = notKeptBy(err), keyringErr(err)
}

// keyringErr is err as what it says about the keyring: nothing for a token
// that is not there.
func keyringErr(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// notKeptBy is err when it keeps tokens out of the keyring; nil when the
// keyring works (nothing saved yet is no failure).
func notKeptBy(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// reasonFor words a keyring error for the user; "" when the keyring works.
func reasonFor(err error) string {
	switch {
	case err == nil, errors.Is(err, ErrNotFound):
		return ""
	case errors.Is(err, errNoSecretService):
		return msgKeyringNone.String()
	case errors.Is(err, ErrKeyringLocked):
		return msgKeyringLocked.String()
	case errors.Is(err, ErrKeyringTimeout):
		return msgKeyringSlow.String()
	case errors.Is(err, ErrTokenTooLarge):
		return msgKeyringTooLarge.String()
	}
	detail := strings.TrimPrefix(err.Error(), ErrKeyringUnavailable.Error()+": ")
	return msgKeyringOther.F(detail)
}

// write saves token under user, split into chunks when it is long, and
// removes the chunks of an earlier, longer token.
func (s *TokenStore) write(ctx context.Context, user, token string) error {
	old, err := s.chunkCount(ctx, user)
	if errors.Is(err, ErrNotFound) {
		old, err = 0, nil
	}
	if err != nil {
		return err
	}

	n := 0
	if len(token) > keyringChunkSize {
		n = (len(token) + keyringChunkSize - 1) / keyringChunkSize
	}
	// Chunks first, manifest last: until the manifest is written, a reader
	// sees the old token or, with chunks half replaced, a checksum mismatch.
	for i := 1; i <= n; i++ {
		chunk := token[(i-1)*keyringChunkSize : min(i*keyringChunkSize, len(token))]
		if err = s.keyring.Set(ctx, chunkUser(user, i), chunk); err != nil {
			break
		}
	}
	if err == nil {
		entry := token
		if n > 0 {
			entry = manifest(n, token)
		}
		err = s.keyring.Set(ctx, user, entry)
	}
	if err != nil {
		// Do not leave pieces of the token behind. A keyring that timed out
		// would make every cleanup call wait out its timeout too; the entries
		// left then fail their checksum and are removed at the next save.
		if !errors.Is(err, ErrKeyringTimeout) {
			_ = s.remove(ctx, user, max(n, old))
		}
		return err
	}
	for i := n + 1; i <= old; i++ {
		// Best effort: the new token is saved; a stale chunk left behind
		// is overwritten or removed by a later save or delete.
		_ = s.keyring.Delete(ctx, chunkUser(user, i))
	}
	return nil
}

// read returns the token saved under user, joined from its chunks.
func (s *TokenStore) read(ctx context.Context, user string) (string, error) {
	entry, err := s.keyring.Get(ctx, user)
	if err != nil {
		return "", err
	}
	n, sum, err := parseManifest(entry)
	if err != nil || n == 0 {
		return entry, err
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		chunk, err := s.keyring.Get(ctx, chunkUser(user, i))
		if errors.Is(err, ErrNotFound) {
			return "", errIncomplete
		}
		if err != nil {
			return "", err
		}
		b.WriteString(chunk)
	}
	token := b.String()
	if checksum(token) != sum {
		return "", errIncomplete
	}
	return token, nil
}

// chunkCount returns how many chunks the entry of user refers to: 0 for a
// token saved whole.
func (s *TokenStore) chunkCount(ctx context.Context, user string) (int, error) {
	entry, err := s.keyring.Get(ctx, user)
	if err != nil {
		return 0, err
	}
	// A damaged manifest counts as no chunks: removing it is all that is left.
	n, _, _ := parseManifest(entry)
	return n, nil
}

// erase removes whatever is saved under user.
func (s *TokenStore) erase(ctx context.Context, user string) error {
	n, err := s.chunkCount(ctx, user)
	if err != nil {
		return err
	}
	return s.remove(ctx, user, n)
}

// remove deletes user's chunks 1..n and then its entry, in that order so that
// an interrupted remove leaves a manifest that still finds what is left.
func (s *TokenStore) remove(ctx context.Context, user string, n int) error {
	for i := 1; i <= n; i++ {
		if err := s.keyring.Delete(ctx, chunkUser(user, i)); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return s.keyring.Delete(ctx, user)
}

func chunkUser(user string, i int) string { return user + "#" + strconv.Itoa(i) }

func checksum(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func manifest(n int, token string) string {
	return manifestPrefix + strconv.Itoa(n) + ":" + checksum(token)
}

// parseManifest returns the chunk count and checksum in entry, or n = 0 when
// entry is a token saved whole. A damaged manifest is an error, never a token.
func parseManifest(entry string) (n int, sum string, err error) {
	rest, ok := strings.CutPrefix(entry, manifestPrefix)
	if !ok {
		return 0, "", nil
	}
	count, sum, ok := strings.Cut(rest, ":")
	n, err = strconv.Atoi(count)
	if !ok || err != nil || n < 2 || n > maxChunks || len(sum) != sha256.Size*2 {
		return 0, "", errIncomplete
	}
	return n, sum, nil
}
