// Review screen: shade the sentences annotators disagree on in the text, and go from a
// sentence in the text to its row in the sentence table.
(function () {
  "use strict";
  const text = document.getElementById("review-text");
  if (!text) return;
  const disagree = new Set((text.dataset.disagree || "").split(" ").filter(Boolean));
  for (const sentence of text.querySelectorAll(".sent")) {
    if (disagree.has(sentence.dataset.i)) sentence.classList.add("disagree");
  }
  text.addEventListener("click", (event) => {
    const sentence = event.target.closest(".sent");
    if (sentence) window.location.hash = "s-" + sentence.dataset.i;
  });
})();
