// keyring.MockInit replaces go-keyring's provider for the whole test binary,
// with no way back, so the mock-based tests stay out of the realkeyring build.

//go:build !realkeyring

package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// hangingBackend is a keyring that does not answer until released, like a
// Secret Service waiting on an unlock prompt.
type hangingBackend struct {
	release chan struct{}
	calls   chan string
}

func newHangingBackend(t *testing.T) *hangingBackend {
	h := &hangingBackend{release: make(chan struct{}), calls: make(chan string, 10)}
	// Releasing lets the abandoned goroutines end, which goleak then checks.
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *hangingBackend) wait(op string) {
	h.calls <- op
	<-h.release
}

func (h *hangingBackend) Get(_, _ string) (string, error) { h.wait("get"); return "late", nil }
func (h *hangingBackend) Set(_, _, _ string) error        { h.wait("set"); return nil }
func (h *hangingBackend) Delete(_, _ string) error        { h.wait("delete"); return nil }

func TestSystemKeyringRoundTrip(t *testing.T) {
	keyring.MockInit()
	k := NewSystemKeyring(0)
	ctx := context.Background()

	if _, err := k.Get(ctx, "ann@https://a.example"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: got %v, want ErrNotFound", err)
	}
	if err := k.Set(ctx, "ann@https://a.example", "tok-1"); err != nil {
		t.Fatal(err)
	}
	// Stored under service "tasktray" with the user as given.
	if got, err := keyring.Get("tasktray", "ann@https://a.example"); err != nil || got != "tok-1" {
		t.Fatalf("go-keyring holds %q, %v; want tok-1", got, err)
	}
	if got, err := k.Get(ctx, "ann@https://a.example"); err != nil || got != "tok-1" {
		t.Fatalf("Get = %q, %v; want tok-1", got, err)
	}
	if err := k.Delete(ctx, "ann@https://a.example"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, "ann@https://a.example"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: got %v, want ErrNotFound", err)
	}
}

func TestSystemKeyringErrors(t *testing.T) {
	const secret = "s3cret-token-value"
	tests := []struct {
		name    string
		mockErr error
		want    error
		cause   error
		message string
	}{
		{
			name:    "too big",
			mockErr: keyring.ErrSetDataTooBig,
			want:    ErrTokenTooLarge,
			message: "token too large for the keyring",
		},
		{
			name:    "no secret service",
			mockErr: dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}},
			want:    ErrKeyringUnavailable,
			cause:   errNoSecretService,
			message: "keyring unavailable: no Secret Service is running on the session bus",
		},
		{
			name:    "locked",
			mockErr: errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			want:    ErrKeyringUnavailable,
			cause:   ErrKeyringLocked,
			message: "keyring unavailable: the keyring is locked",
		},
		{
			name:    "other, quoting the secret",
			mockErr: fmt.Errorf("backend choked on %q", secret),
			want:    ErrKeyringUnavailable,
			message: `keyring unavailable: backend choked on "[redacted]"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInitWithError(tt.mockErr)
			err := NewSystemKeyring(0).Set(context.Background(), "ann@https://a.example", secret)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("got %v, want it to wrap %v", err, tt.cause)
			}
			if err.Error() != tt.message {
				t.Errorf("message %q, want %q", err, tt.message)
			}
			if strings.Contains(fmt.Sprintf("%+v", err), secret) {
				t.Errorf("error reveals the secret: %v", err)
			}
		})
	}
}

func TestSystemKeyringTimeout(t *testing.T) {
	h := newHangingBackend(t)
	k := newSystemKeyring(50*time.Millisecond, h)
	ctx := context.Background()

	// The backend never answers while the test runs: Get returning at all
	// is the timeout working (no check of how long it took: CI is noisy).
	_, err := k.Get(ctx, "u")
	if !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("got %v, want ErrKeyringTimeout", err)
	}
	if got, want := err.Error(), "keyring did not answer in time: no answer within 50ms"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	<-h.calls

	// While the first call is stuck, later ones wait their turn and give up
	// without starting another goroutine on the keyring.
	if err := k.Set(ctx, "u", "tok"); !errors.Is(err, ErrKeyringTimeout) ||
		!strings.Contains(err.Error(), "an earlier keyring call is still waiting") {
		t.Fatalf("Set while stuck: got %v", err)
	}
	select {
	case op := <-h.calls:
		t.Fatalf("a second call (%s) reached the hung keyring", op)
	default:
	}
}

func TestSystemKeyringRecoversAfterHang(t *testing.T) {
	release := make(chan struct{})
	h := &hangingBackend{release: release, calls: make(chan string, 10)}
	k := newSystemKeyring(50*time.Millisecond, h)
	if err := k.Delete(context.Background(), "u"); !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("got %v, want ErrKeyringTimeout", err)
	}
	close(release) // the keyring answers at last
	// The abandoned call gives the turn back, so the next call runs. From
	// here on a slow machine must not look like a hang: the next Get waits
	// up to a minute for the turn and the answer, instead of polling with
	// 50 ms calls (each of which could time out under load and leave one
	// more goroutine on the backend).
	k.timeout = time.Minute
	got, err := k.Get(context.Background(), "u")
	if err != nil {
		t.Fatalf("keyring still stuck: %v", err)
	}
	if got != "late" {
		t.Fatalf("Get = %q", got)
	}
}

func TestSystemKeyringCancel(t *testing.T) {
	h := newHangingBackend(t)
	k := newSystemKeyring(time.Minute, h)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-h.calls
		cancel()
	}()
	if _, err := k.Get(ctx, "u"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestSystemKeyringCallerDeadline(t *testing.T) {
	h := newHangingBackend(t)
	k := newSystemKeyring(time.Minute, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	// The caller's own deadline is not the keyring's fault.
	if _, err := k.Get(ctx, "u"); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}
