"""Developer tools that are not part of the runtime package (run from the project root)."""
