// The document page's discussion: comment on the selected passage, and mention members
// with "@" (a list of the project's members who may read the comment, filtered as one
// types). The server checks both again; this only saves typing.
(() => {
  "use strict";
  const T = window.AnnotatorText;
  const textEl = document.getElementById("doc-text");
  let lastPassage = null; // {start, end, quote} in code points, the latest selection

  document.addEventListener("selectionchange", () => {
    if (!textEl || !T) return;
    const offsets = T.selectionOffsets(textEl);
    if (!offsets || offsets[0] === offsets[1]) return;
    const full = textEl.textContent;
    const [a, b] = T.snap(full, offsets[0], offsets[1]);
    if (a === b) return;
    const quote = full.slice(a, b);
    const start = T.utf16ToCodePoints(full, a);
    lastPassage = { start, end: start + T.utf16ToCodePoints(quote, quote.length), quote };
  });

  function form() {
    return document.getElementById("comment-form");
  }

  function setPassage(passage) {
    const f = form();
    if (!f) return;
    f.elements.start.value = passage ? passage.start : "";
    f.elements.end.value = passage ? passage.end : "";
    f.elements.quote.value = passage ? passage.quote : "";
    const what = f.querySelector(".comment-on-what");
    const short = passage && passage.quote.length > 80 ? passage.quote.slice(0, 80) + "…" : passage?.quote;
    what.textContent = passage ? `«${short}»` : what.dataset.whole || what.textContent;
    f.querySelector('[data-action="comment-document"]').hidden = !passage;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.dataset.action === "comment-passage") {
      const what = form().querySelector(".comment-on-what");
      what.dataset.whole = what.dataset.whole || what.textContent;
      if (lastPassage) setPassage(lastPassage);
      form().elements.text.focus();
    } else if (button.dataset.action === "comment-document") {
      setPassage(null);
    }
  });

  // ---- mentions
  function candidates(field) {
    const data = document.getElementById("mention-members");
    const all = data ? JSON.parse(data.textContent) : [];
    let concerning = field.dataset.concerning || "";
    const select = field.form.querySelector("select[name=concerning], select[name=annotator]");
    if (select) concerning = select.value;
    return all.filter((m) => m.reviews || String(m.id) === concerning);
  }

  function wordBeforeCaret(field) {
    const before = field.value.slice(0, field.selectionStart);
    const match = /(^|[^\w@])@([\w.+-]*)$/u.exec(before);
    return match ? { prefix: match[2], at: before.length - match[2].length - 1 } : null;
  }

  function list() {
    return document.querySelector("#discussion .mention-list");
  }

  function hideList() {
    const ul = list();
    if (ul) ul.hidden = true;
  }

  function insert(field, word, name) {
    const end = field.selectionStart;
    field.value = field.value.slice(0, word.at) + "@" + name + " " + field.value.slice(end);
    const caret = word.at + name.length + 2;
    field.setSelectionRange(caret, caret);
    field.focus();
    hideList();
  }

  function showList(field) {
    const ul = list();
    const word = wordBeforeCaret(field);
    if (!ul || !word) return hideList();
    const found = candidates(field)
      .filter((m) => m.name.toLowerCase().startsWith(word.prefix.toLowerCase()))
      .slice(0, 8);
    if (!found.length) return hideList();
    ul.replaceChildren(
      ...found.map((m, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.textContent = "@" + m.name;
        li.dataset.name = m.name;
        if (i === 0) li.setAttribute("aria-selected", "true");
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          insert(field, word, m.name);
        });
        return li;
      }),
    );
    field.after(ul);
    ul.hidden = false;
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches("#discussion textarea[data-mentions]")) showList(event.target);
  });
  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (!field.matches || !field.matches("#discussion textarea[data-mentions]")) return;
    const ul = list();
    if (!ul || ul.hidden) return;
    const options = [...ul.children];
    const current = options.findIndex((li) => li.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (current + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach((li, i) => li.setAttribute("aria-selected", String(i === next)));
    } else if (event.key === "Enter" || event.key === "Tab") {
      const word = wordBeforeCaret(field);
      if (word && current >= 0) {
        event.preventDefault();
        insert(field, word, options[current].dataset.name);
      }
    } else if (event.key === "Escape") {
      hideList();
    }
  });
  document.addEventListener("focusout", (event) => {
    if (event.target.matches && event.target.matches("#discussion textarea")) hideList();
  });
})();
