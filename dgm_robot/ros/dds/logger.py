# Copyright 2026 dgm_robot contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.


"""
Node loggers with rclpy's methods and console format.

Nodes report bad input once (`once=True`) and periodic status throttled
(`throttle_duration_sec`), as with rclpy; the line format is rcutils' default so logs from both
runtimes read the same.
"""

from enum import IntEnum
import sys
import time


class LoggingSeverity(IntEnum):
    """Log levels (rclpy.logging.LoggingSeverity)."""

    UNSET = 0
    DEBUG = 10
    INFO = 20
    WARN = 30
    ERROR = 40
    FATAL = 50


_default_level = LoggingSeverity.INFO


def set_default_level(level):
    """Set the level of loggers that have none of their own (`--log-level`)."""
    global _default_level
    _default_level = parse_severity(level)


def parse_severity(level):
    """Accept a LoggingSeverity, its value or a name such as 'info' / 'WARN'."""
    if isinstance(level, str):
        name = level.upper().replace('WARNING', 'WARN')
        if name not in LoggingSeverity.__members__:
            raise ValueError(f'unknown log level {level!r}: use debug, info, warn, error, fatal')
        return LoggingSeverity[name]
    return LoggingSeverity(level)


class RcutilsLogger:
    """A named logger writing `[LEVEL] [time] [name]: message` lines to stderr."""

    def __init__(self, name='', stream=None):
        self.name = name
        self._level = LoggingSeverity.UNSET
        self._stream = stream
        self._once = set()
        self._last = {}
        self._counts = {}

    def get_child(self, name):
        """Return a logger named `<this>.<name>`."""
        return RcutilsLogger(f'{self.name}.{name}' if self.name else name, self._stream)

    def set_level(self, level):
        """Set this logger's minimum severity."""
        self._level = parse_severity(level)

    def get_effective_level(self):
        """Return the severity below which messages are dropped."""
        return self._level or _default_level

    def is_enabled_for(self, severity):
        """Return True if a message of `severity` would be written."""
        return severity >= self.get_effective_level()

    def log(self, message, severity, *, once=False, throttle_duration_sec=None,
            skip_first=False, **_):
        """Write one message; return True if it was written (rclpy's semantics)."""
        if not self.is_enabled_for(severity):
            return False
        frame = sys._getframe(2)
        site = (frame.f_code.co_filename, frame.f_lineno)
        if once:
            if site in self._once:
                return False
            self._once.add(site)
        if skip_first:
            self._counts[site] = self._counts.get(site, 0) + 1
            if self._counts[site] == 1:
                return False
        if throttle_duration_sec:
            now = time.monotonic()
            last = self._last.get(site)
            if last is not None and now - last < throttle_duration_sec:
                return False
            self._last[site] = now
        stamp = time.time_ns()
        label = severity.name
        stream = self._stream or sys.stderr
        stream.write(f'[{label}] [{stamp // 1_000_000_000}.{stamp % 1_000_000_000:09d}] '
                     f'[{self.name}]: {message}\n')
        stream.flush()
        return True

    def debug(self, message, **kwargs):
        """Log at DEBUG."""
        return self.log(message, LoggingSeverity.DEBUG, **kwargs)

    def info(self, message, **kwargs):
        """Log at INFO."""
        return self.log(message, LoggingSeverity.INFO, **kwargs)

    def warning(self, message, **kwargs):
        """Log at WARN."""
        return self.log(message, LoggingSeverity.WARN, **kwargs)

    def warn(self, message, **kwargs):
        """Log at WARN (older rclpy spelling)."""
        return self.log(message, LoggingSeverity.WARN, **kwargs)

    def error(self, message, **kwargs):
        """Log at ERROR."""
        return self.log(message, LoggingSeverity.ERROR, **kwargs)

    def fatal(self, message, **kwargs):
        """Log at FATAL."""
        return self.log(message, LoggingSeverity.FATAL, **kwargs)


def get_logger(name):
    """Return a logger (rclpy.logging.get_logger)."""
    return RcutilsLogger(name)
