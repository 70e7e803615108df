"""`python -m pipeline COMMAND …`: the command line lives in pipeline/cli/."""

from pipeline.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
