package emitter

// What the tests of package emitter_test (topology_test.go, whose snippets are the README's
// and so spell the package name) use of this package's test helpers.

import "testing"

// Harness is the interop harness (harness_test.go).
type Harness = harness

// StartHarness starts a harness with these command-line arguments.
func StartHarness(args ...string) (*Harness, error) { return startHarness(args...) }

// Client is a recording socket.io client to connect in Setup.
func Client(name string, server int, rooms ...any) client { return client{name, server, rooms} }

// Setup connects clients in nsp and waits until every server listens there.
func (hh *harness) Setup(t *testing.T, nsp string, clients ...client) { hh.setup(t, nsp, clients...) }

// Received flushes, then returns the events (names and args) each client got, and every line.
func (hh *harness) Received(t *testing.T) (map[string][]string, map[string][][]any, []map[string]any) {
	return hh.received(t)
}

// Close shuts the harness down.
func (hh *harness) Close() { hh.close() }
