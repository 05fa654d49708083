"""``python -m socketio_emitter ARGS``: the same as the ``socketio-emit`` command."""

from ._cli import main

if __name__ == "__main__":
    main()
