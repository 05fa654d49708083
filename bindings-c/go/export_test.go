package emitter

// What the tests of package emitter_test (topology_test.go, whose snippets are the README's
// and so spell the package name) use of this package's test helpers.

import "testing"

// Harness is the interop harness (harness_test.go).
type Harness = harness

// StartHarness starts a harness with these command-line arguments.
func StartHarness(args ...string) (*Harness, error) { return startHarness(args...) }

// Client is a recording socket.io client to connect in Setup.
func Client(name string, server int, rooms ...any) client {
	return client{name: name, server: server, rooms: rooms}
}

// WithData gives the client's socket this socket.data.
func (c client) WithData(data any) client { c.data = data; return c }

// WithAck makes the client acknowledge broadcasts with this value.
func (c client) WithAck(ack any) client { c.ack = ack; return c }

// SharedHarness is the harness TestMain started (two servers, classic adapter, handlers of
// AskMe that acknowledge).
func SharedHarness() *Harness { return h }

// AskMe is the serverSideEmit event whose handlers acknowledge on the shared harness.
const AskMe = askMe

// Setup connects clients in nsp and waits until every server listens there; it returns
// each client's socket id by name.
func (hh *harness) Setup(t *testing.T, nsp string, clients ...client) map[string]string {
	return hh.setup(t, nsp, clients...)
}

// Received flushes, then returns the events (names and args) each client got, and every line.
func (hh *harness) Received(t *testing.T) (map[string][]string, map[string][][]any, []map[string]any) {
	return hh.received(t)
}

// Close shuts the harness down.
func (hh *harness) Close() { hh.close() }
