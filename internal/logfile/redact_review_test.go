package logfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// nopCloser makes a bytes.Buffer the log's file.
type reviewFile struct{ bytes.Buffer }

func (*reviewFile) Close() error { return nil }

// The package promises a second line of defence: a token must not reach
// the file. A token rides most often inside a URL's query (?token=, as ntfy
// and Gotify clients pass it) or inside an error that quotes that URL
// (net/http and websocket dial errors do). Neither key names a secret.
func TestReviewTokenInURLNotInFile(t *testing.T) {
	const secret = "s3cretTOKENvalue"
	f := &reviewFile{}
	var stderr bytes.Buffer
	l, err := New(Options{File: f, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("connecting", "url", "wss://tasks.example.com/ws?token="+secret)
	l.Warn("link down", "err", errors.New(`dial "wss://tasks.example.com/ws?auth=`+secret+`": connection refused`))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"file": f.String(), "stderr": stderr.String(), "recorder": strings.Join(l.Recorder.Lines(), "\n")} {
		if strings.Contains(out, secret) {
			t.Errorf("the token is in the %s:\n%s", name, out)
		}
	}
}
