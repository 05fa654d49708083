module socketio-emitter-bench

go 1.19

require example.invalid/socketio-emitter/emitter v0.0.0

replace example.invalid/socketio-emitter/emitter => ../../../bindings-c/go
