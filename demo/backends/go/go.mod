module socketio-emitter-demo/backend

go 1.19

require github.com/socketio-emitter/socketio-emitter/go/emitter v0.0.0

// The repository's wrapper; an application leaves this line out and `go get`s the module.
replace github.com/socketio-emitter/socketio-emitter/go/emitter => ../../../bindings-c/go
