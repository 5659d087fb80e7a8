"""The socket.io channel of the web chat widget, open only to the firm's own pages.

Rasa's stock ``SocketIOInput`` creates ``AsyncServer(cors_allowed_origins=[])``.
In python-engineio an empty list is a special value: it turns origin handling
off entirely. No ``Origin`` header is checked and no CORS header is sent, so
any website can open a WebSocket to the bot from its visitors' browsers
(WebSockets are not subject to CORS), and only Sanic-Cors (``rasa run --cors``)
decides for the HTTP long-polling transport.

``WebchatInput`` differs from the stock channel in four ways:

1. Engine.IO gets the list of ``WEBCHAT_ALLOWED_ORIGINS`` (comma-separated,
   default ``http://localhost:8080,http://127.0.0.1:8080``). A request with an
   ``Origin`` outside the list is answered 400 before any socket.io event, on
   both transports, and the polling answers carry CORS headers for the listed
   origins only. An empty or ``*`` value is refused at start-up rather than
   silently opening the bot to every site.
2. Sanic-Cors is told that Engine.IO has answered CORS for ``/socket.io/``.
   Otherwise, with ``--cors`` listing the same origins, the polling answers
   would carry ``Access-Control-Allow-Origin`` twice, which browsers reject.
3. ``enter_room`` is awaited when python-socketio returns a coroutine
   (>= 5.10): the stock channel does not await it, so with session
   persistence the visitor never joins the room the answers are sent to.
4. Sessions: the server issues the session ids and signs them
   (``channels/sessions.py``, ``WEBCHAT_SESSION_SECRET``); a ``session_request``
   with an id this deployment did not sign starts a new conversation, and a
   socket may speak only in the session it joined (the stock channel takes any
   string, and any ``session_id`` on a message).

Like every project channel, messages pass through ``channels.guard.guarded``
(length bound, rate limit, apology instead of silence).

A request without an ``Origin`` header (curl, a server) is not refused: the
list keeps other websites from using the bot through their visitors' browsers,
it does not authenticate clients.
"""

import inspect
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import urlsplit

import rasa.core.channels.channel
import rasa.shared.utils.io
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

from channels.bounds import MAX_BODY_BYTES
from channels.guard import guarded
from channels.sessions import conversation_of, issue
from channels.texts import channel_text
from channels.visitor import pseudonym, request_pseudonym, visitor_metadata

logger = logging.getLogger(__name__)

ALLOWED_ORIGINS_VARIABLE = "WEBCHAT_ALLOWED_ORIGINS"
DEFAULT_ALLOWED_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_allowed_origins(value: Optional[Text]) -> List[Text]:
    """The origins of a comma-separated list, written as browsers send them.

    Browsers send ``scheme://host[:port]`` in lower case, without a default
    port or a trailing slash; Engine.IO compares strings exactly, so the list
    is normalised the same way. Anything that is not an origin is refused.
    """
    if value is None:
        value = DEFAULT_ALLOWED_ORIGINS
    origins: List[Text] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        parts = urlsplit(item.rstrip("/"))
        if (
            parts.scheme.lower() not in DEFAULT_PORTS
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
            or parts.password
        ):
            raise ValueError(
                f"{ALLOWED_ORIGINS_VARIABLE}: {item!r} is not an origin "
                "(scheme://host[:port], e.g. https://fr-consultants.com)."
            )
        scheme = parts.scheme.lower()
        port = parts.port
        origin = f"{scheme}://{parts.hostname.lower()}"
        if port is not None and port != DEFAULT_PORTS[scheme]:
            origin += f":{port}"
        if origin not in origins:
            origins.append(origin)
    if not origins:
        # python-engineio reads [] as "check nothing": refuse it.
        raise ValueError(
            f"{ALLOWED_ORIGINS_VARIABLE} lists no origin; name the pages that embed "
            f"the widget (default {DEFAULT_ALLOWED_ORIGINS})."
        )
    return origins


class WebchatBlueprint(SocketBlueprint):
    """Attaches the socket.io server and keeps Sanic-Cors off its path."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        path = "/" + self.ctx.socketio_path.strip("/")

        async def engineio_answers_cors(request: Request) -> None:
            if request.path == path or request.path.startswith(path + "/"):
                # Sanic-Cors skips a request its own decorator marked as answered.
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        app.register_middleware(engineio_answers_cors, "request")


class WebchatInput(SocketIOInput):
    """Rasa's socket.io channel, restricted to the origins of the firm's pages."""

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        session_persistence: bool = False,
        socketio_path: Optional[Text] = "/socket.io",
        jwt_key: Optional[Text] = None,
        jwt_method: Optional[Text] = "HS256",
        metadata_key: Optional[Text] = "metadata",
        allowed_origins: Optional[List[Text]] = None,
    ) -> None:
        super().__init__(
            user_message_evt,
            bot_message_evt,
            namespace,
            session_persistence,
            socketio_path,
            jwt_key,
            jwt_method,
            metadata_key,
        )
        if allowed_origins is None:
            allowed_origins = parse_allowed_origins(os.environ.get(ALLOWED_ORIGINS_VARIABLE))
        self.allowed_origins = allowed_origins
        # The visitor (pseudonymised address) of each connected socket, for the flood limits.
        self.visitors: Dict[Text, Text] = {}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint, with the allowed origins and an awaited ``enter_room``."""
        on_new_message = guarded(on_new_message)
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.allowed_origins,
            max_http_buffer_size=MAX_BODY_BYTES,
        )
        socketio_webhook = WebchatBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        logger.info("socket.io accepts the origins %s", ", ".join(self.allowed_origins))

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            # Engine.IO's Sanic driver writes 127.0.0.1 as REMOTE_ADDR: ask Sanic.
            self.visitors[sid] = request_pseudonym(environ["sanic.request"])
            if not self.jwt_key:
                return True
            payload = None
            if auth and auth.get("token"):
                payload = rasa.core.channels.channel.decode_bearer_token(
                    auth.get("token"), self.jwt_key, self.jwt_algorithm
                )
            return bool(payload)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            self.visitors.pop(sid, None)
            logger.debug("User %s disconnected from the socket.io endpoint.", sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if conversation_of(session_id) is None:
                # Not signed by this deployment: a new conversation, whatever id was sent.
                session_id = issue()
            if self.session_persistence:
                # The room is the conversation (Rasa sends the answers to its sender id).
                room = conversation_of(session_id)
                entered = sio.enter_room(sid, room, namespace=self.namespace)
                if inspect.isawaitable(entered):  # python-socketio >= 5.10
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            output_channel = SocketIOOutput(sio, self.bot_message_evt)
            text = data.get("message", "") if isinstance(data, dict) else None
            if not isinstance(text, str):  # UserMessage would raise on it
                await output_channel.send_text_message(sid, channel_text("utter_message_not_text"))
                return
            if self.session_persistence:
                sender_id = conversation_of(data.get("session_id"))
                if not sender_id or sender_id not in sio.rooms(sid, namespace=self.namespace):
                    # A socket speaks only in the session it asked for.
                    rasa.shared.utils.io.raise_warning(
                        "A message without the session_id of its socket was ignored: "
                        "send `session_request` first."
                    )
                    return
            else:
                sender_id = sid

            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except (json.JSONDecodeError, RecursionError):
                    metadata = {}
            metadata = visitor_metadata(metadata, self.visitors.get(sid) or pseudonym("unknown"))
            message = UserMessage(
                text,
                output_channel,
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        return socketio_webhook
