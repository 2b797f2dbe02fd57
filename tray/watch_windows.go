//go:build windows

package tray

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"
)

// golang.org/x/sys/windows does not wrap the power notification API, so
// these are bound by hand (no cgo).
var (
	powrprof                                     = windows.NewLazySystemDLL("powrprof.dll")
	procPowerRegisterSuspendResumeNotification   = powrprof.NewProc("PowerRegisterSuspendResumeNotification")
	procPowerUnregisterSuspendResumeNotification = powrprof.NewProc("PowerUnregisterSuspendResumeNotification")
)

const (
	deviceNotifyCallback  = 2    // DEVICE_NOTIFY_CALLBACK: Recipient is a deviceNotifySubscribeParameters
	pbtAPMResumeSuspend   = 0x7  // PBT_APMRESUMESUSPEND: woke up, and a user is there
	pbtAPMResumeAutomatic = 0x12 // PBT_APMRESUMEAUTOMATIC: woke up, sent on every resume
)

// deviceNotifySubscribeParameters is DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS.
type deviceNotifySubscribeParameters struct {
	callback uintptr
	context  uintptr
}

// SessionBusError is nil: only Linux desktops need a D-Bus session bus.
func SessionBusError() error { return nil }

// WatchKeyring returns nil: the agent retries on its own schedule.
func WatchKeyring(ctx context.Context, log *slog.Logger) <-chan struct{} { return nil }

// WatchResume delivers Windows' "the machine woke up"
// (PBT_APMRESUMEAUTOMATIC or PBT_APMRESUMESUSPEND) until ctx ends. It is
// needed because Windows' monotonic clock keeps counting across sleep, so
// the link's wall-versus-monotonic check may never notice a suspend there.
// PowerRegisterSuspendResumeNotification with a callback needs no window
// or message loop, which the agent does not have. When the call fails (an
// old Windows, Wine) it returns nil: the link then relies on its clocks.
func WatchResume(ctx context.Context, log *slog.Logger) <-chan struct{} {
	out := make(chan struct{}, 1)
	id := subscribeResume(out)
	h, err := registerSuspendResume(id)
	if err != nil {
		unsubscribeResume(id)
		log.Debug("no suspend/resume notifications; resume from sleep is noticed by the clock only", "err", err)
		return nil
	}
	go func() {
		<-ctx.Done()
		if err := unregisterSuspendResume(h); err != nil {
			log.Debug("unregistering suspend/resume notifications", "err", err)
		}
		unsubscribeResume(id)
	}()
	return out
}

// registerSuspendResume asks powrprof to call powerCallback with id as its
// context on every suspend and resume. The parameters may live on the Go
// stack: Windows copies them (the Go runtime registers its own callback the
// same way, runtime/os_windows.go monitorSuspendResume).
func registerSuspendResume(id uintptr) (uintptr, error) {
	if err := procPowerRegisterSuspendResumeNotification.Find(); err != nil {
		return 0, err
	}
	params := deviceNotifySubscribeParameters{callback: powerCallback(), context: id}
	var h uintptr
	r, _, _ := procPowerRegisterSuspendResumeNotification.Call(
		deviceNotifyCallback, uintptr(unsafe.Pointer(&params)), uintptr(unsafe.Pointer(&h)))
	if r != 0 { // the result is a Win32 error code, not GetLastError's
		return 0, windows.Errno(r)
	}
	return h, nil
}

// unregisterSuspendResume ends a registration; Windows calls the callback
// no more for it afterwards.
func unregisterSuspendResume(h uintptr) error {
	if err := procPowerUnregisterSuspendResumeNotification.Find(); err != nil {
		return err
	}
	if r, _, _ := procPowerUnregisterSuspendResumeNotification.Call(h); r != 0 {
		return windows.Errno(r)
	}
	return nil
}

// powerCallback is onPowerEvent as a stdcall function pointer, made once:
// windows.NewCallback's pointers are never freed and their number is
// limited, so every registration shares this one and tells itself apart by
// its context.
var powerCallback = sync.OnceValue(func() uintptr { return windows.NewCallback(onPowerEvent) })

// resumeSubs maps a registration's context (an id, not a Go pointer: Windows
// keeps it, and Go memory must not be held outside Go) to its channel.
var (
	resumeSubs   sync.Map // uintptr -> chan struct{}
	resumeLastID atomic.Uintptr
)

// subscribeResume gives out a new context for ch.
func subscribeResume(ch chan struct{}) uintptr {
	id := resumeLastID.Add(1)
	resumeSubs.Store(id, ch)
	return id
}

// unsubscribeResume forgets id: a late callback for it delivers nothing.
func unsubscribeResume(id uintptr) { resumeSubs.Delete(id) }

// onPowerEvent is the DEVICE_NOTIFY_CALLBACK_ROUTINE; id is the context
// given at registration. It runs on a system
// thread that waits for it, so it never blocks: a resume is a non-blocking
// send to a 1-buffered channel, coalesced with one not yet read. typ is a
// ULONG: declared uint32 so the upper half of its 64-bit register, which the
// caller need not clear, is not read.
func onPowerEvent(id uintptr, typ uint32, setting uintptr) uintptr {
	if isResumeEvent(typ) {
		if ch, ok := resumeSubs.Load(id); ok {
			signal(ch.(chan struct{}))
		}
	}
	return 0 // ERROR_SUCCESS
}

// isResumeEvent tells the broadcasts that mean "the machine woke up".
// Windows sends PBT_APMRESUMEAUTOMATIC on every resume and
// PBT_APMRESUMESUSPEND as well when a user is present; both redial, and the
// channel coalesces the pair.
func isResumeEvent(typ uint32) bool {
	return typ == pbtAPMResumeAutomatic || typ == pbtAPMResumeSuspend
}
