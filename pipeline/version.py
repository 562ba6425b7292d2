"""Version numbers: of the tool, and of the record schema (bumped when the JSON form changes)."""

TOOL_NAME = "career-article-pipeline"
__version__ = "0.2.0"
SCHEMA_VERSION = "2"
