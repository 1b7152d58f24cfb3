"""Size limits: an over-long line is quarantined alone, an over-large file (a gzip bomb) whole."""

from __future__ import annotations

import dataclasses
import gzip
import json
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zlib
from pathlib import Path

import pytest

from uptake.extract import extract_all
from uptake.extract.readers import (
    RECORD_PREFIX_BYTES,
    FileTooLargeError,
    UnreadableFileError,
    decompress,
)
from uptake.settings import MAX_FILE_BYTES, Settings, get_settings

EVENTS = "product_events/dt=2026-03-02/events.jsonl"
BOMB = "product_events/dt=2026-03-02/bomb.jsonl.gz"
MiB = 1024 * 1024


def track(message_id: str, **extra: object) -> str:
    message = {
        "type": "track",
        "messageId": message_id,
        "timestamp": "2026-03-01T12:34:56.789Z",
        "userId": "u-1",
        "event": "Report Exported",
        **extra,
    }
    return json.dumps(message)


def write_zero_bomb(path: Path, total: int, chunk: int = 16 * MiB) -> None:
    """A well-formed gzip file of ``total`` zero bytes, written without ever holding them.

    After a full flush deflate forgets its history, so every further chunk of zeros
    compresses to the same bytes: the block is computed once and written many times.
    """
    zeros = bytes(chunk)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    with path.open("wb") as handle:
        handle.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")  # gzip header, no name
        for _ in range(total // chunk):
            handle.write(block)
            crc = zlib.crc32(zeros, crc)
        handle.write(deflate.flush())
        handle.write(struct.pack("<II", crc, total & 0xFFFFFFFF))


def test_limits_come_from_the_environment_through_settings() -> None:
    settings = get_settings({"UPTAKE_MAX_LINE_BYTES": "4096", "UPTAKE_MAX_FILE_BYTES": "1000000"})
    assert (settings.max_line_bytes, settings.max_file_bytes) == (4096, 1_000_000)
    defaults = get_settings({})
    assert (defaults.max_line_bytes, defaults.max_file_bytes) == (MiB, 2048 * MiB)


def test_a_line_too_long_is_quarantined_alone_and_the_file_still_loads(
    landing, raw, settings: Settings
) -> None:
    limited = dataclasses.replace(settings, max_line_bytes=300)
    long_line = track("m-2", properties={"blob": "x" * 400})
    at_limit = track(
        "m-3", properties={"blob": "y" * (300 - len(track("m-3", properties={"blob": ""})))}
    )
    assert len(at_limit) == 300
    landing.write(EVENTS, "\n".join([track("m-1"), long_line, at_limit, track("m-4")]) + "\n")
    # The same in a file with bytes that are not UTF-8 (the line-by-line path).
    latin = "product_events/dt=2026-03-02/latin.jsonl"
    landing.write(latin, long_line.encode() + b'\n{"caf\xe9": 1}\n' + track("m-5").encode())

    summary = extract_all(limited)

    assert raw.quarantine(EVENTS) == [(2, "line_too_long")]
    assert raw.quarantine(latin) == [(1, "line_too_long"), (2, "invalid_utf8")]
    loaded = raw.query("SELECT message_id FROM raw.product_events ORDER BY 1")
    assert loaded == [("m-1",), ("m-3",), ("m-4",), ("m-5",)]
    records = raw.query("SELECT record FROM raw.quarantine WHERE reason = 'line_too_long'")
    for (record,) in records:
        assert long_line.startswith(record) and 0 < len(record.encode()) <= RECORD_PREFIX_BYTES
    assert raw.audit(EVENTS) == (4, 3, 1, 0)
    assert raw.audit(latin) == (3, 1, 2, 0)
    events = summary.entity("product_events", "events")
    assert (events.rows_in, events.rows_loaded, events.rows_quarantined) == (7, 4, 3)


def test_a_file_too_large_is_one_quarantine_row_and_nothing_of_it_loads(
    landing, raw, settings: Settings
) -> None:
    limited = dataclasses.replace(settings, max_file_bytes=10_000)
    lines = "\n".join(track(f"m-{n}") for n in range(200)) + "\n"  # about 25 kB
    big_gz = "product_events/dt=2026-03-02/big.jsonl.gz"
    big_plain = "product_events/dt=2026-03-02/big.jsonl"
    landing.write(big_gz, lines, gz=True)  # small on disk, too large inflated
    landing.write(big_plain, lines)
    landing.write(EVENTS, track("ok") + "\n")

    summary = extract_all(limited)

    for path in (big_gz, big_plain):
        assert raw.quarantine(path) == [(None, "file_too_large")]
        assert raw.audit(path) == (1, 0, 1, 0)
    (detail,) = raw.query("SELECT DISTINCT record FROM raw.quarantine")[0]
    assert "10000 bytes" in detail
    assert raw.query("SELECT message_id FROM raw.product_events") == [("ok",)]
    assert summary.entity("product_events", "events").rows_quarantined == 2
    # The ledger knows both files by their hash: a rerun skips them.
    again = extract_all(limited).entity("product_events", "events")
    assert (again.files_skipped_unchanged, again.files_loaded) == (3, 0)


def test_inflating_stops_at_the_limit_and_holds_no_more_than_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    write_zero_bomb(bomb, 4096 * MiB)  # 4 GiB of zeros in about 4 MB
    data = bomb.read_bytes()
    assert len(data) < 8 * MiB
    tracemalloc.start()
    try:
        with pytest.raises(FileTooLargeError, match="33554432 bytes"):
            decompress(data, bomb.name, 32 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The counting pass keeps nothing: one inflate step, never the limit, never the 4 GiB.
    assert peak < 8 * MiB, peak
    # Under the limit the same reader returns the content, gzip members concatenated.
    small = gzip.compress(b"a\n") + b"\0\0" + gzip.compress(b"b\n")
    assert decompress(small, "x.gz", 100) == b"a\nb\n"
    with pytest.raises(UnreadableFileError):
        decompress(small[:-3], "x.gz", 100)


RUN_EXTRACT = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from uptake.extract import extract_all
    from uptake.settings import Settings

    home = Path(sys.argv[1])
    settings = Settings(home=home, landing_dir=home / "landing",
                        warehouse_path=home / "w.duckdb", max_file_bytes=int(sys.argv[2]))
    events = extract_all(settings).entity("product_events", "events")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(events.rows_loaded, events.rows_quarantined, peak)
    """
)


def _extract_in_subprocess(home: Path, max_file_bytes: int) -> tuple[int, int, int]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_EXTRACT, str(home), str(max_file_bytes)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded, quarantined, peak = done.stdout.split()
    return int(loaded), int(quarantined), int(peak)


def test_a_gzip_bomb_is_quarantined_without_raising_peak_memory(tmp_path: Path, landing) -> None:
    # The default limit (2 GiB): the counting pass never holds what it inflates, so the bomb
    # costs one inflate step of memory, not the limit.
    limit = MAX_FILE_BYTES
    lines = [track(f"m-{n}") for n in range(20_000)]
    landing.write("product_events/dt=2026-03-01/events.jsonl.gz", "\n".join(lines), gz=True)
    home = landing.root.parent
    assert landing.root == home / "landing"
    without = _extract_in_subprocess(home, limit)
    (home / "w.duckdb").unlink()

    (landing.root / BOMB).parent.mkdir(parents=True)
    write_zero_bomb(landing.root / BOMB, 4096 * MiB)
    with_bomb = _extract_in_subprocess(home, limit)

    assert without[:2] == (20_000, 0)
    assert with_bomb[:2] == (20_000, 1)  # the bomb: one file-level row, nothing loaded
    assert with_bomb[2] - without[2] < 32 * MiB, (without, with_bomb)
