"""The mastering fork server's preload: what every mastering worker starts with.

`workers.PRELOAD` names this module; only the fork server imports it, once, and its
workers fork from there with all of it loaded: the pool's loop, the chapter master,
the DSP libraries and PyAV's codecs, which the main process leaves unloaded (see
`measure`, `av_codec`). Importing it has effects on purpose (a preload list holds
module names, nothing to call): the server names itself a mastering process for the
benchmark (`bench.sampler.role_of`), takes the build's `__main__` as its own, dies
with the build that started it, and makes each worker die with it.
"""

from __future__ import annotations

import concurrent.futures.process  # noqa: F401
import io
import json
import os
import sys
from importlib.machinery import ModuleSpec
from typing import Any

import av  # noqa: F401  (the AAC is coded and both files decoded in-process)
import mutagen
import pyloudnorm  # noqa: F401
import scipy.ndimage
import scipy.signal  # noqa: F401

import editions.audio.chapter_master
import editions.audio.stored  # noqa: F401  (speech handed to a worker)
from editions import parent_death
from editions.audio.workers import SERVER_ENV
from editions.process_role import name_this_process


def adopt_main(told: dict[str, Any]) -> None:
    """Make this process's `__main__` pass for the build's, so that no worker
    runs the build's script or module again (`spawn.prepare` skips a `__main__`
    that already is the one named: the case of a forked process)."""
    main = sys.modules["__main__"]
    if "init_main_from_path" in told:
        main.__file__ = told["init_main_from_path"]
    if "init_main_from_name" in told:
        main.__spec__ = ModuleSpec(told["init_main_from_name"], None)


mutagen.File(io.BytesIO())  # its first call imports every format it knows
told = json.loads(os.environ.get(SERVER_ENV, "{}"))
name_this_process("master")
adopt_main(told)
# After the imports is soon enough: a build that died meanwhile is no longer the
# parent the build wrote down, and the server exits.
parent_death.die_with_parent(told.get("parent"))
parent_death.children_die_with_this_process()
