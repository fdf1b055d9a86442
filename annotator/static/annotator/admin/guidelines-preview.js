// Live preview of a project's guidelines: the server renders and sanitises the markdown.
(function () {
  "use strict";

  function start() {
    const source = document.getElementById("id_guidelines");
    const preview = document.getElementById("guidelines-preview");
    if (!source || !preview) return;
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    let timer = null;
    let latest = 0;

    async function refresh() {
      const mine = ++latest;
      const body = new FormData();
      body.append("guidelines", source.value);
      const response = await fetch(preview.dataset.url, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
      });
      if (response.ok && mine === latest) {
        preview.innerHTML = await response.text();  // sanitised server-side (nh3)
      }
    }

    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
