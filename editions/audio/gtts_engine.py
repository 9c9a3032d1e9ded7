"""Google Translate text-to-speech (gTTS) as an `Engine`, made safe for long books.

gTTS is an unofficial web endpoint: it rate-limits (429), has outages (5xx) and can
be unreachable. A book is thousands of sentences, so the engine throttles, retries
with backoff and, when it finally gives up, says plainly what happened and how to
carry on. gtts itself packs the request (tokenising and the `batchexecute` RPC body);
this module sends it, so the URL, timeout and retries are ours to control and a
local stand-in can replace Google in tests.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import os
import random
import re
import subprocess
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import numpy as np
import requests
from gtts import gTTS
from gtts.lang import tts_langs

from editions.audio.engine import (  # the service's errors: see `engine`
    Speech,
    SpeechServiceError,
    SpeechServiceUnavailable,
)
from editions.programs import ffmpeg_exe

#: Environment variable that points the engine at another endpoint (a stand-in).
URL_ENV = "EDITIONS_GTTS_URL"
#: The path gtts posts to, below the Google Translate host.
RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
#: gTTS replies with 24 kHz mono MP3; decoding at that rate avoids resampling.
SAMPLE_RATE = 24_000
#: Defaults for a whole book: at most two requests a second, four attempts with
#: exponential backoff from one second, ten seconds to answer. Read when an engine
#: is made, so a test can shrink them for the whole build.
MIN_INTERVAL = 0.5
ATTEMPTS = 4
BACKOFF = 1.0
TIMEOUT = 10.0

_AUDIO_RE = re.compile(r'jQ1olc","\[\\"(.*)\\"]')


#: gTTS accents by region: the Google host (tld) that speaks each variety.
_REGION_TLDS = {
    "au": "com.au", "ca": "ca", "gb": "co.uk", "ie": "ie", "in": "co.in",
    "nz": "co.nz", "za": "co.za", "us": "com",
}  # fmt: skip


def for_language(tag: str) -> dict[str, str]:
    """Return GttsEngine's lang and tld for a BCP 47 tag ("en-GB" → en, co.uk)."""
    primary, _, rest = tag.replace("_", "-").partition("-")
    region = rest.split("-")[-1].lower() if rest else ""
    return {"lang": primary.lower(), "tld": _REGION_TLDS.get(region, "com")}


def default_url(tld: str = "com") -> str:
    """Return the real Google Translate host for *tld*."""
    return f"https://translate.google.{tld}"


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta-seconds or HTTP date).

    Fractional seconds are accepted too (not standard, but harmless and handy for
    tests); anything unparsable is ignored rather than trusted.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


find_ffmpeg = ffmpeg_exe  # the name the gTTS stand-in imports


def decode_mp3(data: bytes, sample_rate: int = SAMPLE_RATE) -> Speech:
    """Decode MP3 bytes to mono float32 samples with ffmpeg."""
    cmd = [
        find_ffmpeg(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        "pipe:0",
        "-f",
        "f32le",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "pipe:1",
    ]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise SpeechServiceError(f"gTTS audio could not be decoded as MP3: {detail}")
    samples = np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)
    return Speech(np.clip(samples, -1.0, 1.0), sample_rate)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe(exc: requests.RequestException, timeout: float) -> str:
    """Say in plain words why a request failed (timeout, refused, reset...)."""
    if isinstance(exc, requests.Timeout):
        return f"timeout: no reply within {timeout:g} s"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing is listening there)"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "RemoteDisconnected" in text or "without response" in text:
        return "the server closed the connection without replying"
    if "Name or service not known" in text or "NameResolutionError" in text:
        return "host name could not be resolved (no network?)"
    return f"connection failed ({type(exc).__name__}: {text})"


class GttsEngine:
    """Speech from gTTS, throttled and retried, decoded to 24 kHz mono float32.

    The endpoint is *base_url* if given, else ``$EDITIONS_GTTS_URL``, else Google's.
    The engine keeps no disk cache; wrap it with `SentenceCache` for resumable runs.
    """

    name = "gtts"
    parallel = False  # one request at a time: the throttle would serialise them

    def __init__(
        self,
        lang: str = "en",
        tld: str = "com",
        slow: bool = False,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        min_interval: float | None = None,
        attempts: int | None = None,
        backoff: float | None = None,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if lang not in tts_langs():
            raise ValueError(f"gTTS does not support language {lang!r}")
        attempts = ATTEMPTS if attempts is None else attempts
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.lang = lang
        self.tld = tld
        self.slow = slow
        base = base_url or os.environ.get(URL_ENV) or default_url(tld)
        base = base.rstrip("/")
        self.url = base if base.endswith(RPC_PATH) else base + RPC_PATH
        self.timeout = TIMEOUT if timeout is None else timeout
        self.min_interval = MIN_INTERVAL if min_interval is None else min_interval
        self.attempts = attempts
        self.backoff = BACKOFF if backoff is None else backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._throttle_lock = threading.Lock()
        self._last_request = float("-inf")
        self._local = threading.local()

    def cache_key(self) -> str:
        """Name every setting that changes the sound (the URL does not)."""
        return f"{self.name}:lang={self.lang}:tld={self.tld}:slow={self.slow}"

    def speak(self, text: str) -> Speech:
        """Synthesise one sentence; gtts splits it into <=100-character requests."""
        silence = Speech(np.zeros(0, dtype=np.float32), SAMPLE_RATE)
        if not text.strip():
            return silence
        tts = gTTS(text, tld=self.tld, lang=self.lang, slow=self.slow, lang_check=False)
        try:
            bodies = tts.get_bodies()
        except AssertionError:  # gtts' way of saying "only punctuation, nothing to say"
            return silence
        mp3 = b"".join(self._post(body) for body in bodies)
        return decode_mp3(mp3)

    # -- HTTP -------------------------------------------------------------------

    def _session(self) -> requests.Session:
        """One session per thread: connection reuse without sharing across threads."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(gTTS.GOOGLE_TTS_HEADERS)
            # A proxy from the environment must not capture a local stand-in.
            session.trust_env = not _is_loopback(self.url)
            self._local.session = session
        return session

    def _throttle(self) -> None:
        """Keep at least *min_interval* between request starts, across threads."""
        with self._throttle_lock:
            wait = self._last_request + self.min_interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last_request = time.monotonic()

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter, never shorter than Retry-After."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        return max(delay, retry_after or 0.0)

    def _post(self, body: str | bytes | None) -> bytes:
        """Send one RPC body, retrying transient failures; return the MP3 bytes."""
        what = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            self._throttle()
            retry_after: float | None = None
            try:
                reply = self._session().post(self.url, data=body, timeout=self.timeout)
            except requests.RequestException as exc:
                what = _describe(exc, self.timeout)
            else:
                status = reply.status_code
                if status == 200:
                    return self._audio(reply)
                what = f"HTTP {status} {reply.reason or ''}".rstrip()
                if status != 429 and status < 500:
                    raise SpeechServiceError(
                        f"The gTTS service at {self.url} refused the request: {what}. "
                        "Retrying will not help; check the language and tld settings "
                        "(or the service changed its API)."
                    )
                retry_after = parse_retry_after(reply.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.max_retry_after:
                    what += f"; asked to retry after {retry_after:.0f} s"
                    raise SpeechServiceUnavailable(self.url, what, attempt)
            if attempt < self.attempts:
                self._sleep(self._delay(attempt, retry_after))
        raise SpeechServiceUnavailable(self.url, what, self.attempts)

    def _audio(self, reply: requests.Response) -> bytes:
        """Pull the base64 MP3 out of a batchexecute reply, as gtts does."""
        for line in reply.text.splitlines():
            if "jQ1olc" in line:
                found = _AUDIO_RE.search(line)
                if found:
                    return base64.b64decode(found.group(1).encode("ascii"))
        raise SpeechServiceError(
            f"The gTTS service at {self.url} replied without audio "
            f"(unsupported language {self.lang!r}, or the service changed its API)."
        )
