package emitter

// How cgo finds the C library in the repository: pkg-config, with the .pc file of the debug
// build (make -C bindings-c pc). `make -C bindings-c dist-go` replaces this file in the
// published module: see bindings-c/go/dist/.

// #cgo pkg-config: socketio_emitter
import "C"
