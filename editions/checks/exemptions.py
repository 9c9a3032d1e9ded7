"""Article → the checks that cannot apply to it, each with the reason it says aloud.

An exemption is reported by name ("exempt: why"), never counted as a pass.
"""

from __future__ import annotations

from editions.audio.voices import primary

#: Whisper tiny.en, the offline recogniser the back-check runs, knows only English.
ASR_LANGUAGES = ("en",)
#: The checks the ASR back-check runs, each exempt by name for another language.
ASR_CHECKS = (
    "ASR word accuracy (ASR001)",
    "ASR per-sentence floor (ASR002, ASR003)",
)


def asr(lang: str) -> str:
    """Return why the ASR back-check cannot judge audio in *lang*, or ""."""
    if primary(lang) in ASR_LANGUAGES:
        return ""
    return (
        f"{' and '.join(ASR_CHECKS)}: Whisper tiny.en recognises English only, "
        f"so audio in {lang!r} cannot be back-checked"
    )
