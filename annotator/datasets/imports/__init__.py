"""Importing datasets: documents (``documents``) and annotations (``annotations``).

Both importers read a whole input before writing anything and share how they do it:
``decode`` (bytes to normalised text), ``report`` (``ImportFailed`` and what a report
holds); each has its formats module (``document_formats``, ``annotation_formats``).
The document importer also reads archives (``archive``, bounded against zip bombs)
and finds repeated paragraphs (``repeats``).
"""
