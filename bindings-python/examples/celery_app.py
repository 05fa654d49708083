import os

from celery import Celery

from socketio_emitter import Emitter

app = Celery("tasks", broker=os.environ.get("CELERY_BROKER_URL", "memory://"))

# Created in the parent before the prefork pool forks; each child process reconnects
# on its first emit (the parent's connection is never reused).
io = Emitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))


@app.task
def report_progress(job_id: str, percent: int) -> int:
    return io.to(f"job:{job_id}").emit("progress", {"job": job_id, "percent": percent})
