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
from collections import Counter, deque
from collections.abc import Iterator
from multiprocessing.connection import wait

from mtcsn_hw.calibration.outcome import Outcome, one_line, run_chip
from mtcsn_hw.errors import MTCSNError

DEATH_RETRIES = 1
_STOP = None


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
        while (seed := conn.recv()) is not _STOP:
            conn.send(run_chip(job, seed, context))
    except (EOFError, OSError):  # the parent went away
        pass


class _Worker:
    def __init__(self, ctx, payload: bytes):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, payload), daemon=True)
        self.process.start()
        child.close()
        self.seed = None

    def assign(self, seed: int) -> None:
        self.seed = seed
        try:
            self.conn.send(seed)
        except OSError:  # already dead: wait() sees its sentinel and receive() reports the death
            pass

    def receive(self):
        """The worker's reply, or None if it died."""
        try:
            if self.conn.poll():
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        return None

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

    def __init__(self, payload: bytes, seeds: list[int], workers: int):
        self.ctx, self.payload, self.workers = worker_context(), payload, workers
        self.queue, self.deaths, self.live = deque(seeds), Counter(), []

    def busy(self) -> list[_Worker]:
        return [w for w in self.live if w.seed is not None]

    def feed(self) -> None:
        """Start workers as needed and give every idle one a seed."""
        while len(self.live) < min(self.workers, len(self.queue) + len(self.busy())):
            self.live.append(_Worker(self.ctx, self.payload))
        for w in list(self.live):
            if w.seed is not None or not self.queue:
                continue
            if not w.process.is_alive():  # died between chips: nothing to blame it on
                self._drop(w)
                continue
            w.assign(self.queue.popleft())

    def finished(self) -> list[_Worker]:
        busy = self.busy()
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        return [w for w in busy if w.conn in ready or w.process.sentinel in ready]

    def collect(self, w: _Worker) -> Outcome | None:
        """The chip's outcome, or None when its worker died and the chip is queued again."""
        reply, seed = w.receive(), w.seed
        w.seed = None
        if isinstance(reply, Outcome):
            return reply
        if isinstance(reply, tuple):
            raise MTCSNError(f"worker {reply[0]}: {reply[1]}")
        cause = w.cause()
        self._drop(w)
        self.deaths[seed] += 1
        if self.deaths[seed] <= DEATH_RETRIES:
            self.queue.appendleft(seed)
            return None
        return Outcome(seed, reason=f"worker died: {cause}")

    def _drop(self, w: _Worker) -> None:
        self.live.remove(w)
        w.stop()

    def close(self) -> None:
        for w in self.live:  # all at once: each takes a moment to exit
            w.ask_to_stop()
        for w in self.live:
            w.stop()
        self.live = []


def pool_outcomes(payload: bytes, seeds: list[int], workers: int) -> Iterator[Outcome]:
    """Run job(seed, context) (pickled together in payload) for every seed; yield outcomes as they finish."""
    pool = _Supervisor(payload, seeds, workers)
    try:
        while pool.queue or pool.busy():
            pool.feed()
            for w in pool.finished():
                outcome = pool.collect(w)
                if outcome is not None:
                    yield outcome
    finally:
        pool.close()
