"""Voices: the per-language choice, the cache key, determinism and the lexicon's IPA.

Cheap tests: one or two sentences per engine, no build.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from editions.audio import voices
from editions.audio.hibari_engine import HibariEngine
from editions.audio.pronounce import espeak_ipa, for_hibari
from editions.audio.synth import make_engine
from editions.audio.voices import VoiceUnavailable, choose
from editions.model import LexiconEntry
from editions.source.phonemes import UnknownSymbol, to_espeak, to_misaki

LEXICON = ROOT / "source" / "lexicon.yaml"


def _lexicon() -> tuple[LexiconEntry, ...]:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return tuple(
        LexiconEntry(e["grapheme"], e.get("alias"), e.get("ipa"))
        for e in data["entries"]
    )


def _hibari_vocab() -> set[str]:
    import hibari

    assets = Path(hibari.__file__).parent / "assets" / "vocab.json"
    return set(json.loads(assets.read_text(encoding="utf-8")))


# --- choosing a voice --------------------------------------------------------------


def test_english_gets_the_natural_default_voice() -> None:
    for lang in ("en", "en-US", "en-GB"):  # en-GB: heart with our en-GB text rules
        chosen = choose("auto", "", lang)
        assert (chosen.voice.name, chosen.engine, chosen.warning) == (
            "heart",
            "hibari",
            "",
        )
    assert choose("piper", "", "en-US").voice.name == "joe"
    assert choose("auto", "joe", "en-US").engine == "piper"
    assert choose("gtts", "", "en-GB").engine == "gtts"


def test_a_language_without_an_offline_voice_falls_back_to_espeak_with_a_warning() -> (
    None
):
    chosen = choose("auto", "", "es-ES")
    assert chosen.engine == "espeak" and "robotic" in chosen.warning
    assert choose("gtts", "", "es-ES").engine == "gtts"  # online, when chosen
    assert choose("espeak", "", "es-ES").warning == ""  # asked for: no warning
    with pytest.raises(VoiceUnavailable) as refused:
        choose("auto", "heart", "es-ES")
    assert refused.value.code == "AUD017"
    assert "--voice espeak" in str(refused.value) and "--tts gtts" in str(refused.value)


def test_voices_whose_weights_are_not_installed_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path))  # an empty download cache
    voices.installed.cache_clear()
    try:
        with pytest.raises(VoiceUnavailable) as refused:
            choose("auto", "emma", "en-GB")
        assert refused.value.code == "AUD015"
        assert "not installed" in str(refused.value) and "heart" in str(refused.value)
        assert not list(tmp_path.iterdir())  # nothing was downloaded
        assert "emma" not in voices.available() and "heart" in voices.available()
    finally:
        voices.installed.cache_clear()
    with pytest.raises(VoiceUnavailable) as unknown:
        choose("auto", "nobody", "en-US")
    assert unknown.value.code == "AUD015"
    with pytest.raises(VoiceUnavailable) as mismatch:
        choose("piper", "heart", "en-US")
    assert mismatch.value.code == "AUD016"


# --- cache key and determinism -----------------------------------------------------


def test_the_cache_key_changes_with_voice_and_every_setting() -> None:
    keys = {
        make_engine("hibari", voice="heart").cache_key(),
        make_engine("piper").cache_key(),
        make_engine("espeak", "en-US").cache_key(),
        make_engine("espeak", "es").cache_key(),
        HibariEngine(speed=1.0).cache_key(),
        HibariEngine(threads=2).cache_key(),
        make_engine("hibari", voice="heart", lexicon=_lexicon()[:3]).cache_key(),
    }
    assert len(keys) == 7
    key = make_engine("hibari", voice="heart").cache_key()
    assert "heart" in key and "threads=1" in key and re.search(r"hibari-\d", key)


_SPEAK = """
import hashlib, sys
from editions.audio.synth import make_engine
speech = make_engine(sys.argv[1], "en-US", sys.argv[2]).speak(sys.argv[3])
print(speech.sample_rate, hashlib.sha256(speech.samples.tobytes()).hexdigest())
"""


#: Piper's VITS noise comes from onnxruntime's RandomNormalLike, seeded once per
#: process (differently each time) when the session is made; `onnxruntime.set_seed`
#: fixes that seed but each call then draws on from where the last left off, so a
#: sentence would sound as it did only if every worker spoke the same sentences in
#: the same order. Measured: same bytes twice in one process, different bytes in
#: two processes. Strict: this fails the day Piper becomes deterministic.
_PIPER_RANDOM = pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # a Piper that cannot run fails the test, as it should
    reason="Piper's noise is seeded per process by onnxruntime",
)


@pytest.mark.parametrize(
    ("engine", "voice"),
    [
        ("hibari", "heart"),
        ("espeak", ""),
        pytest.param("piper", "", marks=_PIPER_RANDOM),
    ],
)
def test_synthesis_is_deterministic_across_processes(engine: str, voice: str) -> None:
    text = "Take one tablet of naltrexone at night, with water."
    runs = [
        subprocess.run(
            [sys.executable, "-c", _SPEAK, engine, voice, text],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert int(runs[0][0]) in (22050, 24000)


# --- the lexicon's IPA, converted for each engine ----------------------------------


def test_every_lexicon_ipa_converts_to_hibari_symbols() -> None:
    vocab = _hibari_vocab()
    for entry in _lexicon():
        if entry.ipa:
            misaki = to_misaki(entry.ipa)
            assert set(misaki) <= vocab, (entry.grapheme, misaki)
            assert not {"ː", "r", "g"} & set(misaki)  # misaki has no length or r/g
    assert to_misaki("nælˈtrɛksoʊn") == "næltɹˈɛksOn"  # stress moves to the vowel
    assert to_misaki("ˌeɪtʃ aɪ ˈviː") == "ˌAʧ I vˈi"


def _bare(ipa: str) -> str:
    """IPA without stress, length and r-colouring differences, to compare loosely."""
    ipa = ipa.replace("ɹ", "r").replace("ɡ", "g").replace("ɒ", "ɑ")
    return re.sub(r"[ˈˌː\s]", "", ipa)


def test_espeak_reads_back_the_ipa_it_was_given() -> None:
    """IPA → espeak mnemonics → espeak-ng's own IPA: the same sounds come back."""
    checked = 0
    for entry in _lexicon():
        if entry.ipa:
            back = espeak_ipa(to_espeak(entry.ipa))
            ratio = SequenceMatcher(None, _bare(back), _bare(entry.ipa)).ratio()
            assert ratio >= 0.7, (entry.ipa, back, ratio)
            checked += 1
    assert checked >= 20
    assert espeak_ipa(to_espeak("həˈloʊ")) == "həlˈoʊ"


def test_an_ipa_symbol_with_no_equivalent_is_an_error() -> None:
    with pytest.raises(UnknownSymbol, match=re.escape("U+0298")):
        to_misaki("ʘa")
    with pytest.raises(UnknownSymbol):
        to_espeak("kʼa")


def test_hibari_speaks_lexicon_words_from_their_ipa_with_its_normaliser_off() -> None:
    engine = HibariEngine(pronunciations=for_hibari(_lexicon()))
    said = " ".join(engine.phonemes("Nal-trex-own helps, said Doctor Zagon."))
    assert to_misaki("nælˈtrɛksoʊn") in said and to_misaki("ˈzeɪɡɒn") in said
    # hibari's own normaliser would read "3/4" as a date; ours has run already.
    plain = HibariEngine()
    assert plain.phonemes("page 3/4") != [plain._tts.g2p("page 3/4")]


def test_the_epub_lexicon_carries_the_same_ipa() -> None:
    from editions.epub.pls import lexicon_pls
    from editions.source import article as source

    article, _ = source.load(ROOT / "source" / "article.md")
    pls = lexicon_pls(article)
    assert sum(1 for e in article.lexicon if e.ipa) >= 20
    for entry in article.lexicon:
        if entry.ipa:
            assert f"<phoneme>{entry.ipa}</phoneme>" in pls


def test_a_lexicon_ipa_no_engine_can_say_is_reported_with_its_line(
    tmp_path: Path,
) -> None:
    from editions.source import lexicon

    path = tmp_path / "lexicon.yaml"
    path.write_text(
        "entries:\n"
        '  - {grapheme: LDN, alias: "L D N", ipa: "ˌɛl diː ˈɛn"}\n'
        '  - {grapheme: Xhosa, ipa: "ǁʰosa"}\n',
        encoding="utf-8",
    )
    entries, findings = lexicon.load(path)
    assert [e.grapheme for e in entries] == ["LDN"]
    assert [str(f).split(": error ")[0] for f in findings] == [f"{path}:3 [entries[1]]"]
    assert findings[0].code == "LEX002" and "U+01C1" in findings[0].message
