package emitter

/*
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include "socketio_emitter.h"

// The C library's blocking calls write the command and read Redis' answer on the calling
// thread, from a socket with a receive timeout; a signal arriving during that read fails it
// with EINTR (SA_RESTART does not restart socket reads that have a timeout), and the call with
// CONNECTION. The Go runtime signals its own threads (SIGURG preempts goroutines, and the
// garbage collector uses it), so these wrappers hold asynchronous signals back for the call;
// a held signal is delivered as soon as the mask is restored, or to another thread.
static void sioe_go_hold(sigset_t *old) {
	sigset_t held;
	sigfillset(&held);
	// Faults stay deliverable: holding them back would not stop them.
	sigdelset(&held, SIGSEGV);
	sigdelset(&held, SIGBUS);
	sigdelset(&held, SIGFPE);
	sigdelset(&held, SIGILL);
	sigdelset(&held, SIGTRAP);
	sigdelset(&held, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &held, old);
}

typedef sioe_status (*sioe_go_event_fn)(const sioe_emitter *, const char *, size_t, const char *, size_t,
	const sioe_buffers *, uint64_t *, sioe_error **);

static sioe_status sioe_go_event(sioe_go_event_fn fn, const sioe_emitter *em, const char *ev, size_t ev_len,
		const char *js, size_t js_len, const sioe_buffers *bufs, uint64_t *out, sioe_error **err) {
	sigset_t old;
	sioe_go_hold(&old);
	sioe_status status = fn(em, ev, ev_len, js, js_len, bufs, out, err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}

static sioe_status sioe_go_rooms(bool join, const sioe_emitter *em, const char *rooms, size_t len, uint64_t *out,
		sioe_error **err) {
	sigset_t old;
	sioe_go_hold(&old);
	sioe_status status = join ? sioe_emitter_sockets_join(em, rooms, len, out, err)
		: sioe_emitter_sockets_leave(em, rooms, len, out, err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}

static sioe_status sioe_go_disconnect(const sioe_emitter *em, bool close, uint64_t *out, sioe_error **err) {
	sigset_t old;
	sioe_go_hold(&old);
	sioe_status status = sioe_emitter_disconnect_sockets(em, close, out, err);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}
*/
import "C"

// The blocking calls that may publish on the calling thread, each with signals held back
// (see sioe_go_hold above).

func emitHeld(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t, bufs *C.sioe_buffers,
	out *C.uint64_t, cerr **C.sioe_error) C.sioe_status {
	return C.sioe_go_event(C.sioe_go_event_fn(C.sioe_emitter_emit), h, ev, evLen, js, jsLen, bufs, out, cerr)
}

func serverSideEmitHeld(h *C.sioe_emitter, ev *C.char, evLen C.size_t, js *C.char, jsLen C.size_t,
	bufs *C.sioe_buffers, out *C.uint64_t, cerr **C.sioe_error) C.sioe_status {
	return C.sioe_go_event(C.sioe_go_event_fn(C.sioe_emitter_server_side_emit), h, ev, evLen, js, jsLen, bufs, out, cerr)
}

func roomsHeld(join bool, h *C.sioe_emitter, rooms *C.char, n C.size_t, out *C.uint64_t, cerr **C.sioe_error) C.sioe_status {
	return C.sioe_go_rooms(C.bool(join), h, rooms, n, out, cerr)
}

func disconnectHeld(h *C.sioe_emitter, close bool, out *C.uint64_t, cerr **C.sioe_error) C.sioe_status {
	return C.sioe_go_disconnect(h, C.bool(close), out, cerr)
}
