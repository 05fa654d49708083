module socketio-emitter-bench

go 1.19

require github.com/socketio-emitter/socketio-emitter/go/emitter v0.0.0

replace github.com/socketio-emitter/socketio-emitter/go/emitter => ../../../bindings-c/go
