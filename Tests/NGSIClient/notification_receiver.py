#!/usr/bin/env python3
"""A notification endpoint for the subscription reliability test: appends each POST body as one
JSON line to --out (flushed and synced before it answers 204), so what it acknowledged is on
disk even if it is killed. Started again with the same --port after being stopped.

    python3 notification_receiver.py --port 0 --out notifications.jsonl --ready port.txt
"""

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ready", required=True, help="file the listening port is written to")
    args = parser.parse_args()
    out = open(args.out, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            out.write(json.dumps(json.loads(body)) + "\n")
            out.flush()
            os.fsync(out.fileno())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    HTTPServer.allow_reuse_address = True
    server = HTTPServer(("127.0.0.1", args.port), Handler)
    with open(args.ready + ".tmp", "w") as ready:
        ready.write(str(server.server_address[1]))
    os.replace(args.ready + ".tmp", args.ready)
    server.serve_forever()


if __name__ == "__main__":
    main()
