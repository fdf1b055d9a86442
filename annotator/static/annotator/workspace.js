/*
 * The document page: select a passage (mouse or Shift+arrows) or a sentence and press a
 * label's key. Every change is an htmx request; the server answers with the fragments
 * that changed (lines of text, the side-list entry, counter, undo button, status).
 * Without this script the page is a read-only rendering.
 */
(() => {
  "use strict";
  const T = window.AnnotatorText;
  const root = document.getElementById("workspace");
  const textEl = document.getElementById("doc-text");
  if (!root || !textEl || !T || !window.htmx) return;

  const fullText = textEl.textContent; // the document text (UTF-16), never changes here
  const labelButtons = [...root.querySelectorAll(".label-btn")];
  const byHotkey = new Map();
  for (const button of labelButtons) {
    if (button.dataset.hotkey) byHotkey.set(button.dataset.hotkey.toLowerCase(), button);
  }
  const labelTitle = (id) => labelButtons.find((b) => b.dataset.label === String(id))?.dataset.title || "";
  const preview = document.getElementById("preview");
  const editor = document.getElementById("editor");
  const noteField = document.getElementById("ed-note");
  const modeButton = document.getElementById("mode-btn");
  const annotationUrl = root.dataset.annotationUrl.replace(/0\/$/, "");
  // The page's words in its language (workspace/js_messages.py): msg(key, {name: value}).
  const messages = JSON.parse(document.getElementById("ws-messages")?.textContent || "{}");
  const msg = (key, values = {}) =>
    (messages[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

  const state = {
    mode: "select", // or "sentence"
    selection: null, // {start16, end16, start, end, quote} or {empty: true}
    selected: null, // the chosen annotation's id (string)
    armed: labelButtons[0]?.dataset.label || null, // label for Enter/click in sentence mode
    sentence: null, // data-s of the focused sentence
    caret: null, // UTF-16 offset to put the caret back after a save
  };

  // ---- talking to the server: one request at a time, in order, none dropped
  let queue = Promise.resolve();
  function post(url, values) {
    if (root.dataset.view) values.view = root.dataset.view;
    queue = queue
      .then(() => htmx.ajax("POST", url, { source: textEl, values, swap: "none" }))
      .catch(() => {});
    return queue;
  }

  function say(message, error = false) {
    const status = document.getElementById("status");
    status.textContent = message;
    status.classList.toggle("error", error);
  }

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400) {
      // A rejected edit: the answer carries the reason for the status line.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    say(msg("refused", { status }), true);
  });
  document.body.addEventListener("htmx:sendError", () => {
    say(msg("unreachable"), true);
  });
  // A fragment that has no place on this page (changed in another tab): redraw it all.
  document.body.addEventListener("htmx:oobErrorNoTarget", () => window.location.reload());

  // ---- the text stays read-only while it carries a caret for Shift+arrow selection
  function setEditable(on) {
    if (on) {
      textEl.setAttribute("contenteditable", "true");
      textEl.setAttribute("aria-readonly", "true");
      textEl.setAttribute("aria-multiline", "true");
      textEl.setAttribute("role", "textbox");
      textEl.setAttribute("aria-label", msg("document_text"));
      textEl.spellcheck = false;
    } else {
      textEl.removeAttribute("contenteditable");
      textEl.removeAttribute("role");
    }
  }
  for (const type of ["beforeinput", "paste", "cut", "drop", "dragstart"]) {
    textEl.addEventListener(type, (event) => event.preventDefault());
  }
  // Should the text ever be edited anyway, offsets would lie: reload the true text.
  textEl.addEventListener("input", () => window.location.reload());

  // ---- selection preview: show what will be saved after snapping to whole words
  const highlights = window.CSS && CSS.highlights;
  let frame = 0;
  document.addEventListener("selectionchange", () => {
    if (!frame) frame = requestAnimationFrame(readSelection);
  });

  function readSelection() {
    frame = 0;
    if (state.mode !== "select") return;
    const offsets = T.selectionOffsets(textEl);
    if (!offsets || offsets[0] === offsets[1]) {
      state.selection = null;
      showPreview();
      return;
    }
    const [start16, end16] = T.snap(fullText, offsets[0], offsets[1]);
    if (start16 === end16) {
      state.selection = { empty: true };
    } else {
      const quote = fullText.slice(start16, end16);
      const start = T.utf16ToCodePoints(fullText, start16);
      const end = start + T.utf16ToCodePoints(quote, quote.length);
      state.selection = { start16, end16, start, end, quote };
    }
    showPreview();
  }

  function showPreview() {
    const selection = state.selection;
    if (highlights) highlights.delete("snap");
    if (!selection) {
      preview.textContent = "";
      return;
    }
    if (selection.empty) {
      preview.textContent = msg("only_spaces");
      return;
    }
    if (highlights) {
      highlights.set("snap", new Highlight(T.rangeOf(textEl, selection.start16, selection.end16)));
    }
    const shown = selection.quote.length > 80 ? `${selection.quote.slice(0, 79)}…` : selection.quote;
    const keys = labelButtons
      .filter((b) => b.dataset.hotkey)
      .map((b) => `${b.dataset.hotkey} ${b.dataset.title}`)
      .join(", ");
    preview.textContent = msg("selected", { quote: shown, keys });
  }

  function clearSelection() {
    window.getSelection()?.removeAllRanges();
    state.selection = null;
    showPreview();
  }

  // ---- the chosen annotation (clicked in the text or in the list)
  function marksOf(id) {
    return textEl.querySelectorAll(`mark[data-id="${CSS.escape(String(id))}"]`);
  }

  function choose(id, here = null) {
    for (const element of root.querySelectorAll(".is-chosen")) element.classList.remove("is-chosen");
    state.selected = id ? String(id) : null;
    if (!id) {
      editor.hidden = true;
      return;
    }
    const marks = marksOf(id);
    for (const mark of marks) mark.classList.add("is-chosen");
    const item = document.getElementById(`ann-${id}`);
    const mark = marks[0];
    let labelId;
    if (item) {
      item.classList.add("is-chosen");
      item.scrollIntoView({ block: "nearest" });
      labelId = item.dataset.label;
      document.getElementById("ed-quote").textContent = item.querySelector("q").textContent;
      noteField.value = item.querySelector(".note")?.textContent || "";
    } else if (mark) {
      labelId = (mark.className.match(/\blab-(\S+)/) || [])[1];
      document.getElementById("ed-quote").textContent = [...marks].map((m) => m.textContent).join("");
    }
    const chip = document.getElementById("ed-chip");
    chip.className = `chip lab-${labelId}`;
    chip.textContent = labelTitle(labelId);
    const owner = document.getElementById("ed-owner");
    owner.hidden = Boolean(item);
    if (!item && mark) {
      const style = (mark.className.match(/\bby-(\S+)/) || [])[1];
      const name = document.querySelector(`.legend .by-${style}`)?.textContent || msg("another_annotator");
      owner.textContent = msg("by_read_only", { name });
    }
    document.getElementById("ed-controls").hidden = !item;
    const list = document.getElementById("ed-here");
    list.replaceChildren();
    if (here && here.length > 1) {
      list.append(msg("here", { count: here.length }));
      for (const other of here) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.action = "here";
        button.dataset.id = other;
        button.className = "chip-button";
        const first = marksOf(other)[0];
        const otherLabel = first ? (first.className.match(/\blab-(\S+)/) || [])[1] : "";
        button.textContent = labelTitle(otherLabel) || `#${other}`;
        if (other === String(id)) button.setAttribute("aria-current", "true");
        list.append(button, " ");
      }
    }
    editor.hidden = false;
  }

  function isOwn(id) {
    return Boolean(id && document.getElementById(`ann-${id}`));
  }

  // ---- actions
  function saveSpan(label, start, end, quote) {
    post(root.dataset.saveUrl, { label, start, end, quote, version: root.dataset.version });
  }

  function applyLabel(button) {
    const label = button.dataset.label;
    arm(label);
    if (state.mode === "select") {
      // The key may come before the selectionchange event or the next frame: read the
      // selection now rather than trust the preview.
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      readSelection();
    }
    if (state.mode === "sentence") {
      const sentence = currentSentence();
      if (sentence) saveSentence(sentence, label);
      else say(msg("sentence_first"));
      return;
    }
    const selection = state.selection;
    if (selection && selection.empty) {
      say(msg("no_words"), true);
    } else if (selection) {
      state.caret = selection.end16;
      saveSpan(label, selection.start, selection.end, selection.quote);
      clearSelection();
    } else if (isOwn(state.selected)) {
      post(`${annotationUrl}${state.selected}/`, { label });
    } else {
      say(msg("select_first", { key: button.dataset.hotkey || msg("the_label") }));
    }
  }

  function arm(label) {
    state.armed = label;
    for (const button of labelButtons) {
      button.classList.toggle("is-armed", button.dataset.label === label);
    }
  }

  function deleteChosen(id = state.selected) {
    if (!isOwn(id)) return;
    post(`${annotationUrl}${id}/delete/`, {});
    if (String(id) === state.selected) choose(null);
  }

  function saveNote() {
    if (!isOwn(state.selected)) return;
    post(`${annotationUrl}${state.selected}/`, { note: noteField.value });
  }

  function undo() {
    post(root.dataset.undoUrl, {});
  }

  // ---- sentence mode
  function sentences() {
    return [...textEl.querySelectorAll(".sent")];
  }

  function currentSentence() {
    if (state.sentence === null) return null;
    return textEl.querySelector(`.sent[data-s="${state.sentence}"]`);
  }

  function focusSentence(sentence) {
    for (const old of textEl.querySelectorAll(".sent.is-current")) old.classList.remove("is-current");
    if (!sentence) return;
    state.sentence = sentence.dataset.s;
    sentence.classList.add("is-current");
    sentence.tabIndex = -1;
    sentence.focus({ preventScroll: true });
    sentence.scrollIntoView({ block: "nearest" });
  }

  function moveSentence(step) {
    const all = sentences();
    if (!all.length) return;
    const index = all.indexOf(currentSentence());
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : index + step;
    focusSentence(all[Math.max(0, Math.min(all.length - 1, next))]);
  }

  function saveSentence(sentence, label) {
    if (!label) return;
    saveSpan(label, sentence.dataset.s, sentence.dataset.e, sentence.textContent);
  }

  function setMode(mode) {
    state.mode = mode;
    const sentenceMode = mode === "sentence";
    modeButton.setAttribute("aria-pressed", String(sentenceMode));
    textEl.classList.toggle("sentence-mode", sentenceMode);
    root.classList.toggle("in-sentence-mode", sentenceMode);
    if (sentenceMode) {
      const offsets = T.selectionOffsets(textEl);
      clearSelection();
      setEditable(false);
      arm(state.armed);
      let start = sentences()[0];
      if (offsets) {
        const at = T.utf16ToCodePoints(fullText, offsets[0]);
        start = sentences().find((s) => Number(s.dataset.e) > at) || start;
      }
      focusSentence(currentSentence() || start);
      say(msg("sentence_mode"));
    } else {
      for (const old of textEl.querySelectorAll(".sent.is-current")) old.classList.remove("is-current");
      setEditable(true);
      textEl.focus({ preventScroll: true });
      say(msg("selection_mode"));
    }
  }

  // ---- after every change the server tells which annotation is chosen now
  document.body.addEventListener("annotationsChanged", (event) => {
    const count = document.getElementById("ann-count");
    count.textContent = String(document.querySelectorAll("#ann-list > .item").length);
    const selected = event.detail && event.detail.selected;
    if (selected && document.getElementById(`ann-${selected}`)) {
      choose(selected);
    } else if (state.selected && !marksOf(state.selected).length) {
      choose(null);
    } else if (state.selected) {
      choose(state.selected);
    }
    if (state.mode === "sentence") {
      const sentence = currentSentence();
      if (sentence) focusSentence(sentence);
    } else if (state.caret !== null && window.getSelection().rangeCount === 0) {
      // Put the caret back where the saved selection ended, unless the analyst has
      // already started a new selection.
      const point = T.domPoint(textEl, state.caret);
      state.caret = null;
      textEl.focus({ preventScroll: true });
      window.getSelection().collapse(point.node, point.offset);
    }
  });

  // ---- mouse
  for (const button of labelButtons) {
    // Keep the text selection (and focus) when a label button is clicked.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => applyLabel(button));
  }

  textEl.addEventListener("click", (event) => {
    if (state.mode === "sentence") {
      const sentence = event.target.closest(".sent");
      if (sentence) {
        focusSentence(sentence);
        saveSentence(sentence, state.armed);
      }
      return;
    }
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    const here = [];
    for (let mark = event.target.closest("mark"); mark; mark = mark.parentElement.closest("mark")) {
      if (!here.includes(mark.dataset.id)) here.push(mark.dataset.id);
    }
    choose(here[0] || null, here);
  });

  root.addEventListener("click", (event) => {
    const control = event.target.closest("[data-action]");
    if (!control) return;
    const item = control.closest(".item");
    switch (control.dataset.action) {
      case "select":
        choose(item.dataset.id);
        marksOf(item.dataset.id)[0]?.scrollIntoView({ block: "center" });
        break;
      case "here":
        choose(control.dataset.id, [...control.parentElement.querySelectorAll("[data-action=here]")].map((b) => b.dataset.id));
        break;
      case "delete":
        deleteChosen(item ? item.dataset.id : state.selected);
        break;
      case "save-note":
        saveNote();
        break;
      case "undo":
        undo();
        break;
      case "mode":
        setMode(state.mode === "select" ? "sentence" : "select");
        break;
    }
  });

  // ---- keyboard
  const CODES = { BracketLeft: "[", BracketRight: "]" };
  /** The key pressed, independent of the keyboard layout for letters and digits. */
  function keyName(event) {
    const code = event.code || "";
    if (!event.shiftKey && /^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
    if (!event.shiftKey && /^(Digit|Numpad)[0-9]$/.test(code)) return code.slice(-1);
    if (!event.shiftKey && CODES[code]) return CODES[code];
    return event.key;
  }

  function typingIn(target) {
    if (!(target instanceof Element) || target === textEl) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    const target = event.target;
    if (typingIn(target)) {
      if (target === noteField && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        saveNote();
      } else if (target === noteField && event.key === "Escape") {
        event.preventDefault();
        textEl.focus({ preventScroll: true });
      }
      return;
    }
    const key = keyName(event);
    if ((event.ctrlKey || event.metaKey) && key === "z" && !event.altKey) {
      event.preventDefault();
      undo();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const inText = textEl.contains(target);
    const button = byHotkey.get(key.toLowerCase());
    if (button) {
      event.preventDefault();
      applyLabel(button);
      return;
    }
    switch (key) {
      case "s":
        setMode(state.mode === "select" ? "sentence" : "select");
        break;
      case "j":
      case "k":
        if (state.mode !== "sentence") return;
        moveSentence(key === "j" ? 1 : -1);
        break;
      case "Enter":
        if (state.mode !== "sentence" || !inText) {
          if (inText) event.preventDefault();
          return;
        }
        if (currentSentence()) saveSentence(currentSentence(), state.armed);
        break;
      case "u":
        undo();
        break;
      case "Delete":
      case "Backspace":
        if (!isOwn(state.selected)) {
          if (inText) event.preventDefault();
          return;
        }
        deleteChosen();
        break;
      case "n":
        if (!isOwn(state.selected)) return;
        noteField.focus();
        break;
      case "Escape":
        clearSelection();
        choose(null);
        break;
      case "?": {
        const guidelines = document.getElementById("guidelines");
        guidelines.open = !guidelines.open;
        if (guidelines.open) guidelines.scrollIntoView({ block: "nearest" });
        break;
      }
      case "[":
        window.location.href = document.getElementById("prev-doc").href;
        break;
      case "]":
        window.location.href = document.getElementById("next-doc").href;
        break;
      default:
        // Never let a key edit the text.
        if (inText && key.length === 1) event.preventDefault();
        return;
    }
    event.preventDefault();
  });

  setEditable(true);
  arm(state.armed);
  textEl.focus({ preventScroll: true });
})();
