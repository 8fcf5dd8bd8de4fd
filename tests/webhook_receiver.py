"""A real HTTP receiver of webhooks on a loopback port, for the tests, and the check a receiver
makes (README's example): the signature, the timestamp's age, and the ids already seen."""

import base64
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Refused(Exception):
    pass


def verify(secret, headers, body, *, seen, tolerance=300, now=None):
    """What a receiver does with each request: 'new' or 'repeat' (an id seen before: a retry
    whose answer was lost, or one sent again), or Refused (forged, altered or replayed late)."""
    event_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise Refused("timestamp too far from now")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{event_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [
        item.split(",", 1)[1]
        for item in headers["webhook-signature"].split()
        if item.startswith("v1,")
    ]
    if not any(hmac.compare_digest(expected, signature) for signature in offered):
        raise Refused("bad signature")
    if event_id in seen:
        return "repeat"
    seen.add(event_id)
    return "new"


class Receiver:
    def __init__(self):
        self.requests = []  # (headers, body bytes, monotonic time)
        self.fail = {}  # event type: how many of its requests to answer 500
        self.answer = None  # (status, headers) for every request, if set
        self.hold = None  # a threading.Event: the first request waits for it before answering
        self.lock = threading.Lock()

    def bodies(self):
        return [json.loads(body) for _, body, _ in self.requests]

    def of_type(self, event_type):
        return [
            (headers, body, when)
            for headers, body, when in self.requests
            if json.loads(body)["type"] == event_type
        ]


@contextmanager
def running_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {name.lower(): value for name, value in self.headers.items()}
            hold = receiver.hold
            with receiver.lock:
                receiver.requests.append((headers, body, time.monotonic()))
                receiver.hold = None
                event_type = json.loads(body)["type"]
                status, extra = 200, {}
                if receiver.answer:
                    status, extra = receiver.answer
                elif receiver.fail.get(event_type):
                    receiver.fail[event_type] -= 1
                    status = 500
            if hold is not None:
                hold.wait(30)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            answer = b"x" * 5000 if status == 500 else b"ok"
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/newsroom"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
