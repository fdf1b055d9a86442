"""What an import reports, and how it refuses bad input.

Both importers (documents, annotations) refuse bad input the same way: ``ImportFailed``,
a ``Rejected`` whose message names the file (and line) of every problem, raised before
anything is written. What their reports have in common (the problems found, and the
encoding each file was read with) lives in ``ImportReport``; each importer's report adds
its own counts and summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from annotator.errors import Rejected


class ImportFailed(Rejected):
    """Bad input; nothing was written.

    ``str(exc)`` names the file (and line) of each problem, one problem a line;
    ``report`` is what the import had found when it stopped, if it got that far.
    """

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message)
        self.report = report

    @property
    def errors(self) -> list[str]:
        """The problems, one a line, as ``str(exc)`` lists them."""
        return str(self).split("\n")


@dataclass
class ImportReport:
    """The problems an import found and the encodings its files were read with.

    Problems are all counted; only the first ``max_errors`` are kept (None: all),
    so a file that is wrong on every line does not fill the memory with messages.
    """

    max_errors: ClassVar[int | None] = None

    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    encodings: dict[str, str] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.error_count += 1
        if self.max_errors is None or len(self.errors) < self.max_errors:
            self.errors.append(message)

    @property
    def errors_left_out(self) -> int:
        """How many problems were counted but not kept."""
        return self.error_count - len(self.errors)

    def failed(self) -> ImportFailed:
        """The refusal listing every problem kept, with this report attached."""
        return ImportFailed("\n".join(self.errors), self)
