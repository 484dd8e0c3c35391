"""schemathesis hooks for tests/contract/run.sh (loaded through SCHEMATHESIS_HOOKS).

CPython 3.11.7 can fail `ast.parse` with "SystemError: AST constructor recursion depth
mismatch" when two threads parse at once (hypothesis parses its sources to describe lambdas,
and the run uses two workers): such a run ends in a schemathesis "Runtime Error" unrelated
to the service. Parsing one thread at a time avoids it; nothing else changes.
"""

import ast
import threading

_parse = ast.parse
_lock = threading.Lock()


def _serialized_parse(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _serialized_parse
