// Package backendtest is the test harness the server kinds' tests share:
// Run drives a real conn.Client, records what it delivers and breaks its
// link or its server on cue (CutAndReconnect, Outage), Proxy stands between
// a client and a real server so a test can cut or freeze the link, and
// PublishDuring keeps tasks coming while a test breaks things. Import it
// from _test.go files only.
//
// It does not own any server, real or fake (internal/servers, and each
// kind's own fakes), or what a kind's test asserts.
package backendtest
