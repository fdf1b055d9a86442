"""A zip bomb is refused early and cheaply (issue 18, item 1).

The archive is a 200 MB run of "A" deflated to about 200 KB, its headers claiming
40 MiB. The importer must stop one byte past the claim, say so in one line, write
nothing, and refuse within a memory ceiling above the worker's size before the upload.
The ceiling is measured in a fresh interpreter: the test process's own high-water mark
says nothing about one import.
"""

import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile

import pytest
from django.conf import settings

from annotator.datasets.imports.documents import import_upload
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Document, Source

PAYLOAD_MB = 200
DECLARED = 40 * 2**20
BUDGET = 50 * 2**20
CEILING = 100 * 2**20
MESSAGE = (
    f"bomb.zip/bomb.txt: unpacks to more than the {DECLARED} bytes its zip header declares "
    "(a damaged or hostile archive)"
)


def write_zip_bomb(path):
    """A member of PAYLOAD_MB megabytes of "A" whose headers both say DECLARED bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("bomb.txt")
        info.compress_type = zipfile.ZIP_DEFLATED
        info.compress_level = 9
        with archive.open(info, "w") as member:
            block = b"A" * 2**20
            for _ in range(PAYLOAD_MB):
                member.write(block)
        info.file_size = DECLARED  # the central directory is written on close
    data = bytearray(path.read_bytes())
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, DECLARED)  # the local header's uncompressed size
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return write_zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.zip")


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_one_byte_past_its_claim_and_nothing_is_written(bomb, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = BUDGET
    assert bomb.stat().st_size < 2**20
    with pytest.raises(ImportFailed) as exc:
        import_upload("bomb.zip", bomb.read_bytes(), default_source="Сайт")
    assert str(exc.value) == MESSAGE
    assert not Document.objects.exists() and not Source.objects.exists()


MEASURE = textwrap.dedent(
    """
    import json, re, sys
    import django

    def status(field):  # bytes, from the kernel's own accounting of this process
        found = re.search(field + r":\\s+(\\d+) kB", open("/proc/self/status").read())
        return int(found[1]) * 1024

    django.setup()
    from annotator.datasets.imports.documents import import_upload
    from annotator.datasets.imports.report import ImportFailed

    data = open(sys.argv[1], "rb").read()
    before = status("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # start the peak (VmHWM) afresh: setup's is not the import's
    except OSError:
        pass
    try:
        import_upload("bomb.zip", data, default_source="Сайт")
        message = None
    except ImportFailed as exc:
        message = str(exc)
    print(json.dumps({"message": message, "growth": status("VmHWM") - before}))
    """
)


# ru_maxrss would not do: after fork and exec it can report the parent's (pytest's) size.
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_refusing_a_zip_bomb_stays_within_the_memory_ceiling(bomb):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "IMPORT_UPLOAD_MAX_BYTES": str(BUDGET),
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(bomb)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["growth"] < CEILING, f"grew by {measured['growth'] / 2**20:.0f} MB"
    assert measured["message"] == MESSAGE
