"""A local fake group robot (http.server on 127.0.0.1, a random port, its own thread) that checks every
request as the real robots do: 企业微信 (key, markdown ≤ 4096 bytes of UTF-8, image md5 against its base64
and ≤ 2 MB, upload_media's multipart field `media` with filename and filelength, file media_id), 钉钉
(access_token, 加签 timestamp and sign, markdown with a title) and a plain JSON webhook."""
from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WECOM_LIMIT, DINGTALK_LIMIT, IMAGE_LIMIT = 4096, 20000, 2 * 1024 * 1024


@dataclass
class Received:
    path: str
    query: dict
    body: dict | None = None
    upload: tuple[str, int, bytes] | None = None   # (filename, filelength, content)


@dataclass
class Robot:
    wecom_keys: set = field(default_factory=set)
    dingtalk: dict = field(default_factory=dict)   # access_token -> secret (None: no 加签)
    rate_limited: int = 0                           # answer “too fast” to this many messages first
    refuse_images: int = 0                          # answer an image with 40009 this many times first
    delay: float = 0.0                              # seconds before answering a message
    before_answer: object = None                    # called with each message before it is answered
    received: list = field(default_factory=list)    # accepted messages and uploads
    refused: list = field(default_factory=list)     # (path, errcode, errmsg)
    media: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self, msgtype: str | None = None) -> list[Received]:
        return [r for r in self.received if r.body is not None and (msgtype is None or r.body.get("msgtype") == msgtype)]


def _expected_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class _Handler(BaseHTTPRequestHandler):
    robot: Robot

    def log_message(self, *args):   # quiet
        pass

    def _answer(self, payload: dict, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, errcode: int, errmsg: str) -> None:
        with self.robot.lock:
            self.robot.refused.append((self.path, errcode, errmsg))
        self._answer({"errcode": errcode, "errmsg": errmsg})

    def do_POST(self):   # noqa: N802 (http.server's name)
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if parts.path == "/cgi-bin/webhook/upload_media":
            return self._upload(query, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            return self._refuse(40035, "invalid json")
        if "application/json" not in self.headers.get("Content-Type", ""):
            return self._refuse(43004, "content-type must be application/json")
        received = Received(parts.path, query, body)
        if self.robot.before_answer:
            self.robot.before_answer(received)
        time.sleep(self.robot.delay)
        if parts.path == "/cgi-bin/webhook/send":
            return self._wecom(received)
        if parts.path == "/robot/send":
            return self._dingtalk(received)
        if parts.path == "/hook":
            if not {"title", "text", "date", "figures"} <= set(body):
                return self._answer({"error": "missing fields"}, 400)
            return self._accept(received)
        self._answer({"error": "not found"}, 404)

    def _accept(self, received: Received, **extra) -> None:
        with self.robot.lock:
            self.robot.received.append(received)
        self._answer({"errcode": 0, "errmsg": "ok", **extra})

    def _too_fast(self) -> bool:
        with self.robot.lock:
            if self.robot.rate_limited:
                self.robot.rate_limited -= 1
                return True
        return False

    def _wecom(self, received: Received) -> None:
        body = received.body
        if received.query.get("key") not in self.robot.wecom_keys:
            return self._refuse(93000, "invalid webhook url")
        if self._too_fast():
            return self._refuse(45009, "api freq out of limit")
        kind = body.get("msgtype")
        if kind == "markdown":
            content = body["markdown"]["content"]
            if not content or len(content.encode("utf-8")) > WECOM_LIMIT:
                return self._refuse(40058, "markdown.content exceed max length 4096")
        elif kind == "image":
            picture = base64.b64decode(body["image"]["base64"], validate=True)
            if hashlib.md5(picture).hexdigest() != body["image"]["md5"]:
                return self._refuse(301019, "media md5 not match")
            if len(picture) > IMAGE_LIMIT or not picture.startswith((b"\x89PNG", b"\xff\xd8")):
                return self._refuse(40009, "invalid image size")
            with self.robot.lock:
                refuse = self.robot.refuse_images > 0
                self.robot.refuse_images -= refuse
            if refuse:
                return self._refuse(40009, "invalid image size")
        elif kind == "file":
            if body["file"]["media_id"] not in self.robot.media:
                return self._refuse(40007, "invalid media_id")
        else:
            return self._refuse(40008, "invalid message type")
        self._accept(received)

    def _upload(self, query: dict, raw: bytes) -> None:
        if query.get("key") not in self.robot.wecom_keys or query.get("type") != "file":
            return self._refuse(93000, "invalid webhook url")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw)
        fields = [p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "media"]
        if len(fields) != 1:
            return self._refuse(40004, "media field missing")
        media = fields[0]
        filename = media.get_param("filename", header="content-disposition")
        length = media.get_param("filelength", header="content-disposition")
        content = media.get_payload(decode=True)
        if not filename or length is None or int(length) != len(content) or len(content) <= 5:
            return self._refuse(40006, "invalid file size")
        media_id = uuid.uuid4().hex
        with self.robot.lock:
            self.robot.media[media_id] = filename
            self.robot.received.append(Received("/cgi-bin/webhook/upload_media", query, None,
                                                (filename, int(length), content)))
        self._answer({"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id, "created_at": "0"})

    def _dingtalk(self, received: Received) -> None:
        token = received.query.get("access_token")
        if token not in self.robot.dingtalk:
            return self._refuse(300001, "token is not exist")
        secret = self.robot.dingtalk[token]
        if secret:
            stamp, sign = received.query.get("timestamp", ""), received.query.get("sign", "")
            if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3600_000:
                return self._refuse(310000, "invalid timestamp")
            if sign != _expected_sign(stamp, secret):
                return self._refuse(310000, "sign not match")
        if self._too_fast():
            return self._refuse(130101, "send too fast, exceed 20 times per minute")
        body = received.body
        if body.get("msgtype") != "markdown" or not body["markdown"].get("title") or not body["markdown"].get("text"):
            return self._refuse(40035, "缺少参数 markdown.title/text")
        if len(body["markdown"]["text"].encode()) > DINGTALK_LIMIT:
            return self._refuse(460101, "message too long")
        self._accept(received)


class RobotServer:
    """`with RobotServer(robot) as server:` serves on server.base (http://127.0.0.1:PORT)."""

    def __init__(self, robot: Robot):
        self.robot = robot
        handler = type("Handler", (_Handler,), {"robot": robot})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RobotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wecom(self, key: str) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk(self, token: str) -> str:
        return f"{self.base}/robot/send?access_token={token}"
