#!/usr/bin/env python3
"""Serve the demo page of the web chat widget (web/) on loopback.

    python scripts/serve_web.py [--port 8080] [--bind 127.0.0.1]

Why not ``python -m http.server``: it lists directories and would serve
everything under web/, node_modules/ and the build files included. This
server answers only ``index.html``, ``demo.css`` and ``static/`` (the built
widget, see web/build.mjs); anything else is a 404. Standard library only.
"""

import argparse
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

WEB = Path(__file__).resolve().parent.parent / "web"
PUBLIC_FILES = {"/", "/index.html", "/demo.css"}
PUBLIC_DIRECTORY = "/static/"


class DemoPageHandler(SimpleHTTPRequestHandler):
    """Static files of web/ that a visitor may see, nothing else."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }

    def __init__(self, *args: Any, quiet: bool = False, **kwargs: Any) -> None:
        self.quiet = quiet
        super().__init__(*args, directory=str(WEB), **kwargs)

    def send_head(self) -> Any:
        path = unquote(urlsplit(self.path).path)
        public = path in PUBLIC_FILES or (
            path.startswith(PUBLIC_DIRECTORY) and not path.endswith("/") and "/." not in path
        )
        if not public:
            self.send_error(404)
            return None
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # A demo: the widget file changes with each build.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--bind", default="127.0.0.1", help="address to listen on (default: loopback only)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()
    if not (WEB / "static" / "webchat.js").is_file():
        print(
            "web/static/webchat.js is missing: run `npm ci && npm run build` in web/",
            file=sys.stderr,
        )
        return 1
    server = ThreadingHTTPServer((args.bind, args.port), partial(DemoPageHandler, quiet=args.quiet))
    host = "localhost" if args.bind in ("127.0.0.1", "::1") else args.bind
    print(
        f"Demo page on http://{host}:{args.port}/ "
        "(add ?socket=http://host:port for another Rasa server)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
