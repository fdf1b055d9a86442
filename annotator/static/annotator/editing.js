/*
 * What the pages that edit spans on a text share (the annotation workspace and the
 * curation screen): keys named independently of the keyboard layout, htmx requests sent
 * one at a time with the server's refusals shown in the status line, a text that carries
 * a caret but cannot be edited, and the live preview of a selection snapped to whole
 * words (the rule of text.js, which the server applies again).
 */
window.AnnotatorEditing = (() => {
  "use strict";
  const T = window.AnnotatorText;

  // The words these helpers say, in English; a page passes its own msg(key, values) to say
  // them in its language (workspace/js_messages.py holds the same keys).
  const ENGLISH = {
    refused: "The server refused this (HTTP %(status)s); nothing was changed. Reload the page.",
    refused_403:
      "You may not make this change (HTTP 403); perhaps you were logged out. " +
      "Nothing was changed. Reload the page.",
    refused_404:
      "This annotation or document no longer exists here (HTTP 404); it may have been " +
      "changed in another tab. Nothing was changed. Reload the page.",
    unreachable: "The server cannot be reached; nothing was saved.",
    document_text: "Document text",
    only_spaces: "Only spaces or punctuation selected.",
    selected: "Selected «%(quote)s»: press %(keys)s.",
  };
  const english = (key, values = {}) =>
    (ENGLISH[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

  const CODES = { BracketLeft: "[", BracketRight: "]", Comma: ",", Period: "." };
  /** The key pressed, independent of the keyboard layout for letters, digits, [ ] , . */
  function keyName(event) {
    const code = event.code || "";
    if (!event.shiftKey && /^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
    if (!event.shiftKey && /^(Digit|Numpad)[0-9]$/.test(code)) return code.slice(-1);
    if (!event.shiftKey && CODES[code]) return CODES[code];
    return event.key;
  }

  /** Whether a key goes to a field the user types in (the text itself excepted). */
  function typingIn(target, textEl) {
    if (!(target instanceof Element) || target === textEl) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }

  /** A quote short enough for the preview line and the editor. */
  function shorten(quote) {
    return quote.length > 80 ? `${quote.slice(0, 79)}…` : quote;
  }

  /** "1 Label, 2 Other, …": the label buttons' keys, for the hints. */
  function labelKeys(labelButtons) {
    return labelButtons
      .filter((b) => b.dataset.hotkey)
      .map((b) => `${b.dataset.hotkey} ${b.dataset.title}`)
      .join(", ");
  }

  /** The status line's writer. */
  function say(message, error = false) {
    const status = document.getElementById("status");
    status.textContent = message;
    status.classList.toggle("error", error);
  }

  /**
   * post(url, values): an htmx POST whose answer swaps only out-of-band fragments; one
   * request at a time, in order, none dropped. `extra()` adds values to every request.
   */
  function poster(source, extra = () => ({})) {
    let queue = Promise.resolve();
    return (url, values = {}) => {
      Object.assign(values, extra());
      queue = queue
        .then(() => htmx.ajax("POST", url, { source, values, swap: "none" }))
        .catch(() => {});
      return queue;
    };
  }

  const refused = (xhr) => xhr.status >= 400 && xhr.status < 500;
  const REFUSALS = { 403: "refused_403", 404: "refused_404" };

  /** Show the server's answers: a refused edit carries its reason for the status line. */
  function handleAnswers(msg = english) {
    // A refusal is this page's to show. With DEBUG on, django-htmx's error handler listens
    // on the document and would replace the whole page with the answer: it never sees one.
    document.body.addEventListener("htmx:beforeOnLoad", (event) => {
      if (refused(event.detail.xhr)) event.stopPropagation();
    });
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      const xhr = event.detail.xhr;
      if (refused(xhr) && xhr.responseText.includes('id="status"')) {
        // A rejected edit: the answer carries the reason for the status line.
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:responseError", (event) => {
      const status = event.detail.xhr.status;
      say(REFUSALS[status] ? msg(REFUSALS[status]) : msg("refused", { status }), true);
    });
    document.body.addEventListener("htmx:sendError", () => {
      say(msg("unreachable"), true);
    });
    // A fragment that has no place on this page (changed in another tab): redraw it all.
    document.body.addEventListener("htmx:oobErrorNoTarget", () => window.location.reload());
  }

  /** Make the text read-only; returns setEditable(on): a caret for Shift+arrow selection. */
  function readOnlyText(textEl, msg = english) {
    for (const type of ["beforeinput", "paste", "cut", "drop", "dragstart"]) {
      textEl.addEventListener(type, (event) => event.preventDefault());
    }
    // Should the text ever be edited anyway, offsets would lie: reload the true text.
    textEl.addEventListener("input", () => window.location.reload());
    return (on) => {
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
    };
  }

  /**
   * The selection in textEl, snapped to whole words and previewed (highlighted, and
   * quoted in `preview` with the label keys). `active()` says whether selecting applies
   * now. Returns {current(): the selection now ({start16, end16, start, end, quote},
   * {empty: true} or null), clear()}.
   */
  function snappedSelection(textEl, preview, labelButtons, active = () => true, msg = english) {
    const fullText = textEl.textContent; // the document text (UTF-16), never changes here
    const highlights = window.CSS && CSS.highlights;
    let selection = null;
    let frame = 0;

    function read() {
      frame = 0;
      if (!active()) return;
      const offsets = T.selectionOffsets(textEl);
      if (!offsets || offsets[0] === offsets[1]) {
        selection = null;
      } else {
        const [start16, end16] = T.snap(fullText, offsets[0], offsets[1]);
        if (start16 === end16) {
          selection = { empty: true };
        } else {
          const quote = fullText.slice(start16, end16);
          const start = T.utf16ToCodePoints(fullText, start16);
          const end = start + T.utf16ToCodePoints(quote, quote.length);
          selection = { start16, end16, start, end, quote };
        }
      }
      show();
    }

    function show() {
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
      preview.textContent = msg("selected", {
        quote: shorten(selection.quote),
        keys: labelKeys(labelButtons),
      });
    }

    document.addEventListener("selectionchange", () => {
      if (!frame) frame = requestAnimationFrame(read);
    });

    return {
      current() {
        // A key may come before the selectionchange event or the next frame: read now.
        if (frame) cancelAnimationFrame(frame);
        read();
        return selection;
      },
      peek: () => selection,
      clear() {
        window.getSelection()?.removeAllRanges();
        selection = null;
        show();
      },
    };
  }

  return {
    keyName,
    typingIn,
    say,
    shorten,
    labelKeys,
    poster,
    handleAnswers,
    readOnlyText,
    snappedSelection,
  };
})();
