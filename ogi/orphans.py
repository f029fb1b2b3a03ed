"""Children that stop when their parent dies, even by SIGKILL (Linux); elsewhere a no-op."""

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def stop_with_parent() -> None:
    """For `preexec_fn`: deliver SIGTERM to this child when the process that started it dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
