"""Converting code-point offsets to and from UTF-16 code units.

Our offsets are Unicode code points (Python string indices). Tools written in
JavaScript, doccano among them, count UTF-16 code units: every character outside
the Basic Multilingual Plane (most emoji, each half of a flag) is two units there.
"""

from __future__ import annotations

from bisect import bisect_left


class OffsetError(ValueError):
    """A UTF-16 offset that does not fall on a character boundary of the text."""


class Utf16Offsets:
    """Offset conversion for one text; cheap when the text has no astral characters."""

    def __init__(self, text: str) -> None:
        # Code-point positions of the characters that take two UTF-16 units.
        self._astral = [i for i, char in enumerate(text) if char > "\uffff"] if text else []
        self._length = len(text)

    def to_utf16(self, offset: int) -> int:
        """The UTF-16 offset of code-point ``offset``."""
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, offset: int) -> int:
        """The code-point offset of UTF-16 ``offset``; OffsetError inside a surrogate pair."""
        end = self.to_utf16(self._length)
        if not self._astral or offset < 0 or offset >= end:
            # Outside the text, keep the distance so range errors stay readable.
            return offset if offset < end else self._length + offset - end
        # Find the code point p with p + (astral characters before p) == offset.
        low, high = 0, min(offset, self._length)
        while low < high:
            middle = (low + high + 1) // 2
            if self.to_utf16(middle) <= offset:
                low = middle
            else:
                high = middle - 1
        if self.to_utf16(low) != offset:
            raise OffsetError(
                f"UTF-16 offset {offset} falls inside a character "
                "(the two halves of an emoji or flag)."
            )
        return low
