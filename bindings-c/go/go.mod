module github.com/socketio-emitter/socketio-emitter/go/emitter

go 1.19
