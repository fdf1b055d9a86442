/*
 * Suggestions on the document page: fetched once the page is shown, drawn as outlined
 * sentences with a badge (label and score). Tab / Shift+Tab move between them, Enter or
 * a accepts the focused one, x rejects it; "Accept all" accepts those at or above the
 * project's threshold. An accept is a save like any other (the server answers with the
 * same fragments), so undo takes it back, and the suggestion comes back with it.
 */
(() => {
  "use strict";
  const root = document.getElementById("workspace");
  const textEl = document.getElementById("doc-text");
  if (!root || !textEl || !window.htmx || !root.dataset.suggestionsUrl) return;
  const listUrl = root.dataset.suggestionsUrl;
  const acceptAll = document.getElementById("accept-all");
  const state = { items: [], threshold: 1, focused: null };
  // The page's words in its language (workspace/js_messages.py), as workspace.js reads them.
  const messages = JSON.parse(document.getElementById("ws-messages")?.textContent || "{}");
  const msg = (key, values = {}) =>
    (messages[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

  function say(message) {
    const status = document.getElementById("status");
    if (status) status.textContent = message;
  }

  function sentenceOf(item) {
    return textEl.querySelector(`.sent[data-s="${item.start}"][data-e="${item.end}"]`);
  }

  function draw() {
    for (const old of textEl.querySelectorAll(".sent.sugg")) {
      old.classList.remove("sugg", "is-sugg-focus", `lab-${old.dataset.suggLabel}`);
      delete old.dataset.sugg;
      delete old.dataset.suggId;
      delete old.dataset.suggLabel;
    }
    state.items = state.items.filter((item) => sentenceOf(item));
    for (const item of state.items) {
      const sentence = sentenceOf(item);
      sentence.classList.add("sugg", `lab-${item.label}`);
      sentence.dataset.sugg = `${item.label_name} ${item.score.toFixed(2)}`;
      sentence.dataset.suggId = String(item.id);
      sentence.dataset.suggLabel = String(item.label);
      sentence.title = `${item.agent}: ${item.label_name} (${item.score.toFixed(2)})`;
      if (String(item.id) === state.focused) sentence.classList.add("is-sugg-focus");
    }
    if (!state.items.some((item) => String(item.id) === state.focused)) state.focused = null;
    const above = state.items.filter((item) => item.score >= state.threshold).length;
    if (acceptAll) {
      acceptAll.hidden = above === 0;
      document.getElementById("accept-all-n").textContent = String(above);
    }
  }

  function load() {
    return fetch(listUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        state.items = data.suggestions;
        state.threshold = data.threshold;
        draw();
      })
      .catch(() => {});
  }

  function focusItem(item) {
    state.focused = item ? String(item.id) : null;
    draw();
    const sentence = item && sentenceOf(item);
    if (sentence) sentence.scrollIntoView({ block: "nearest" });
    if (item) {
      say(msg("suggestion_focused", { label: item.label_name, score: item.score.toFixed(2), agent: item.agent }));
    }
  }

  function move(step) {
    if (!state.items.length) return false;
    const index = state.items.findIndex((item) => String(item.id) === state.focused);
    const next = index < 0 ? (step > 0 ? 0 : state.items.length - 1) : (index + step + state.items.length) % state.items.length;
    focusItem(state.items[next]);
    return true;
  }

  function focusedItem() {
    return state.items.find((item) => String(item.id) === state.focused) || null;
  }

  // One request at a time; the list is fetched again after each answer.
  let queue = Promise.resolve();
  function post(url) {
    const values = root.dataset.view ? { view: root.dataset.view } : {};
    queue = queue
      .then(() => htmx.ajax("POST", url, { source: textEl, values, swap: "none" }))
      .then(load)
      .catch(() => {});
    return queue;
  }

  function answer(verdict) {
    const item = focusedItem();
    if (!item) return false;
    const index = state.items.indexOf(item);
    state.items.splice(index, 1);
    const after = state.items[Math.min(index, state.items.length - 1)] || null;
    state.focused = after ? String(after.id) : null;
    draw();
    post(`${listUrl}${item.id}/${verdict}/`);
    return true;
  }

  if (acceptAll) {
    acceptAll.addEventListener("click", () => {
      state.items = state.items.filter((item) => item.score < state.threshold);
      draw();
      post(root.dataset.acceptAllUrl);
    });
  }

  // The server redraws lines after every change: draw the outlines on the new ones, then
  // ask again (an undo or a deletion may have put a suggestion back).
  document.body.addEventListener("annotationsChanged", () => {
    draw();
    load();
  });

  // Capture phase: before workspace.js, which leaves alone what is handled here.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.defaultPrevented || event.isComposing) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target instanceof Element && target !== textEl && target.closest("input, textarea, select, button, a, summary")) return;
      let handled = false;
      if (event.key === "Tab") {
        handled = move(event.shiftKey ? -1 : 1);
      } else if (state.focused && (event.key === "Enter" || event.code === "KeyA")) {
        handled = answer("accept");
      } else if (state.focused && event.code === "KeyX") {
        handled = answer("reject");
      } else if (state.focused && event.key === "Escape") {
        focusItem(null);
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true,
  );

  load();
})();
