"""DynamoDB emulator of the local stack: moto's server, applying one request at a time.

DynamoDB applies a TransactWriteItems or a conditional write atomically. moto checks the
conditions and then writes in separate Python steps, with no lock, and its server is
threaded: two concurrent requests could both pass a condition that only one should. Our
uniqueness guards depend on that atomicity, so requests are serialised here. Connections
are still accepted concurrently, so an idle keep-alive connection never blocks another.

Usage: python dynamodb.py --port PORT   (binds 127.0.0.1 only)
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class OneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # Drain the response inside the lock: WSGI apps may do their work lazily.
            return list(self.app(environ, start_response))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        "127.0.0.1",
        args.port,
        OneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
