package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"tasktray/auth"
)

func TestStatusErr(t *testing.T) {
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "push.example.com", Path: "/message", RawQuery: "since=5"}}
	for _, tt := range []struct {
		status   int
		location string
		want     error
		message  string
	}{
		{http.StatusFound, "https://elsewhere.example.com/x?token=secret", auth.ErrNotServer,
			"not a server of this kind: push.example.com/message redirects to https://elsewhere.example.com; use that address"},
		{http.StatusFound, "", auth.ErrNotServer,
			"not a server of this kind: push.example.com/message redirects (302 Found)"},
		{http.StatusTooManyRequests, "", auth.ErrUnreachable,
			"server unreachable: push.example.com/message answered 429 Too Many Requests; try again later"},
		{http.StatusBadGateway, "", auth.ErrUnreachable,
			"server unreachable: push.example.com/message answered 502 Bad Gateway; try again later"},
		{http.StatusNotFound, "", auth.ErrNotServer,
			"not a server of this kind: push.example.com/message answered 404 Not Found"},
	} {
		t.Run(http.StatusText(tt.status)+tt.location, func(t *testing.T) {
			status := strconv.Itoa(tt.status) + " " + http.StatusText(tt.status)
			resp := &http.Response{StatusCode: tt.status, Status: status, Header: http.Header{}, Request: req}
			if tt.location != "" {
				resp.Header.Set("Location", tt.location)
			}
			err := StatusErr(resp)
			if !errors.Is(err, tt.want) || err.Error() != tt.message {
				t.Errorf("StatusErr = %q, want %q wrapping %v", err, tt.message, tt.want)
			}
		})
	}
}

func TestRequestErr(t *testing.T) {
	ctx := context.Background()
	dial := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://push.example.com/version?x=1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	for _, tt := range []struct {
		name    string
		err     error
		want    error
		message string
	}{
		{"no such host", dial(&net.DNSError{Err: "no such host", Name: "push.example.com", IsNotFound: true}), auth.ErrUnreachable,
			"server unreachable: no host named push.example.com"},
		{"lookup failed", dial(&net.DNSError{Err: "server misbehaving", Name: "push.example.com"}), auth.ErrUnreachable,
			"server unreachable: cannot look up push.example.com"},
		{"other", dial(errors.New("network is unreachable")), auth.ErrUnreachable,
			"server unreachable: cannot talk to push.example.com:443 (dial tcp: network is unreachable)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := RequestErr(ctx, "push.example.com:443", tt.err)
			if !errors.Is(err, tt.want) || err.Error() != tt.message {
				t.Errorf("RequestErr = %q, want %q wrapping %v", err, tt.message, tt.want)
			}
		})
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := RequestErr(cancelled, "push.example.com", &url.Error{Op: "Get", URL: "https://push.example.com", Err: context.Canceled}); err != context.Canceled {
		t.Errorf("cancelled: %v, want context.Canceled itself", err)
	}
}
