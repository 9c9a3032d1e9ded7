/* Large-print page: remembered reading settings and the audio read-along.

   Progressive enhancement: without JavaScript the page is a plain article with a
   plain <audio> element, and every control wired up here stays `hidden`. Nothing
   from the article is ever parsed as markup or run as code (text goes in through
   textContent only), and nothing is fetched: the timings are JSON in the page. */
(() => {
  "use strict";

  const KEY = "editions.large-print.settings";
  /* Mirrors SETTINGS and SPEEDS in editions/large_print.py and the data-* rules
     in large-print.css; a stored value outside these lists is ignored. */
  const ALLOWED = {
    size: ["100", "125", "150", "200"],
    theme: ["auto", "light", "dark", "contrast"],
    leading: ["1.5", "1.75", "2"],
    bold: ["off", "on"],
    speed: ["0.75", "1", "1.25", "1.5"],
    follow: ["on", "off"],
  };
  const DEFAULTS = {
    size: "100", theme: "auto", leading: "1.5", bold: "off", speed: "1", follow: "on",
  };
  const READING = ["size", "theme", "leading", "bold"];
  const root = document.documentElement;

  /* ------------------------------------------------------------ labels */

  /* Every word this script writes comes from the locale table of the article's
     language (editions/locale/labels.py), put in the page as JSON (#labels) by
     editions/large_print/controls.py. This English copy is only a last resort
     for a page whose data was lost; tests keep it equal to the English table. */
  const FALLBACK = {
    "play": "Play",
    "pause": "Pause",
    "time.of": "{now} of {total}",
    "time.minute.one": "{n} minute",
    "time.minute.other": "{n} minutes",
    "time.second.one": "{n} second",
    "time.second.other": "{n} seconds",
    "error.unplayable": "The audio could not be played in this browser.",
    "error.unloaded": "The audio could not be loaded. Keep {name} in the same folder as this page.",
    "error.file": "the MP3 file"
  };
  let labels = null;

  function readLabels() {
    const node = document.getElementById("labels");
    const found = Object.create(null); // no key can reach Object.prototype
    try {
      const data = JSON.parse(node ? node.textContent : "{}");
      for (const [key, text] of Object.entries(data || {})) {
        if (typeof text === "string") found[key] = text;
      }
    } catch (error) {
      // Broken data: the fallback below.
    }
    return found;
  }

  function template(key) {
    if (labels === null) labels = readLabels();
    if (Object.hasOwn(labels, key)) return labels[key];
    return Object.hasOwn(FALLBACK, key) ? FALLBACK[key] : key;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole);
  }

  /* The label *key*, its {placeholders} filled from *values*. */
  function say(key, values = {}) {
    return fill(template(key), values);
  }

  /* "1 minute", "2 minutes": the language's CLDR plural category picks the form
     ("<key>.one", "<key>.few", ...); "<key>.other" stands in for a missing one. */
  let pluralRules = null;
  function plural(key, n) {
    if (pluralRules === null) {
      try {
        pluralRules = new Intl.PluralRules(root.lang || undefined);
      } catch (error) {
        pluralRules = new Intl.PluralRules();
      }
    }
    const form = `${key}.${pluralRules.select(n)}`;
    if (labels === null) labels = readLabels();
    const known = Object.hasOwn(labels, form) || Object.hasOwn(FALLBACK, form);
    return fill(template(known ? form : `${key}.other`), { n });
  }

  function loadSettings() {
    const settings = { ...DEFAULTS };
    try {
      const stored = JSON.parse(localStorage.getItem(KEY) || "{}");
      for (const name of Object.keys(ALLOWED)) {
        const value = stored ? stored[name] : undefined;
        if (typeof value === "string" && ALLOWED[name].includes(value)) {
          settings[name] = value;
        }
      }
    } catch (error) {
      // Storage blocked (some file:// or private windows) or corrupt: defaults.
    }
    return settings;
  }

  function saveSettings() {
    try {
      localStorage.setItem(KEY, JSON.stringify(settings));
    } catch (error) {
      // Storage blocked: the choices last for this visit only.
    }
  }

  /* Settings become data-* attributes on <html>; the stylesheet does the rest.
     Defaults leave no attribute, so the page looks the same as without script. */
  function applySettings() {
    const attributes = {
      theme: settings.theme === "auto" ? null : settings.theme,
      size: settings.size === DEFAULTS.size ? null : settings.size,
      leading: settings.leading === DEFAULTS.leading ? null : settings.leading,
      bold: settings.bold === "on" ? "" : null,
    };
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null) root.removeAttribute(`data-${name}`);
      else root.setAttribute(`data-${name}`, value);
    }
  }

  let settings = loadSettings();
  applySettings(); // runs in <head>: the saved theme is there before the first paint
  const listeners = [];

  function choose(name, value) {
    if (!(name in ALLOWED) || !ALLOWED[name].includes(value)) return;
    settings = { ...settings, [name]: value };
    applySettings();
    saveSettings();
    listeners.forEach((listener) => listener());
  }

  // Another tab of this page changed a setting: follow it.
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY) return;
    settings = loadSettings();
    applySettings();
    listeners.forEach((listener) => listener());
  });

  /* ------------------------------------------------------------ settings panel */

  function syncInputs(container) {
    for (const input of container.querySelectorAll("input[name], select[name]")) {
      const value = settings[input.name];
      if (value === undefined) continue;
      if (input instanceof HTMLSelectElement) input.value = value;
      else if (input.type === "checkbox") input.checked = value === "on";
      else input.checked = input.value === value;
    }
  }

  function wireInputs(container) {
    container.addEventListener("change", (event) => {
      const input = event.target;
      if (input instanceof HTMLInputElement && input.type === "checkbox") {
        choose(input.name, input.checked ? "on" : "off");
      } else if (input instanceof HTMLInputElement && input.checked) {
        choose(input.name, input.value);
      } else if (input instanceof HTMLSelectElement) {
        choose(input.name, input.value);
      }
    });
    listeners.push(() => syncInputs(container));
    syncInputs(container);
  }

  function initSettings() {
    const panel = document.getElementById("settings");
    if (!panel) return;
    wireInputs(panel);
    const reset = panel.querySelector('[data-action="reset"]');
    if (reset) {
      reset.addEventListener("click", () => {
        for (const name of READING) choose(name, DEFAULTS[name]);
      });
    }
    panel.hidden = false;
  }

  /* ------------------------------------------------------------ read-along */

  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

  function readData() {
    const node = document.getElementById("timings");
    try {
      return JSON.parse(node ? node.textContent : "{}") || {};
    } catch (error) {
      return {};
    }
  }

  /* A long book's MP3 parts, in order: the file and where it starts on the book's
     timeline. Empty when the book is one MP3 (then book time = the file's time). */
  function readParts(data) {
    const parts = [];
    for (const item of Array.isArray(data.parts) ? data.parts : []) {
      if (!item || typeof item.file !== "string") continue;
      if (!isNumber(item.start) || !isNumber(item.duration)) continue;
      parts.push({ file: item.file, start: item.start, duration: item.duration });
    }
    return parts;
  }

  /* Sentence cues from the audio edition, sorted by start; unknown ids are dropped. */
  function readTimings(data) {
    const cues = [];
    for (const item of Array.isArray(data.sentences) ? data.sentences : []) {
      if (!item || typeof item.id !== "string") continue;
      if (!isNumber(item.start) || !isNumber(item.end)) continue;
      const element = document.getElementById(item.id);
      if (element) cues.push({ element, start: item.start, end: item.end });
    }
    cues.sort((a, b) => a.start - b.start);
    return cues;
  }

  /* Index of the last cue that starts at or before `time`, or -1. A sentence stays
     highlighted through the pause after it, until the next one starts. */
  function cueAt(cues, time) {
    let low = 0;
    let high = cues.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (cues[middle].start <= time + 0.001) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  function initPlayer() {
    const audio = document.getElementById("audio");
    const controls = document.getElementById("player-controls");
    const player = document.getElementById("listen");
    if (!(audio instanceof HTMLAudioElement) || !controls || !player) return;
    const dock = document.getElementById("dock");
    const status = document.getElementById("player-status");
    const data = readData();
    const cues = readTimings(data);
    /* The read-along runs on the book's timeline; with parts, the <audio> plays
       one part at a time and `now()` adds where that part starts. */
    const parts = readParts(data);
    let part = 0;
    const now = () => (parts.length ? parts[part].start : 0) + audio.currentTime;
    const total = () => {
      if (!parts.length) return isNumber(audio.duration) ? audio.duration : NaN;
      const last = parts[parts.length - 1];
      return last.start + last.duration;
    };
    const partAt = (time) => {
      let found = 0;
      parts.forEach((item, n) => { if (item.start <= time + 0.001) found = n; });
      return found;
    };

    /* Switch the <audio> to part `n`, then run `then` once it can seek. */
    function loadPart(n, then) {
      part = n;
      audio.addEventListener("loadedmetadata", then, { once: true });
      audio.src = encodeURIComponent(parts[n].file); // a # or ? in the name
      audio.load();
    }
    const chapters = [...player.querySelectorAll(".chapters a[data-start]")]
      .map((link) => ({ link, start: Number.parseFloat(link.dataset.start) }))
      .filter((chapter) => isNumber(chapter.start));
    const playButtons = document.querySelectorAll('button[data-action="play"]');
    const position = document.getElementById("position");
    const clock = document.getElementById("clock");
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
    let current = -1;
    let started = false;
    let playerInView = true;
    let frame = 0;

    function seek(time, play) {
      const end = isNumber(total()) ? total() : time;
      const target = Math.max(0, Math.min(time, end));
      const n = parts.length ? partAt(target) : 0;
      const local = target - (parts.length ? parts[n].start : 0);
      if (parts.length && n !== part) {
        const playing = !audio.paused;
        loadPart(n, () => {
          audio.currentTime = local;
          highlight();
          if (play || playing) audio.play().catch(() => {});
        });
        return;
      }
      audio.currentTime = local;
      highlight();
      if (play) audio.play().catch(() => {});
    }

    function keepInView(element) {
      if (settings.follow !== "on") return;
      const rect = element.getBoundingClientRect();
      const covered = dock && !dock.hidden ? dock.offsetHeight : 0;
      if (rect.top >= 0 && rect.bottom <= window.innerHeight - covered) return;
      element.scrollIntoView({
        block: "center",
        behavior: reduceMotion.matches ? "auto" : "smooth",
      });
    }

    let activeChapter = null;

    function markChapter() {
      let active = null;
      for (const chapter of chapters) {
        if (chapter.start <= now() + 0.001) active = chapter;
      }
      if (active === activeChapter) return;
      if (activeChapter) activeChapter.link.removeAttribute("aria-current");
      if (active) active.link.setAttribute("aria-current", "true");
      activeChapter = active;
    }

    function highlight() {
      showTime();
      markChapter();
      const index = cueAt(cues, now());
      if (index === current) return;
      if (current >= 0) cues[current].element.classList.remove("speaking");
      current = index;
      if (index < 0) return;
      cues[index].element.classList.add("speaking");
      keepInView(cues[index].element);
    }

    const minutes = (seconds) => {
      const whole = Math.max(0, Math.floor(seconds));
      return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
    };
    const spoken = (seconds) => {
      const whole = Math.max(0, Math.floor(seconds));
      const [m, s] = [Math.floor(whole / 60), whole % 60];
      const said = plural("time.second", s);
      return m ? `${plural("time.minute", m)} ${said}` : said;
    };

    /* The big position slider and "1:23 of 16:24" stand in for the browser's
       own small controls. */
    let shownSecond = -1;

    function showTime() {
      if (!(position instanceof HTMLInputElement)) return;
      const length = isNumber(total()) ? total() : Number(position.max);
      const second = Math.floor(now());
      const max = String(Math.floor(length));
      if (max !== position.max) position.max = max;
      if (second === shownSecond && String(second) === position.value) return;
      shownSecond = second;
      position.value = String(second);
      const share = length > 0 ? Math.min(100, (100 * second) / length) : 0;
      position.style.setProperty("--progress", `${share.toFixed(2)}%`);
      const said = { now: spoken(second), total: spoken(length) };
      position.setAttribute("aria-valuetext", say("time.of", said));
      if (clock) {
        clock.textContent = say("time.of", { now: minutes(second), total: minutes(length) });
      }
    }

    function tick() {
      highlight();
      frame = audio.paused ? 0 : window.requestAnimationFrame(tick);
    }

    function showState() {
      const label = audio.paused ? say("play") : say("pause");
      playButtons.forEach((button) => { button.textContent = label; });
      if (dock) dock.hidden = !started || playerInView;
    }

    function act(action) {
      const here = current >= 0 ? cues[current] : null;
      switch (action) {
        case "play":
          if (audio.paused) audio.play().catch(() => {});
          else audio.pause();
          break;
        case "back":
          seek(now() - 10, false);
          break;
        case "forward":
          seek(now() + 10, false);
          break;
        case "previous": {
          // Like a CD player: restart this sentence, or go back one if just begun.
          const justBegun = here && now() - here.start < 1.5;
          const back = justBegun ? current - 1 : current;
          if (back >= 0) seek(cues[back].start, false);
          break;
        }
        case "next":
          if (current + 1 < cues.length) seek(cues[current + 1].start, false);
          break;
        default:
          break;
      }
    }

    for (const container of [controls, dock]) {
      if (!container) continue;
      container.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-action]");
        if (button) act(button.dataset.action);
      });
    }
    for (const chapter of chapters) {
      chapter.link.addEventListener("click", (event) => {
        event.preventDefault();
        // Start at the chapter's heading, not in the pause before it (which
        // would briefly highlight the previous chapter's last sentence).
        const heading = cues.find((cue) => cue.start >= chapter.start - 0.001);
        const near = heading && heading.start - chapter.start < 5;
        seek(near ? heading.start : chapter.start, true);
      });
    }

    if (position) {
      position.addEventListener("input", () => seek(Number(position.value), false));
    }
    audio.addEventListener("durationchange", showTime);
    wireInputs(controls);
    const applySpeed = () => {
      const rate = Number.parseFloat(settings.speed);
      audio.defaultPlaybackRate = rate;
      audio.playbackRate = rate;
    };
    listeners.push(applySpeed);
    applySpeed();

    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
    audio.addEventListener("play", () => {
      started = true;
      showState();
      if (!frame) frame = window.requestAnimationFrame(tick);
    });
    audio.addEventListener("pause", showState);
    audio.addEventListener("ended", () => {
      // A long book: the next part carries on where this one ended.
      if (part + 1 < parts.length) loadPart(part + 1, () => audio.play().catch(() => {}));
      else showState();
    });
    audio.addEventListener("ratechange", () => {
      const rate = String(audio.playbackRate);
      if (ALLOWED.speed.includes(rate) && rate !== settings.speed) choose("speed", rate);
    });
    audio.addEventListener("error", () => {
      if (!status) return;
      const name = audio.getAttribute("src") || say("error.file");
      status.textContent = name.startsWith("data:")
        ? say("error.unplayable")
        : say("error.unloaded", { name });
    });

    if (dock && "IntersectionObserver" in window) {
      new IntersectionObserver((entries) => {
        playerInView = entries.some((entry) => entry.isIntersecting);
        showState();
      }).observe(player);
    }

    audio.controls = false; // the large controls above replace the small ones
    controls.hidden = false;
    highlight();
    showState();
  }

  function init() {
    initSettings();
    initPlayer();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
