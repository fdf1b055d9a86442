/*
 * The document page: select a passage (mouse or Shift+arrows) or a sentence and press a
 * label's key. Every change is an htmx request; the server answers with the fragments
 * that changed (lines of text, the side-list entry, counter, undo button, status).
 * Without this script the page is a read-only rendering.
 */
(() => {
  "use strict";
  const T = window.AnnotatorText;
  const E = window.AnnotatorEditing;
  const root = document.getElementById("workspace");
  const textEl = document.getElementById("doc-text");
  if (!root || !textEl || !T || !E || !window.htmx) return;

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
  const holderField = document.getElementById("ed-holder");
  const kindField = document.getElementById("ed-kind");
  const modeButton = document.getElementById("mode-btn");
  const annotationUrl = root.dataset.annotationUrl.replace(/0\/$/, "");
  // The page's words in its language (workspace/js_messages.py): msg(key, {name: value}).
  const messages = JSON.parse(document.getElementById("ws-messages")?.textContent || "{}");
  const msg = (key, values = {}) =>
    (messages[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

  const state = {
    mode: "select", // or "sentence"
    selected: null, // the chosen annotation's id (string)
    armed: labelButtons[0]?.dataset.label || null, // label for Enter/click in sentence mode
    sentence: null, // data-s of the focused sentence
    caret: null, // UTF-16 offset to put the caret back after a save
  };

  // ---- talking to the server (editing.js), the read-only text and the snapped selection
  const post = E.poster(textEl, () => {
    const extra = {};
    if (root.dataset.view) extra.view = root.dataset.view;
    if (root.dataset.annotate) extra.annotate = root.dataset.annotate;
    return extra;
  });
  const say = E.say;
  E.handleAnswers(msg);
  const setEditable = E.readOnlyText(textEl, msg);
  const picked = E.snappedSelection(textEl, preview, labelButtons, () => state.mode === "select", msg);
  const clearSelection = picked.clear;
  const shorten = E.shorten;
  const labelKeys = () => E.labelKeys(labelButtons);

  // ---- what sits below the sticky bar (the side column, scrolled-to lines) follows its height
  const bar = document.getElementById("sticky-bar");
  if (bar && window.ResizeObserver) {
    new ResizeObserver(() => {
      document.documentElement.style.setProperty("--bar-height", `${bar.offsetHeight}px`);
    }).observe(bar);
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
      holderField.value = item.dataset.holder || "";
      kindField.textContent = item.dataset.holderKind || "author";
    } else if (mark) {
      labelId = (mark.className.match(/\blab-(\S+)/) || [])[1];
      document.getElementById("ed-quote").textContent = shorten([...marks].map((m) => m.textContent).join(""));
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
    // A new span leaves nothing chosen, so a stray Del or label key cannot touch it (or
    // the annotation chosen before): choosing is always a click away.
    choose(null);
    post(root.dataset.saveUrl, { label, start, end, quote, version: root.dataset.version });
  }

  function applyLabel(button) {
    const label = button.dataset.label;
    arm(label);
    const selection = state.mode === "select" ? picked.current() : null;
    if (state.mode === "sentence") {
      const sentence = currentSentence();
      if (sentence) saveSentence(sentence, label);
      else say(msg("sentence_first"));
      return;
    }
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

  function holderKindOf(id) {
    return document.getElementById(`ann-${id}`)?.dataset.holderKind || "author";
  }

  function saveNote() {
    if (!isOwn(state.selected)) return;
    // Naming a holder makes the passage attributed; the author's voice has none.
    const holder = holderField.value.trim();
    let kind = holderKindOf(state.selected);
    if (holder && kind === "author") kind = "attributed";
    post(`${annotationUrl}${state.selected}/`, { note: noteField.value, holder, holder_kind: kind });
  }

  /** h: the chosen annotation's voice goes from the author's to attributed and back. */
  function cycleHolder() {
    if (!isOwn(state.selected)) return;
    const next = holderKindOf(state.selected) === "author" ? "attributed" : "author";
    const values = { holder_kind: next };
    if (next === "author") values.holder = "";
    post(`${annotationUrl}${state.selected}/`, values);
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
    preview.textContent = msg("sentence_focused", {
      quote: shorten(sentence.textContent.trim()),
      keys: labelKeys(),
      label: labelTitle(state.armed),
    });
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
      preview.textContent = "";
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
      // A click only chooses the sentence: a key labels it (a stray click saves nothing).
      const sentence = event.target.closest(".sent");
      if (sentence) focusSentence(sentence);
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
  const keyName = E.keyName;
  const typingIn = (target) => E.typingIn(target, textEl);

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    const target = event.target;
    if (typingIn(target)) {
      const inEditor = target === noteField || target === holderField;
      if (
        inEditor &&
        event.key === "Enter" &&
        (event.ctrlKey || event.metaKey || target === holderField)
      ) {
        event.preventDefault();
        saveNote();
      } else if (inEditor && event.key === "Escape") {
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
      case "h":
        if (!isOwn(state.selected)) return;
        cycleHolder();
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
