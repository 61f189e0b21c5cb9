"""A supervised pool of worker processes that knows which chip each worker runs.

concurrent.futures' ProcessPoolExecutor breaks as a whole when one worker dies (BrokenProcessPool for
every pending future) and cannot say which task killed it. Here each worker has its own pipe and runs one
chip at a time, so a dead worker (os._exit, segfault, OOM kill) names its chip exactly: that chip is
retried once in a fresh worker, then recorded failed; every other chip carries on.

Workers are never plain forks of the caller: a parent with a loaded ngspice (global state) or running torch
threads must not be copied. They come from a forkserver (spawn where there is none); each loads the job
once and runs many chips.
"""
from __future__ import annotations

import multiprocessing
import pickle
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from multiprocessing.connection import wait

from mtcsn_hw.calibration.outcome import Outcome, one_line, run_chip
from mtcsn_hw.errors import MTCSNError

DEATH_RETRIES = 1
PREFETCH = 2
_STOP = None
_READY = "ready"


def worker_context():
    """forkserver where there is one: a clean server process that has imported the package once (torch is slow
    to import), forked for each worker, so a fresh worker after a crash starts in milliseconds; else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def _worker_main(conn, payload: bytes) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        job, context = pickle.loads(payload)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the sweep
        conn.send(("cannot load the job", one_line(exc)))
        return
    if "torch" in sys.modules:  # one thread per worker: the workers already use every core
        sys.modules["torch"].set_num_threads(1)
    try:
        conn.send(_READY)
        while (seed := conn.recv()) is not _STOP:
            conn.send(run_chip(job, seed, context))
    except (EOFError, OSError):  # the parent went away
        pass


class _Worker:
    """One worker process and the seeds sent to it, in order: it answers them in that order, so the first
    unanswered seed is the one it is running."""

    def __init__(self, ctx, payload: bytes):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, payload), daemon=True)
        self.process.start()
        child.close()
        self.assigned: deque[int] = deque()
        self.running_since = float("inf")  # when the first assigned seed started (not before the job is loaded)
        self.timed_out = False

    def assign(self, seed: int) -> None:
        if not self.assigned and self.running_since != float("inf"):
            self.running_since = time.monotonic()
        self.assigned.append(seed)
        try:
            self.conn.send(seed)
        except OSError:  # already dead: wait() sees its sentinel and collect() reports the death
            pass

    def replies(self) -> list:
        """Every reply already sent (without blocking)."""
        out = []
        try:
            while self.assigned and self.conn.poll():
                reply = self.conn.recv()
                if reply == _READY or isinstance(reply, Outcome):
                    self.running_since = time.monotonic()
                if isinstance(reply, Outcome):
                    self.assigned.popleft()
                if reply != _READY:
                    out.append(reply)
        except (EOFError, OSError):  # it died; what it sent before is above
            pass
        return out

    def cause(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is None:
            return "stopped answering"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def ask_to_stop(self) -> None:
        try:
            self.conn.send(_STOP)
        except OSError:
            pass

    def stop(self, grace: float = 2.0) -> None:
        self.ask_to_stop()
        self.process.join(timeout=grace)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class _Supervisor:
    """Keeps up to `workers` workers busy with queued seeds; a dead worker's chip goes back in the queue once."""

    def __init__(self, payload: bytes, seeds: list[int], workers: int, chip_timeout: float | None = None):
        self.ctx, self.payload, self.workers = worker_context(), payload, workers
        self.chip_timeout = chip_timeout
        self.queue, self.deaths, self.live = deque(seeds), Counter(), []

    def busy(self) -> list[_Worker]:
        return [w for w in self.live if w.assigned]

    def feed(self) -> None:
        """Start workers as needed; give each one seed, and a second one queued behind it while there is
        plenty of work left (the worker starts it while this process writes the first one's files)."""
        while len(self.live) < min(self.workers, len(self.queue) + len(self.busy())):
            self.live.append(_Worker(self.ctx, self.payload))
        for w in list(self.live):
            if not w.assigned and not w.process.is_alive():  # died between chips: nothing to blame it on
                self._drop(w)
        for depth in range(1, PREFETCH + 1):
            for w in self.live:
                if len(w.assigned) < depth and self.queue and (depth == 1 or len(self.queue) >= len(self.live)):
                    w.assign(self.queue.popleft())

    def finished(self) -> list[_Worker]:
        """Workers with something to collect: replies, a death, or a chip past its time (its worker is killed)."""
        busy = self.busy()
        timeout, started = None, [w.running_since for w in busy if w.running_since != float("inf")]
        if self.chip_timeout is not None and started:
            timeout = max(0.0, min(started) + self.chip_timeout - time.monotonic())
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=timeout))
        done = [w for w in busy if w.conn in ready or w.process.sentinel in ready]
        if self.chip_timeout is not None:
            now = time.monotonic()
            for w in busy:
                if w not in done and now - w.running_since >= self.chip_timeout:
                    w.timed_out = True
                    w.process.kill()
                    w.process.join()
                    done.append(w)
        return done

    def collect(self, w: _Worker) -> list[Outcome]:
        """Outcomes the worker sent; if it died, its running chip is retried once (then failed) and the
        chips queued behind it go back to the queue."""
        outcomes = []
        for reply in w.replies():
            if isinstance(reply, tuple):
                raise MTCSNError(f"worker {reply[0]}: {reply[1]}")
            outcomes.append(reply)
        if not w.assigned or w.process.is_alive():
            return outcomes
        running, behind = w.assigned.popleft(), list(w.assigned)
        cause = w.cause()
        self._drop(w)
        self.queue.extendleft(reversed(behind))
        if w.timed_out:  # a hang repeats: no retry
            outcomes.append(Outcome(running, reason=f"timed out after {self.chip_timeout:g} s (worker killed)"))
            return outcomes
        self.deaths[running] += 1
        if self.deaths[running] <= DEATH_RETRIES:
            self.queue.appendleft(running)
        else:
            outcomes.append(Outcome(running, reason=f"worker died: {cause}"))
        return outcomes

    def _drop(self, w: _Worker) -> None:
        self.live.remove(w)
        w.stop()

    def close(self) -> None:
        for w in self.live:  # all at once: each takes a moment to exit
            w.ask_to_stop()
        for w in self.live:
            w.stop()
        self.live = []


def pool_outcomes(payload: bytes, seeds: list[int], workers: int,
                  chip_timeout: float | None = None) -> Iterator[Outcome]:
    """Run job(seed, context) (pickled together in payload) for every seed; yield outcomes as they finish.

    chip_timeout: seconds a chip may run before its worker is killed and the chip recorded as timed out.
    """
    pool = _Supervisor(payload, seeds, workers, chip_timeout)
    try:
        while pool.queue or pool.busy():
            pool.feed()
            for w in pool.finished():
                yield from pool.collect(w)
    finally:
        pool.close()
