# myproject/realtime.py: one emitter per process (gunicorn/uwsgi workers included).
import os

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from socketio_emitter import Emitter

io = Emitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))


# myapp/views.py
@require_POST
def post_message(request: HttpRequest, room: str) -> JsonResponse:
    text = request.POST["text"]
    # Publish once the data is committed, so clients never see a rolled-back change.
    transaction.on_commit(lambda: io.to(room).emit("message", {"text": text}))
    return JsonResponse({"queued": True})
