package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"tasktray/auth"
)

// drainLimit is how much of an unread body CloseBody reads so that the
// connection can be reused; a longer body costs a new connection instead.
const drainLimit = 64 << 10

// Do sends req and sorts a transport failure into the auth errors
// (RequestErr).
func Do(client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, RequestErr(req.Context(), req.URL.Host, err)
	}
	return resp, nil
}

// DoJSON sends req and decodes a 200 answer of at most limit bytes into v.
// Any other status is a StatusErr.
func DoJSON(client *http.Client, req *http.Request, limit int64, v any) error {
	resp, err := Do(client, req)
	if err != nil {
		return err
	}
	defer CloseBody(resp)
	if resp.StatusCode != http.StatusOK {
		return StatusErr(resp)
	}
	return DecodeJSON(resp, limit, v)
}

// DecodeJSON decodes at most limit bytes of resp's body into v: a wrong
// server must not make us read a video. A body that is not JSON of v's
// shape wraps auth.ErrNotServer.
func DecodeJSON(resp *http.Response, limit int64, v any) error {
	err := json.NewDecoder(io.LimitReader(resp.Body, limit)).Decode(v)
	if err == nil {
		return nil
	}
	what := msgNotJSON
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
		what = msgWebPage
	}
	return msgAnsweredWith.Err(auth.ErrNotServer, resp.Request.URL.Host, resp.Request.URL.Path, what.String())
}

// CloseBody drains a little of the body so the connection can be reused,
// then closes it.
func CloseBody(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	resp.Body.Close()
}
