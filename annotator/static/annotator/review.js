/*
 * The curation screen: the text once, each annotator's spans in a lane under it, gold as
 * filled marks. Gold is edited as the workspace edits annotations: select a passage
 * (mouse or Shift+arrows, snapped to whole words) and press a label's key; click a span
 * to choose it; `a` accepts the chosen annotator's span or the focused sentence's
 * majority; n / p jump between disagreements without gold. Every change is an htmx
 * request answered with only what changed (lines, gold list entries, undo, status).
 * Without this script the page still works through its forms.
 */
(() => {
  "use strict";
  const T = window.AnnotatorText;
  const E = window.AnnotatorEditing;
  const root = document.getElementById("curation");
  const textEl = document.getElementById("doc-text");
  if (!root || !textEl || !T || !E || !window.htmx) return;

  const labelButtons = [...root.querySelectorAll(".label-btn")];
  const byHotkey = new Map();
  for (const button of labelButtons) {
    if (button.dataset.hotkey) byHotkey.set(button.dataset.hotkey.toLowerCase(), button);
  }
  const labelButton = (id) => labelButtons.find((b) => b.dataset.label === String(id));
  const data = JSON.parse(document.getElementById("votes").textContent);
  const disagree = (textEl.dataset.disagree || "").split(" ").filter(Boolean);
  const urls = root.dataset;
  const editUrl = (id) => urls.goldEditUrl.replace(/0\/$/, `${id}/`);

  const state = {
    sentence: null, // data-i of the focused sentence
    chosen: null, // {kind: "gold" | "ann", id}
    here: [], // the spans the panel lists: [{kind, id}]
    caret: null, // UTF-16 offset to put the caret back after a save
  };

  const send = E.poster(textEl);
  let last = null; // the latest gold write: after a refusal for conflicting gold, r repeats it replacing
  const post = (url, values = {}) => {
    last = { url, values: { ...values } };
    return send(url, values);
  };
  const say = E.say;
  // The page's words in its language (review/js_messages.py): msg(key, {name: value}).
  const messages = JSON.parse(document.getElementById("review-messages")?.textContent || "{}");
  const msg = (key, values = {}) =>
    (messages[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
  E.handleAnswers(msg);
  const setEditable = E.readOnlyText(textEl, msg);
  const picked = E.snappedSelection(
    textEl, document.getElementById("preview"), labelButtons, () => true, msg
  );

  // ---- reading the rendered text
  const GOLD = "mark.by-gold";
  const ANN = "mark.ann:not(.by-gold)";
  const labelOf = (mark) => (mark.className.match(/\blab-(\S+)/) || [])[1];
  const laneOf = (mark) => (mark.className.match(/\bby-(\S+)/) || [])[1];

  function marksOf(span) {
    const id = CSS.escape(String(span.id));
    return textEl.querySelectorAll(`${span.kind === "gold" ? GOLD : ANN}[data-id="${id}"]`);
  }

  function spanOf(mark) {
    return { kind: mark.classList.contains("by-gold") ? "gold" : "ann", id: mark.dataset.id };
  }

  const same = (a, b) => Boolean(a && b && a.kind === b.kind && a.id === b.id);

  function sentenceEl(index) {
    return index === null ? null : textEl.querySelector(`.sent[data-i="${index}"]`);
  }

  function annotatorsOfLane(lane) {
    const names = data.annotators.filter((_, i) => String(i % 6) === lane);
    return names.join(" or ") || "an annotator";
  }

  function describe(span) {
    const marks = [...marksOf(span)];
    if (!marks.length) return null;
    const label = labelButton(labelOf(marks[0]));
    let quote = marks.map((m) => m.textContent).join("");
    if (quote.length > 60) quote = `${quote.slice(0, 59)}…`;
    const who = span.kind === "gold" ? "gold" : annotatorsOfLane(laneOf(marks[0]));
    return { who, label: label?.dataset.title || "?", labelId: labelOf(marks[0]), quote, marks };
  }

  // ---- sentences: agreement marks, focus, jumps
  function markSentences() {
    let open = 0;
    for (const index of disagree) {
      const sentence = sentenceEl(index);
      if (!sentence) continue;
      const decided = Boolean(sentence.querySelector(GOLD));
      sentence.classList.add("disagree");
      sentence.classList.toggle("decided", decided);
      if (!decided) open += 1;
    }
    const count = document.getElementById("open-count");
    count.textContent = disagree.length
      ? `${open} of ${disagree.length} disagreement${disagree.length === 1 ? "" : "s"} open`
      : "no disagreements";
    document.getElementById("gold-count").textContent = String(
      document.querySelectorAll("#gold-list > .item").length,
    );
    return open;
  }

  function focusSentence(sentence, { caret = true, center = false } = {}) {
    for (const old of textEl.querySelectorAll(".sent.is-current")) old.classList.remove("is-current");
    state.sentence = sentence ? sentence.dataset.i : null;
    if (!sentence) return;
    sentence.classList.add("is-current");
    sentence.scrollIntoView({ block: center ? "center" : "nearest" });
    if (caret) {
      // The caret goes to the sentence, so Shift+arrows select from there.
      const point = T.domPoint(textEl, T.domOffset(textEl, sentence, 0), true);
      textEl.focus({ preventScroll: true });
      window.getSelection().collapse(point.node, point.offset);
    }
  }

  function moveSentence(step) {
    const all = [...textEl.querySelectorAll(".sent")];
    if (!all.length) return;
    const index = all.indexOf(sentenceEl(state.sentence));
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : index + step;
    choose(null);
    focusSentence(all[Math.max(0, Math.min(all.length - 1, next))]);
    showPanel();
  }

  function jump(step) {
    const open = disagree.filter((index) => {
      const sentence = sentenceEl(index);
      return sentence && !sentence.querySelector(GOLD);
    });
    if (!open.length) {
      say(disagree.length ? msg("all_decided", { count: disagree.length }) : msg("all_agree"));
      return;
    }
    const here = state.sentence === null ? (step > 0 ? -1 : Infinity) : Number(state.sentence);
    const ahead = step > 0 ? open.filter((i) => Number(i) > here) : open.filter((i) => Number(i) < here).reverse();
    const target = ahead[0] ?? (step > 0 ? open[0] : open[open.length - 1]);
    choose(null);
    picked.clear();
    focusSentence(sentenceEl(target), { center: true });
    showPanel();
    const position = open.indexOf(target) + 1;
    say(msg("disagreement_at", { position, open: open.length, sentence: Number(target) + 1 }));
  }

  // ---- the chosen span and the panel
  function choose(span) {
    for (const element of root.querySelectorAll(".is-chosen")) element.classList.remove("is-chosen");
    state.chosen = span && marksOf(span).length ? span : null;
    if (!state.chosen) return;
    for (const mark of marksOf(span)) mark.classList.add("is-chosen");
    if (span.kind === "gold") document.getElementById(`gold-${span.id}`)?.classList.add("is-chosen");
  }

  function spansIn(sentence) {
    const seen = [];
    for (const mark of sentence.querySelectorAll("mark")) {
      const span = spanOf(mark);
      if (!seen.some((other) => same(other, span))) seen.push(span);
    }
    // Gold first, then the annotators' spans by lane.
    return seen.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "gold" ? -1 : 1));
  }

  function chip(labelId) {
    const element = document.createElement("span");
    const button = labelButton(labelId);
    element.className = button ? `chip lab-${labelId}` : "chip none";
    element.textContent = button ? button.dataset.title : "no label";
    return element;
  }

  function showPanel() {
    const panel = document.getElementById("panel");
    const sentence = sentenceEl(state.sentence);
    if (!sentence && !state.chosen) {
      panel.hidden = true;
      return;
    }
    const head = document.getElementById("panel-head");
    const votesList = document.getElementById("panel-votes");
    const spansList = document.getElementById("panel-spans");
    head.replaceChildren();
    votesList.replaceChildren();
    spansList.replaceChildren();
    let majority = null;
    if (sentence) {
      const index = sentence.dataset.i;
      const status = sentence.classList.contains("disagree")
        ? sentence.classList.contains("decided") ? msg("decided_by_gold") : msg("annotators_disagree")
        : sentence.querySelector(GOLD) ? msg("has_gold") : "";
      head.append(`${msg("sentence_n", { n: Number(index) + 1 })}${status ? ` · ${status}` : ""}`);
      const votes = data.sentences[index];
      if (votes) {
        majority = votes[votes.length - 1];
        data.annotators.forEach((name, i) => {
          const item = document.createElement("li");
          const lane = document.createElement("span");
          lane.className = `lane-sample by-${i % 6}`;
          item.append(lane, `${name}: `, chip(votes[i]));
          votesList.append(item);
        });
        const item = document.createElement("li");
        item.className = "majority-line";
        item.append(msg("majority"));
        item.append(majority ? chip(majority) : msg("majority_none"));
        votesList.append(item);
      } else if (data.annotators.length) {
        votesList.append(Object.assign(document.createElement("li"), { textContent: msg("nobody_labelled") }));
      }
      if (!state.here.length || !state.here.some((span) => sentence.contains(marksOf(span)[0] || null))) {
        state.here = spansIn(sentence);
      }
    }
    for (const span of state.here) {
      const info = describe(span);
      if (!info) continue;
      const item = document.createElement("li");
      const main = document.createElement("button");
      main.type = "button";
      main.className = "chip-button";
      main.dataset.action = "choose";
      main.dataset.kind = span.kind;
      main.dataset.id = span.id;
      if (same(span, state.chosen)) main.setAttribute("aria-current", "true");
      const lane = document.createElement("span");
      lane.className = `lane-sample by-${span.kind === "gold" ? "gold" : laneOf(info.marks[0])}`;
      main.append(lane, `${info.who} `, chip(info.labelId), ` «${info.quote}»`);
      const act = document.createElement("button");
      act.type = "button";
      act.dataset.kind = span.kind;
      act.dataset.id = span.id;
      act.dataset.action = span.kind === "gold" ? "remove" : "accept-span";
      act.textContent = span.kind === "gold" ? msg("remove") : msg("accept");
      if (span.kind === "gold") act.className = "danger";
      item.append(main, " ", act);
      spansList.append(item);
    }
    document.getElementById("panel-hint").textContent = hint(majority);
    panel.hidden = false;
  }

  function hint(majority) {
    const keys = labelButtons.map((b) => b.dataset.hotkey).filter(Boolean).join(" ");
    const chosen = state.chosen && describe(state.chosen);
    if (chosen && state.chosen.kind === "gold") {
      return `${keys}: change this gold span's label · Del: remove it · u: undo`;
    }
    if (chosen) {
      return `a: accept ${chosen.who}'s ${chosen.label} span as gold · ${keys}: gold with another label on it`;
    }
    const accept = majority ? `a: accept the majority (${labelButton(majority)?.dataset.title})` : "no majority to accept";
    return `${accept} · ${keys}: gold on the whole sentence · . / , choose a span`;
  }

  function cycle(step) {
    const sentence = sentenceEl(state.sentence);
    if (sentence && !state.here.length) state.here = spansIn(sentence);
    if (!state.here.length) {
      say(msg("no_span_here"));
      return;
    }
    const index = state.here.findIndex((span) => same(span, state.chosen));
    const next = index < 0 ? (step > 0 ? 0 : state.here.length - 1) : (index + step + state.here.length) % state.here.length;
    choose(state.here[next]);
    marksOf(state.here[next])[0]?.scrollIntoView({ block: "nearest" });
    showPanel();
  }

  // ---- actions
  function applyLabel(button) {
    const name = button.dataset.name;
    const selection = picked.current();
    if (selection && selection.empty) {
      say(msg("no_words"), true);
    } else if (selection) {
      state.caret = selection.end16;
      post(urls.goldUrl, { label: name, start: selection.start, end: selection.end, quote: selection.quote });
      picked.clear();
    } else if (state.chosen && state.chosen.kind === "gold") {
      const item = document.getElementById(`gold-${state.chosen.id}`);
      post(editUrl(state.chosen.id), { label: name, start: item.dataset.s, end: item.dataset.e });
    } else if (state.chosen) {
      post(urls.acceptUrl, { annotation: state.chosen.id, label: name });
    } else if (sentenceEl(state.sentence)) {
      const sentence = sentenceEl(state.sentence);
      post(urls.goldUrl, { label: name, start: sentence.dataset.s, end: sentence.dataset.e, quote: sentence.textContent });
    } else {
      say(msg("select_then_press", { key: button.dataset.hotkey || msg("the_label") }));
    }
  }

  function accept(span = state.chosen) {
    if (span && span.kind === "ann") {
      post(urls.acceptUrl, { annotation: span.id });
    } else if (span) {
      say(msg("gold_already"));
    } else if (state.sentence !== null) {
      post(urls.majorityUrl, { sentence: state.sentence });
    } else {
      say(msg("accept_how"));
    }
  }

  function remove(span = state.chosen) {
    if (!span || span.kind !== "gold") {
      say(msg("choose_gold_first"));
      return;
    }
    post(`${editUrl(span.id)}delete/`, {});
    choose(null);
  }

  const undo = () => post(urls.undoUrl, {});

  /** Repeat the write the server refused for conflicting gold, replacing that gold. */
  function replaceConflicting() {
    const status = document.getElementById("status");
    if (!last || !status.dataset.conflict) {
      say(msg("nothing_to_replace"));
      return;
    }
    post(last.url, { ...last.values, replace: "1" });
  }

  function clear() {
    picked.clear();
    choose(null);
    state.here = [];
    focusSentence(null);
    showPanel();
  }

  // ---- after every change the server says which gold span is chosen now
  document.body.addEventListener("goldChanged", (event) => {
    markSentences();
    const selected = event.detail && event.detail.selected;
    const sentence = sentenceEl(state.sentence);
    if (sentence) sentence.classList.add("is-current");
    if (selected) {
      choose({ kind: "gold", id: String(selected) });
      state.here = [];
    } else if (state.chosen) {
      choose(state.chosen);
    }
    if (state.caret !== null && window.getSelection().isCollapsed) {
      // Put the caret back where the saved selection ended, unless a new one has begun.
      const point = T.domPoint(textEl, state.caret);
      textEl.focus({ preventScroll: true });
      window.getSelection().collapse(point.node, point.offset);
    }
    state.caret = null;
    showPanel();
  });

  // ---- mouse
  for (const button of labelButtons) {
    // Keep the text selection (and focus) when a label button is clicked.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => applyLabel(button));
  }

  textEl.addEventListener("click", (event) => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return;
    const sentence = event.target.closest(".sent");
    if (sentence) focusSentence(sentence, { caret: false });
    const here = [];
    for (let mark = event.target.closest("mark"); mark; mark = mark.parentElement.closest("mark")) {
      const span = spanOf(mark);
      if (!here.some((other) => same(other, span))) here.push(span);
    }
    here.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "gold" ? -1 : 1));
    state.here = here;
    choose(here[0] || null);
    showPanel();
  });

  root.addEventListener("click", (event) => {
    const control = event.target.closest("[data-action]");
    if (!control || control.closest("#doc-text")) return;
    const span = control.dataset.id ? { kind: control.dataset.kind || "gold", id: control.dataset.id } : null;
    switch (control.dataset.action) {
      case "select": {
        const item = control.closest(".item");
        const gold = { kind: "gold", id: item.dataset.id };
        const first = marksOf(gold)[0];
        if (first) {
          focusSentence(first.closest(".sent"), { caret: false, center: true });
          first.scrollIntoView({ block: "center" });
        }
        state.here = [];
        choose(gold);
        showPanel();
        break;
      }
      case "choose":
        choose(span);
        showPanel();
        break;
      case "accept-span":
        accept(span);
        break;
      case "delete":
        remove({ kind: "gold", id: control.closest(".item").dataset.id });
        break;
      case "remove":
        remove(span);
        break;
      case "accept":
        accept();
        break;
      case "next":
        jump(1);
        break;
      case "previous":
        jump(-1);
        break;
      case "undo":
        undo();
        break;
      case "close":
        clear();
        break;
      default:
        return;
    }
    event.preventDefault(); // the buttons of forms (undo, remove) post through htmx
  });

  for (const toggle of root.querySelectorAll("[data-lane]")) {
    toggle.addEventListener("change", () => {
      textEl.classList.toggle(`hide-${toggle.dataset.lane}`, !toggle.checked);
    });
  }

  // ---- keyboard
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || E.typingIn(event.target, textEl)) return;
    const key = E.keyName(event);
    if ((event.ctrlKey || event.metaKey) && key === "z" && !event.altKey) {
      event.preventDefault();
      undo();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const inText = textEl.contains(event.target);
    const button = byHotkey.get(key.toLowerCase());
    if (button) {
      event.preventDefault();
      applyLabel(button);
      return;
    }
    switch (key) {
      case "a":
        accept();
        break;
      case "n":
      case "p":
        jump(key === "n" ? 1 : -1);
        break;
      case "j":
      case "k":
        moveSentence(key === "j" ? 1 : -1);
        break;
      case ".":
      case ",":
        cycle(key === "." ? 1 : -1);
        break;
      case "u":
        undo();
        break;
      case "r":
        replaceConflicting();
        break;
      case "Delete":
      case "Backspace":
        if (state.chosen && state.chosen.kind === "gold") remove();
        else if (!inText) return;
        break;
      case "Escape":
        clear();
        break;
      case "?": {
        const help = document.getElementById("help");
        help.open = !help.open;
        if (help.open) help.scrollIntoView({ block: "nearest" });
        break;
      }
      default:
        // Never let a key edit the text.
        if (inText && key.length === 1) event.preventDefault();
        return;
    }
    event.preventDefault();
  });

  setEditable(true);
  markSentences();
  textEl.focus({ preventScroll: true });
})();
