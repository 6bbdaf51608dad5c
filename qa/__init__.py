"""qa: bilingual (English/Chinese) extractive question answering over newspaper archives."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qa")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
