from pathlib import Path

import pytest

from tests.support import factories

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def seed_document(project):
    """Seed text 003 (an analyst's VK post) in the project."""
    text = (SEEDS / "003_630c0bafdc5be0e1.txt").read_text(encoding="utf-8")
    document = factories.DocumentFactory(text=text)
    factories.ProjectDocumentFactory(project=project, document=document)
    return document
