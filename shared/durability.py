"""Group commit for a service's SQLite database: one fsync for the commits made meanwhile.

With ``synchronous=FULL`` every COMMIT fsyncs the WAL, and the fsync blocks the whole eventlet hub: in the
lifecycle benchmark the services spent a third of their time in it (docs/PERFORMANCE.md), one commit after
another, each alone.  The fsync of a round runs on a native thread (``eventlet.tpool``), so the service's other
workers go on meanwhile (a fold, a read) instead of the hub standing still for the disk.  Here the database runs ``synchronous=NORMAL`` (a COMMIT writes the WAL without syncing
it) and a commit is made durable by an fsync of the WAL file, once per round: a worker that needs its commit
on disk first lets the workers ready to commit do so, then one fsync covers them all; a worker whose commit
came while a round ran waits for it, then for the next.  A unit of work that wrote waits for its fsync
before anything follows from it (the relay takes its events, the event is acked, the RPC answered:
``UnitOfWork.commit``, ``shared.bus``, ``shared.rpc``), so a commit that had an effect is on disk, as with
``FULL``.

What a read returns may include another worker's commit whose fsync is still running (a millisecond or
two): after a power cut that commit can be gone, but it had no effect yet (its event was not acked, its RPC
not answered, its events not published), so its sender delivers it again and it is made again.
"""

from __future__ import annotations

import os
import weakref

import eventlet.event
from eventlet import tpool
from greenlet import getcurrent

_MINE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # green thread -> (WalSync, its last commit)


class WalSync:
    """The fsyncs of one SQLite database's write-ahead log (``<file>-wal``), shared by its commits."""

    def __init__(self, database_path: str):
        self.database_path = database_path
        self.wal_path = f"{database_path}-wal"
        self.committed = 0  # commits that wrote, counted
        self.durable = 0  # of those, the ones known to be on disk
        self.fsyncs = 0
        self._fd: int | None = None
        self._syncing = False
        self._round = eventlet.event.Event()

    def note_commit(self) -> None:
        """A COMMIT of a transaction that wrote returned: the current green thread has a commit to make durable."""
        self.committed += 1
        _MINE[getcurrent()] = (self, self.committed)

    def wait(self, ticket: int) -> None:
        """Return once commit number ``ticket`` is on disk (one fsync serves every commit made before it)."""
        while self.durable < ticket:
            if self._syncing:
                self._round.wait()
                continue
            self._syncing, current = True, self._round
            try:
                eventlet.sleep(0)  # let the workers ready to commit commit first: this fsync covers them too
                upto = self.committed
                self._fsync()
            except BaseException as exc:
                current.send_exception(exc if isinstance(exc, OSError) else OSError(str(exc)))
                raise
            else:
                self.durable = max(self.durable, upto)
                self.fsyncs += 1
                current.send(None)
            finally:
                self._syncing = False
                self._round = eventlet.event.Event()

    def _fsync(self) -> None:
        """fsync the WAL file (reopened if it was replaced); without one (its last connection closed and
        checkpointed it away, or the journal is not WAL), the database file itself."""
        try:
            inode = os.stat(self.wal_path).st_ino
        except FileNotFoundError:
            self.close()
            fd = os.open(self.database_path, os.O_RDONLY)
            try:
                tpool.execute(os.fsync, fd)
            finally:
                os.close(fd)
            return
        if self._fd is not None and os.fstat(self._fd).st_ino != inode:
            self.close()
        if self._fd is None:
            self._fd = os.open(self.wal_path, os.O_RDONLY)
        tpool.execute(os.fsync, self._fd)  # on a native thread: the hub runs the service's other workers meanwhile

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def wait_mine() -> None:
    """Wait until the last commit this green thread made (if any, on a grouped database) is on disk."""
    mine = _MINE.pop(getcurrent(), None)
    if mine is not None:
        sync, ticket = mine
        sync.wait(ticket)


class Checkpointer:
    """The write-ahead log copied back into the database file by a thread of its own, never by a commit.

    SQLite checkpoints in the COMMIT that takes the WAL past ``wal_autocheckpoint`` pages (1000 by default):
    it copies the WAL's pages into the database file and fsyncs both — 15 to 80 ms in which the committing
    service's eventlet hub, and so every worker of the service, stands still (a coordinator event's commit:
    p50 0.14 ms, p99 15 ms, docs/PERFORMANCE.md).  Here a native thread (the GIL released while SQLite works)
    runs a PASSIVE checkpoint on a connection of its own every ``interval`` seconds: it copies what no reader
    still needs and waits for no one; the service's connection keeps SQLite's own checkpoint only as a
    safety net, at ``SAFETY_PAGES`` (``make_engine``), should this thread ever fall behind."""

    SAFETY_PAGES = 10_000  # 40 MB of WAL with 4 KB pages: reached only if the thread cannot keep up

    def __init__(self, database_path: str, interval: float):
        from eventlet import patcher

        self.database_path = database_path
        self.interval = interval
        self.checkpoints = 0  # passes that ran
        self.pages = 0  # WAL frames copied into the database file
        self._threading = patcher.original("threading")
        self._stop = self._threading.Event()
        self._thread = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = self._threading.Thread(
                target=self._run, name=f"checkpoint {self.database_path}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout)

    def checkpoint(self, connection) -> None:
        """One PASSIVE checkpoint; a busy database (another checkpoint, a file locked) is left for next time."""
        busy, _, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.checkpoints += 1
        if not busy and copied > 0:
            self.pages += copied

    def _run(self) -> None:
        import sqlite3

        connection = None
        while not self._stop.wait(self.interval):
            try:
                if connection is None:
                    connection = sqlite3.connect(self.database_path, timeout=0, isolation_level=None)
                self.checkpoint(connection)
            except sqlite3.Error:  # the file locked or gone a moment: the next pass tries again
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()
