"""The orders function: an HTTP server on Function Compute's custom runtime.

Python comes from the official Python310 layer, the fcgreet package from the Python layer
(found through PYTHONPATH=/opt/python, which FunctionWithLayers sets because custom runtimes add
no layer path) and the `ms` formatter from the Node.js layer (NODE_PATH), used when a `node`
binary is on PATH.
"""
import json
import shutil
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer

from fcgreet import greet

FORMAT_JS = "process.stdout.write(require('ms')(Number(process.argv[1]), { long: true }));"


def waited(ms: int) -> str:
    if shutil.which("node"):
        return subprocess.run(["node", "-e", FORMAT_JS, str(ms)], capture_output=True, text=True, check=True).stdout
    return f"{ms} ms"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        reply = {"message": greet(body.get("customer", "customer")), "waited": waited(int(body.get("waitedMs", 0)))}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 9000), Handler).serve_forever()
