"""`python -m gipr_pipeline.cli` = the `gipr` command."""

from gipr_pipeline.cli.main import main

if __name__ == "__main__":
    main()
