"""shared.docx_base's package writer: the zip python-docx's documents are written into without zipfile's
deflate of every member at every write."""

from __future__ import annotations

import io
import time
import zipfile

from shared.docx_base import Entry, entries_of, write_zip

MEMBERS = {
    "[Content_Types].xml": b"<Types/>" * 50,
    "word/document.xml": "<w:t>合同 & 草稿</w:t>".encode() * 200,
    "word/media/图.png": bytes(range(256)) * 4,
}


def zipfile_package(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return out.getvalue()


def test_a_written_package_is_a_zip_every_reader_checks_and_reads_back():
    stored = Entry("notes.txt", zipfile.ZIP_STORED, zipfile.crc32(b"plain"), 5, b"plain")
    package = write_zip([*(Entry.deflate(name, data) for name, data in MEMBERS.items()), stored])
    archive = zipfile.ZipFile(io.BytesIO(package))
    assert archive.testzip() is None  # every CRC right
    assert {name: archive.read(name) for name in archive.namelist()} == {**MEMBERS, "notes.txt": b"plain"}
    assert list(archive.namelist()) == [*MEMBERS, "notes.txt"]  # in the order given
    info = archive.getinfo("word/document.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < info.file_size
    assert archive.getinfo("word/media/图.png").flag_bits & 0x800  # a UTF-8 name says so
    assert abs(time.mktime(info.date_time + (0, 0, -1)) - time.time()) < 5  # dated now, local time


def test_a_packages_members_are_taken_as_stored_and_written_again_unchanged():
    package = zipfile_package(MEMBERS)
    entries = entries_of(package)
    assert list(entries) == list(MEMBERS)
    copy = zipfile.ZipFile(io.BytesIO(write_zip(entries.values())))
    assert copy.testzip() is None
    assert {name: copy.read(name) for name in copy.namelist()} == MEMBERS
    assert entries["word/document.xml"].data == Entry.deflate("word/document.xml", MEMBERS["word/document.xml"]).data
    assert {name: entry.content() for name, entry in entries.items()} == MEMBERS  # inflated without zipfile


def test_what_is_not_a_plain_zip_gives_no_entries():
    for not_a_package in (b"", b"PK\x03\x04 broken", b"%PDF-1.4", zipfile_package(MEMBERS)[:-30]):
        assert entries_of(not_a_package) == {}
