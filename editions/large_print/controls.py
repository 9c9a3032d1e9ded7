"""The large-print page's reading settings, speeds and the labels its script writes.

Every word here comes from the locale table (`editions.locale.labels`), so a French
leaflet's page says "Lecture" and "0:41 sur 2:05", not "Play" and "of". The script
(styles/large-print.js) gets its labels as JSON data in the page, never as code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from editions import locale


@dataclass(frozen=True)
class Setting:
    """One reading setting offered as radio buttons; large-print.js knows the values.

    Its legend is the label "setting.<name>", each choice "setting.<name>.<value>".
    """

    name: str
    values: tuple[str, ...]  # the first is the default


#: Mirrored in large-print.js (ALLOWED) and large-print.css (data-* on <html>).
SETTINGS = (
    Setting("size", ("100", "125", "150", "200")),
    Setting("theme", ("auto", "light", "dark", "contrast")),
    Setting("leading", ("1.5", "1.75", "2")),
)

#: Playback rates; each is labelled "speed.<value>". "1" is the default.
SPEEDS = ("0.75", "1", "1.25", "1.5")

#: Labels large-print.js writes with say("key"); tests/test_large_print.py reads
#: the script and fails when it uses a key missing here or from a language's table.
SCRIPT_LABELS = (
    "play",
    "pause",
    "time.of",
    "error.unplayable",
    "error.unloaded",
    "error.file",
)

#: Counted words large-print.js writes with plural("key", n): the table holds
#: "key.<CLDR plural category>" ("time.second.one"), "key.other" at least.
SCRIPT_PLURALS = ("time.minute", "time.second")


def script_labels(lang: str) -> dict[str, str]:
    """Return the labels large-print.js needs, in *lang* (English where missing)."""
    table = locale.labels(lang)
    chosen = {key: table[key] for key in SCRIPT_LABELS}
    chosen.update(
        (key, text)
        for key, text in table.items()
        if key.rpartition(".")[0] in SCRIPT_PLURALS
    )
    return chosen


def script_labels_json(lang: str) -> str:
    """Return the script's labels as JSON (the page escapes it for <script>)."""
    return json.dumps(script_labels(lang), ensure_ascii=False, separators=(",", ":"))


def _id_part(value: str) -> str:
    return value.replace(".", "-")


def settings_panel(lang: str) -> str:
    """The reading-settings panel in *lang*; hidden until large-print.js wires it up."""
    table = locale.labels(lang)

    def say(key: str) -> str:
        return escape(table[key])

    groups = []
    for setting in SETTINGS:
        choices = "".join(
            f'<div class="choice"><input type="radio" name="{setting.name}" '
            f'id="{setting.name}-{_id_part(value)}" value="{escape(value)}"'
            f"{' checked' if n == 0 else ''}>"
            f'<label for="{setting.name}-{_id_part(value)}">'
            f"{say(f'setting.{setting.name}.{value}')}</label></div>"
            for n, value in enumerate(setting.values)
        )
        legend = say(f"setting.{setting.name}")
        groups.append(f"<fieldset><legend>{legend}</legend>{choices}</fieldset>")
    return (
        '<details class="settings" id="settings" hidden>'
        f"<summary>{say('settings_summary')}</summary>"
        '<div class="settings-body">'
        + "".join(groups)
        + '<div class="choice"><input type="checkbox" name="bold" id="bold" '
        f'value="on"><label for="bold">{say("bold")}</label></div>'
        f'<p class="settings-note">{say("settings_note")}</p>'
        f'<button type="button" data-action="reset">{say("reset")}</button>'
        "</div></details>"
    )


def speed_options(lang: str) -> str:
    """The reading-speed <option>s in *lang*, "1" selected."""
    table = locale.labels(lang)
    return "".join(
        f'<option value="{value}"{" selected" if value == "1" else ""}>'
        f"{escape(table[f'speed.{value}'])}</option>"
        for value in SPEEDS
    )
