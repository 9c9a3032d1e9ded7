"""An MP3's ID3v2.4 tag → the same tag with its CHAP frames stored in time order.

mutagen writes frames sorted by size and hash key, so CHAP frames land shuffled.
Players that read chapters from the frame order rather than from the CTOC (ffmpeg's
ID3 reader, hence ffprobe, VLC and mpv) then list "References" first. Reordering
frames inside the tag keeps its size, so the file is rewritten in place and the
audio after the tag is not touched. ID3v2.4 §3.1 and §4 (frame layout), ID3v2
Chapter Frame Addendum §3.1 (CHAP: element id, NUL, then start time in ms).
"""

from __future__ import annotations

import struct
from pathlib import Path

HEADER = 10
#: Header flags we cannot reorder safely: unsynchronisation, extended header.
_UNSAFE_FLAGS = 0x80 | 0x40


def _syncsafe(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
    return value


def _frames(tag: bytes) -> tuple[list[bytes], bytes]:
    """Split a tag body into whole frames and the padding after them."""
    frames: list[bytes] = []
    at = 0
    while at + HEADER <= len(tag) and tag[at : at + 1] not in (b"\0", b""):
        size = _syncsafe(tag[at + 4 : at + 8])
        frames.append(tag[at : at + HEADER + size])
        at += HEADER + size
    return frames, tag[at:]


def _start_ms(frame: bytes) -> int:
    body = frame[HEADER:]
    end_of_id = body.index(b"\0")
    return int(struct.unpack(">I", body[end_of_id + 1 : end_of_id + 5])[0])


def order_chapters(path: Path) -> None:
    """Rewrite *path*'s ID3v2.4 tag so its CHAP frames follow their start times."""
    with path.open("r+b") as file:
        header = file.read(HEADER)
        if len(header) < HEADER or header[:3] != b"ID3" or header[3] != 4:
            raise ValueError(f"{path} has no ID3v2.4 tag to order")
        if header[5] & _UNSAFE_FLAGS:
            raise ValueError(f"{path}: unsynchronised or extended ID3 header")
        body = file.read(_syncsafe(header[6:10]))
        frames, padding = _frames(body)
        chaps = sorted((f for f in frames if f[:4] == b"CHAP"), key=_start_ms)
        if not chaps:
            return
        first = next(i for i, f in enumerate(frames) if f[:4] == b"CHAP")
        others = [f for f in frames if f[:4] != b"CHAP"]
        ordered = [*others[:first], *chaps, *others[first:]]
        file.seek(HEADER)
        file.write(b"".join(ordered) + padding)
