//! The `socketio-emit` binary: everything is in the library ([`socketio_emit_cli::run`]).

fn main() {
    std::process::exit(socketio_emit_cli::run(std::env::args_os()));
}
