module example.invalid/socketio-emitter/emitter

go 1.19
