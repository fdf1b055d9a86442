/*
 * Text offsets in the browser. The page works in UTF-16 code units (JavaScript
 * strings and DOM ranges); the server counts Unicode code points. The conversion
 * happens in one place: utf16ToCodePoints.
 *
 * snap() mirrors annotator/spans.py (same rule, same test cases).
 */
window.AnnotatorText = (() => {
  "use strict";

  /** Number of code points in text.slice(0, index): the UTF-16 → code point conversion. */
  function utf16ToCodePoints(text, index) {
    let count = index;
    for (let i = 1; i < index; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        const previous = text.charCodeAt(i - 1);
        if (previous >= 0xd800 && previous <= 0xdbff) count--;
      }
    }
    return count;
  }

  // The snapping rule (see annotator/spans.py).
  const WORD = /^[\p{L}\p{N}\p{M}]$/u;
  const TRIMMED = /^[\p{P}\p{Z}\p{Cc}\p{Cf}]$/u;
  const DIGIT = /^\p{Nd}$/u;
  const JOINERS = "-\u2010\u2011'\u2019";
  const DIGIT_JOINERS = ".,:";

  /** The code point starting at UTF-16 index i. */
  function charAt(text, i) {
    return String.fromCodePoint(text.codePointAt(i));
  }

  /** The code point ending at UTF-16 index i. */
  function charBefore(text, i) {
    const low = text.charCodeAt(i - 1);
    if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) {
      const high = text.charCodeAt(i - 2);
      if (high >= 0xd800 && high <= 0xdbff) return text.slice(i - 2, i);
    }
    return text.slice(i - 1, i);
  }

  /** Whether the character starting at index i is part of a word. */
  function inWord(text, i) {
    const char = charAt(text, i);
    if (WORD.test(char)) return true;
    const next = i + char.length;
    if (i > 0 && next < text.length) {
      const before = charBefore(text, i);
      const after = charAt(text, next);
      if (JOINERS.includes(char)) return WORD.test(before) && WORD.test(after);
      if (DIGIT_JOINERS.includes(char)) return DIGIT.test(before) && DIGIT.test(after);
    }
    return false;
  }

  /** [start, end] (UTF-16) of text.slice(start, end) snapped to word boundaries. */
  function snap(text, start, end) {
    while (start < end && TRIMMED.test(charAt(text, start))) start += charAt(text, start).length;
    while (end > start && TRIMMED.test(charBefore(text, end))) end -= charBefore(text, end).length;
    if (start === end) return [start, start];
    while (start > 0) {
      const before = start - charBefore(text, start).length;
      if (!(inWord(text, before) && inWord(text, start))) break;
      start = before;
    }
    while (end < text.length) {
      const before = end - charBefore(text, end).length;
      if (!(inWord(text, before) && inWord(text, end))) break;
      end += charAt(text, end).length;
    }
    return [start, end];
  }

  /** UTF-16 offset of the DOM point (node, offset) in container, by walking its text nodes. */
  function domOffset(container, node, offset) {
    let target = node;
    if (node.nodeType !== Node.TEXT_NODE) {
      // A point between children: it sits just before the first text node that follows.
      target = firstTextFrom(container, node, offset);
      offset = 0;
    }
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let total = 0;
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (text === target) return total + offset;
      total += text.data.length;
    }
    return total; // the point is after all the text
  }

  /** The first text node at or after the point (element, offset), or null. */
  function firstTextFrom(container, element, offset) {
    let next = element.childNodes[offset] || null;
    if (!next) {
      // The end of element: continue after it.
      let up = element;
      while (up !== container && !up.nextSibling) up = up.parentNode;
      if (up === container) return null;
      next = up.nextSibling;
    }
    if (next.nodeType === Node.TEXT_NODE) return next;
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    walker.currentNode = next;
    return walker.nextNode();
  }

  /**
   * The DOM point at UTF-16 offset `index` in container (the inverse of domOffset).
   * At the boundary of two text nodes it is the end of the first, or with `forward`
   * the start of the second.
   */
  function domPoint(container, index, forward = false) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (index < text.data.length || (index === text.data.length && !forward)) {
        return { node: text, offset: index };
      }
      index -= text.data.length;
      last = text;
    }
    return last ? { node: last, offset: last.data.length } : { node: container, offset: 0 };
  }

  /** The current selection inside container as UTF-16 [start, end], or null. */
  function selectionOffsets(container) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0) return null;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
      return null;
    }
    const start = domOffset(container, range.startContainer, range.startOffset);
    const end = domOffset(container, range.endContainer, range.endOffset);
    return start <= end ? [start, end] : [end, start];
  }

  /** A DOM Range over UTF-16 [start, end] in container. */
  function rangeOf(container, start, end) {
    const range = document.createRange();
    const from = domPoint(container, start, start < end);
    const to = domPoint(container, end);
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }

  return { utf16ToCodePoints, snap, domOffset, domPoint, selectionOffsets, rangeOf };
})();
