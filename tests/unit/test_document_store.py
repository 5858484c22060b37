"""Stored documents (shared.documents): named by content, refused naming the field, durable before use."""

from __future__ import annotations

import hashlib
import os

import pytest

from shared.documents import DocumentStore
from shared.errors import InvalidInput
from shared.policy import load_policy

RULES = load_policy().documents["documents"]
PDF = b"%PDF-1.4 a special report"


@pytest.fixture
def store(tmp_path):
    return DocumentStore(tmp_path / "documents", RULES)


def test_a_document_is_kept_once_by_its_content(store, tmp_path):
    ref = store.save("专项报告.pdf", PDF)
    assert ref.id == hashlib.sha256(PDF).hexdigest() and ref.filename == "专项报告.pdf"
    assert (ref.content_type, ref.size) == ("application/pdf", len(PDF))
    assert store.load(ref.id) == PDF
    assert store.save("again.pdf", PDF).id == ref.id
    stored = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert stored == [tmp_path / "documents" / ref.id[:2] / ref.id]  # no temporary file left beside it


@pytest.mark.parametrize(
    "filename, data, field, rule",
    [
        ("report.exe", PDF, "report.filename", "type .exe is not accepted"),
        ("report", PDF, "report.filename", "type .? is not accepted"),
        ("report.pdf", b"", "report.content", "is empty"),
    ],
)
def test_bad_documents_are_refused_naming_the_field_and_nothing_is_stored(store, tmp_path, filename, data, field, rule):
    with pytest.raises(InvalidInput) as refused:
        store.save(filename, data, field="report")
    assert field in refused.value.fields and rule in refused.value.message
    assert not (tmp_path / "documents").exists()


def test_too_large_a_document_is_refused(tmp_path):
    store = DocumentStore(tmp_path / "documents", {**RULES, "max_size_bytes": 10})
    with pytest.raises(InvalidInput) as refused:
        store.save("report.pdf", PDF)
    assert "the limit is 10 bytes" in refused.value.message and "document.content" in refused.value.fields


def test_the_content_and_its_directory_entries_are_on_disk_before_the_reference_is_returned(
    store, tmp_path, monkeypatch
):
    synced, real_fsync = [], os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    ref = store.save("report.pdf", PDF)
    root, folder = tmp_path / "documents", tmp_path / "documents" / ref.id[:2]
    (temporary,) = [p for p in synced if p.endswith(".part")]
    assert os.path.dirname(temporary) == str(folder)  # the content, under its temporary name, before the rename
    assert synced.index(temporary) < synced.index(str(folder))  # then the folder holding the renamed entry
    assert str(tmp_path) in synced and str(root) in synced  # the new folders' own entries
    synced.clear()
    store.save("report.pdf", PDF)  # already stored: nothing written, nothing synced
    assert synced == []


def test_a_failed_write_leaves_no_temporary_file(store, tmp_path, monkeypatch):
    real_fsync, failed = os.fsync, []

    def broken(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):  # the disk fails under the content
            failed.append(fd)
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        store.save("report.pdf", PDF)
    assert failed and [p for p in (tmp_path / "documents").rglob("*") if p.is_file()] == []
