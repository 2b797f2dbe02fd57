// Package logfile gives the agent a log that outlives the terminal: a
// size-capped, rotating file in the user's state folder (lumberjack behind
// log/slog), written through a bounded buffer so that a slow or full disk
// drops log lines instead of stalling the agent, and an in-memory record of
// the last warnings and errors for the "Copy diagnostics" report.
//
// Nothing secret is meant to reach a log line in the first place (see the
// project brief); as a second line of defence every attribute whose key
// names a secret (token, password, secret, authorization, cookie) is
// written as "[redacted]" in the file, on stderr and in the record alike.
//
// logfile knows nothing of the tray, connections or windows.
package logfile

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/adrg/xdg"
	"gopkg.in/natefinch/lumberjack.v2"
)

// FileName is the current log file's name in Dir; rotated ones are named
// tasktray-<time>.log beside it.
const FileName = "tasktray.log"

// The caps on disk: a file rotates at MaxSizeMB and MaxBackups old ones
// are kept, so the logs never take more than (MaxBackups+1)*MaxSizeMB.
const (
	MaxSizeMB  = 5
	MaxBackups = 3
)

// Dir is where the log files go: $XDG_STATE_HOME/tasktray (by default
// ~/.local/state/tasktray) on Linux and the BSDs, %LOCALAPPDATA%\tasktray
// on Windows, ~/Library/Logs/tasktray on macOS.
func Dir() string {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "tasktray")
		}
	case "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, "Library", "Logs", "tasktray")
		}
	}
	return filepath.Join(xdg.StateHome, "tasktray")
}

// Options configure a Logger made by New.
type Options struct {
	// Level is the lowest level logged, on stderr and in the file alike.
	Level slog.Level
	// Stderr also gets every line; nil writes to no terminal.
	Stderr io.Writer
	// Dir holds the log files; "" means Dir(). A Dir that cannot be
	// created leaves the file out (New says why) and the rest working.
	Dir string
	// Last is how many warnings and errors the Recorder keeps; 0 means
	// DefaultLast.
	Last int
	// Buffer is how many lines may wait for the disk; 0 means
	// DefaultBuffer.
	Buffer int
	// File, when set, takes the place of the rotating file in Dir: tests
	// of other packages use a plain file, since lumberjack leaves a
	// goroutine behind (natefinch/lumberjack#56).
	File io.WriteCloser
}

// Log is a logger writing to stderr, the file and the Recorder.
type Log struct {
	*slog.Logger
	// Path is the current log file, "" when there is none.
	Path string
	// Recorder holds the last warnings and errors.
	Recorder *Recorder
	file     *Async
}

// New opens the log. It never fails as a whole: when the log file cannot
// be opened, the returned Log writes to stderr and the Recorder, and err
// says why the file is missing, for the caller to log.
func New(o Options) (l *Log, err error) {
	if o.Dir == "" {
		o.Dir = Dir()
	}
	if o.Last <= 0 {
		o.Last = DefaultLast
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	opts := &slog.HandlerOptions{Level: o.Level, ReplaceAttr: Redact}
	l = &Log{Recorder: NewRecorder(o.Last)}
	handlers := []slog.Handler{l.Recorder.Handler()}
	if o.Stderr != nil {
		handlers = append(handlers, slog.NewTextHandler(o.Stderr, opts))
	}
	if o.File != nil {
		l.file = NewAsync(o.File, o.Buffer)
		handlers = append(handlers, slog.NewTextHandler(l.file, opts))
	} else if err = os.MkdirAll(o.Dir, 0o700); err == nil {
		l.Path = filepath.Join(o.Dir, FileName)
		l.file = NewAsync(&lumberjack.Logger{
			Filename:   l.Path,
			MaxSize:    MaxSizeMB,
			MaxBackups: MaxBackups,
		}, o.Buffer)
		handlers = append(handlers, slog.NewTextHandler(l.file, opts))
	}
	l.Logger = slog.New(&handler{Handler: slog.NewMultiHandler(handlers...), log: l})
	return l, err
}

// Dropped is how many lines the file lost to a slow disk so far.
func (l *Log) Dropped() int64 {
	if l.file == nil {
		return 0
	}
	return l.file.Dropped()
}

// Close writes what is still buffered, within CloseWait, and closes the
// file.
func (l *Log) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// handler is the MultiHandler of a Log, which also answers LastErrors for
// whoever holds only the *slog.Logger (the tray's diagnostics).
type handler struct {
	slog.Handler
	log *Log
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handler{Handler: h.Handler.WithAttrs(attrs), log: h.log}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{Handler: h.Handler.WithGroup(name), log: h.log}
}

// LastErrors returns the last warnings and errors, oldest first.
func (h *handler) LastErrors() []string { return h.log.Recorder.Lines() }

// fileInfo names the log file and how many lines it lost.
func (h *handler) fileInfo() (path string, dropped int64) { return h.log.Path, h.log.Dropped() }

// LastErrors returns the last warnings and errors logged through log,
// oldest first, when log was made by New (or derived from it with With or
// WithGroup); nil otherwise.
func LastErrors(log *slog.Logger) []string {
	if log == nil {
		return nil
	}
	if h, ok := log.Handler().(interface{ LastErrors() []string }); ok {
		return h.LastErrors()
	}
	return nil
}

// FileOf names the log file of log and how many lines it dropped, when log
// was made by New; ok is false otherwise.
func FileOf(log *slog.Logger) (path string, dropped int64, ok bool) {
	if log == nil {
		return "", 0, false
	}
	if h, is := log.Handler().(*handler); is {
		path, dropped = h.fileInfo()
		return path, dropped, true
	}
	return "", 0, false
}
