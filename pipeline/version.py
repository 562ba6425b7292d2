"""Version numbers: of the tool, of the record schema (bumped when the JSON form changes), and of
the libraries whose version can change the output."""

from importlib import metadata

TOOL_NAME = "career-article-pipeline"
__version__ = "0.5.0"
SCHEMA_VERSION = "4"
# Recorded in the manifest (and in the index's fingerprint) so a difference can be explained.
OUTPUT_LIBRARIES = ("jieba", "langdetect", "charset-normalizer", "ftfy", "rapidfuzz", "numpy")


def library_versions() -> dict[str, str]:
    """The installed version of each library in ``OUTPUT_LIBRARIES``."""
    versions = {}
    for name in OUTPUT_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions
