"""One exception per failure kind, each with a message a user can act on.

The batch runner turns a DocumentError into a row of documents.csv (status and a
one-line reason); anything else from a document is reported as an unexpected error.
"""


class PipelineError(Exception):
    """Base of every error the pipeline reports to users."""


class ConfigError(PipelineError):
    """A config file is missing, malformed or inconsistent."""


class DocumentError(PipelineError):
    """One input file cannot be processed; `status` goes into documents.csv."""

    status = "error"


class UnreadableFileError(DocumentError):
    """Empty, truncated, encrypted or not the format its name says."""


class NoTextError(DocumentError):
    """The file opens but has no text layer (e.g. a scanned PDF)."""

    status = "no_text"


class TooManyPagesError(DocumentError):
    """The PDF has more pages than `extract.max_pages` allows."""


class TimeLimitError(DocumentError):
    """Reading the file took longer than the per-file time limit (`batch.time_limit_s`)."""


class OutputLockedError(PipelineError):
    """Another run is writing the same output folder."""
