"""JSON requests on stdin → liblouis results on stdout, run by Debian's own Python.

Debian's python3-louis binds liblouis for /usr/bin/python3 only, so the build runs
this file there (see `liblouis.py`); it must import nothing but the standard library
and `louis`. Exit 3 means `louis` is not importable (python3-louis missing).
"""

import ctypes
import json
import sys

try:
    import louis
except ImportError as exc:  # pragma: no cover - reported by the caller
    print(f"cannot import louis: {exc}", file=sys.stderr)
    sys.exit(3)

_EMPHASIS = {"italic": louis.italic, "bold": louis.bold}


def _find(query: str) -> str | None:
    """Return the table liblouis's metadata search picks for *query*, or None."""
    find = louis.liblouis.lou_findTable
    find.restype = ctypes.c_char_p
    find.argtypes = [ctypes.c_char_p]
    found = find(query.encode("utf-8"))
    return found.decode("utf-8") if found else None


def _forward(tables: list[str], item: dict) -> dict:
    text = item["text"]
    typeform = None
    if item.get("emphasis"):
        typeform = [0] * len(text)
        for start, end, kind in item["emphasis"]:
            for index in range(start, end):
                typeform[index] |= _EMPHASIS[kind]
    braille, _in_pos, out_pos, _cursor = louis.translate(tables, text, typeform)
    return {"braille": braille, "out_pos": out_pos}


def _handle(request: dict) -> object:
    op = request["op"]
    if op == "find":
        return _find(request["query"])
    if op == "forward":
        return [_forward(request["tables"], item) for item in request["items"]]
    if op == "backward":
        return [
            louis.backTranslateString(request["tables"], text) if text else ""
            for text in request["items"]
        ]
    if op == "unicode":
        return [
            louis.charToDots(request["tables"], text, mode=louis.ucBrl) if text else ""
            for text in request["items"]
        ]
    if op == "version":
        return louis.version()
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    """Answer every request of the batch on stdin, in order."""
    louis.setLogLevel(louis.LOG_OFF)
    requests = json.load(sys.stdin)
    json.dump([_handle(r) for r in requests], sys.stdout)


if __name__ == "__main__":
    main()
